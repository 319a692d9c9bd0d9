# Reference numbers for synthetic DID with time-varying covariates
# (econ/sdid_cov_test.go), deterministic part.
#
# Run from this directory with R 4.2.2 (reference BLAS) and synthdid 0.0.9
# (github.com/synth-inference/synthdid @70c1ce3) installed into /tmp/peers/lib:
#   Rscript covariates.R > covariates.json
# (took about 8 minutes of CPU; the jackknife refits beta 39 times per case).
#
# Panel: Proposition 99 (california_prop99.csv, outcome PacksPerCapita) with
# two covariates, built the same way in the Go test:
#   retprice  ADH's cigarette retail price (../synth/smoking_adh_tidysynth.csv,
#             column retprice, matched by state and year), divided by 100
#             (dollars instead of cents: in cents synthdid's gradient steps on
#             beta diverge, see case "diverging" below);
#   smooth    ((i %% 7) - 3) * (year - 1985) / 15 + (i %% 5) / 4, where i is
#             the 1-based alphabetical index of the state among the 39.
# For each case and estimator (synthdid_estimate, sc_estimate, did_estimate
# with X = the N x T x 2 array and the package defaults): the estimate, beta,
# omega, lambda, the jackknife SE (vcov(method = "jackknife"), which refits
# beta with the weights held fixed; null where the package returns NA), the
# effect curve, the number of iterations of sc.weight.fw.covariates and its
# first and last objective values.
suppressMessages({
  .libPaths(c("/tmp/peers/lib", .libPaths()))
  library(synthdid)
  library(jsonlite)
})
panel <- read.csv("california_prop99.csv", sep = ";", stringsAsFactors = FALSE)
smoking <- read.csv("../synth/smoking_adh_tidysynth.csv", stringsAsFactors = FALSE)

covariates <- function(setup, price_scale = 100) {
  units <- rownames(setup$Y)
  times <- as.integer(colnames(setup$Y))
  N <- nrow(setup$Y); T <- ncol(setup$Y)
  price <- smoking$retprice[match(outer(units, times, paste), paste(smoking$state, smoking$year))]
  stopifnot(all(is.finite(price)))
  i <- match(units, sort(units))
  smooth <- outer(i, times, function(i, t) ((i %% 7) - 3) * (t - 1985) / 15 + (i %% 5) / 4)
  array(c(matrix(price, N, T) / price_scale, smooth), dim = c(N, T, 2))
}

setup_for <- function(treated_states) {
  p <- panel
  p$treated <- as.integer(p$State %in% treated_states & p$Year >= 1989)
  panel.matrices(p, unit = "State", time = "Year", outcome = "PacksPerCapita", treatment = "treated")
}

run <- function(name, treated_states) {
  setup <- setup_for(treated_states)
  X <- covariates(setup)
  out <- list(name = name, treated = treated_states, units = rownames(setup$Y),
              times = as.integer(colnames(setup$Y)), N0 = setup$N0, T0 = setup$T0,
              covariates = c("retprice", "smooth"), estimators = list())
  for (est_name in c("sdid", "sc", "did")) {
    f <- switch(est_name, sdid = synthdid_estimate, sc = sc_estimate, did = did_estimate)
    est <- f(setup$Y, setup$N0, setup$T0, X = X)
    w <- attr(est, "weights")
    opts <- attr(est, "opts")
    vals <- w$vals[!is.na(w$vals)]
    jk <- suppressWarnings(sqrt(vcov(est, method = "jackknife"))[1, 1])
    out$estimators[[est_name]] <- list(
      estimate = c(est), beta = w$beta, omega = w$omega, lambda = w$lambda,
      zeta_omega = opts$zeta.omega, zeta_lambda = opts$zeta.lambda,
      iterations = length(vals), vals_first = vals[1], vals_last = vals[length(vals)],
      jackknife_se = if (is.na(jk)) NULL else jk,
      effect_curve = c(synthdid_effect_curve(est)))
  }
  out
}

cases <- list(run("california", "California"),
              run("four_treated", c("California", "Georgia", "Ohio", "Wisconsin")))

# The price in cents: beta's gradient steps (step 1/t) overshoot and the
# objective grows without bound; the Go code reports an error instead.
setup <- setup_for("California")
est <- synthdid_estimate(setup$Y, setup$N0, setup$T0, X = covariates(setup, 1))
w <- attr(est, "weights")
vals <- w$vals[!is.na(w$vals)]
diverging <- list(name = "california, retprice in cents", estimate = c(est), beta = w$beta,
                  iterations = length(vals), vals_first = vals[1], vals_last = vals[length(vals)])

cat(toJSON(list(source = "R synthdid 0.0.9 (synth-inference/synthdid @70c1ce3), R 4.2.2, reference BLAS; written by covariates.R",
                cases = cases, diverging = diverging),
           auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"))
cat("\n")
