# Single bootstrap draws of R synthdid 0.0.9 with known resampled units, so
# that the re-estimation inside vcov(method = "bootstrap") can be compared
# deterministically (econ/sdid_cov_test.go, TestSyntheticDIDBootstrapDraws).
#
# Run from this directory with R 4.2.2 (reference BLAS) and synthdid 0.0.9
# installed into /tmp/peers/lib:
#   Rscript bootstrap_draws.R > bootstrap_draws.json
# For each draw: set.seed(seed); ind = sample(1:N, replace = TRUE) gives the
# units bootstrap_sample draws first; set.seed(seed) again and
# synthdid:::bootstrap_sample(estimate, 1) returns the package's estimate on
# that draw (the seeds are chosen so the first draw has treated and control
# units, so it is not redrawn). Panel and covariates as in covariates.R.
suppressMessages({
  .libPaths(c("/tmp/peers/lib", .libPaths()))
  library(synthdid)
  library(jsonlite)
})
panel <- read.csv("california_prop99.csv", sep = ";", stringsAsFactors = FALSE)
smoking <- read.csv("../synth/smoking_adh_tidysynth.csv", stringsAsFactors = FALSE)
covariates <- function(setup) {
  units <- rownames(setup$Y); times <- as.integer(colnames(setup$Y))
  N <- nrow(setup$Y); T <- ncol(setup$Y)
  price <- smoking$retprice[match(outer(units, times, paste), paste(smoking$state, smoking$year))]
  i <- match(units, sort(units))
  smooth <- outer(i, times, function(i, t) ((i %% 7) - 3) * (t - 1985) / 15 + (i %% 5) / 4)
  array(c(matrix(price, N, T) / 100, smooth), dim = c(N, T, 2))
}
p <- panel
p$treated <- as.integer(p$State %in% c("California", "Georgia", "Ohio", "Wisconsin") & p$Year >= 1989)
setup <- panel.matrices(p, unit = "State", time = "Year", outcome = "PacksPerCapita", treatment = "treated")
X <- covariates(setup)
N <- nrow(setup$Y)
draws <- list()
k <- 0
for (est_name in c("sdid", "sc", "did")) {
  f <- switch(est_name, sdid = synthdid_estimate, sc = sc_estimate, did = did_estimate)
  for (cov in c(FALSE, TRUE)) {
    est <- if (cov) f(setup$Y, setup$N0, setup$T0, X = X) else f(setup$Y, setup$N0, setup$T0)
    for (seed in c(11, 12)) {
      set.seed(seed)
      ind <- sample(1:N, replace = TRUE)
      stopifnot(any(ind <= setup$N0), any(ind > setup$N0))
      set.seed(seed)
      b <- synthdid:::bootstrap_sample(est, 1)
      k <- k + 1
      draws[[k]] <- list(method = est_name, covariates = cov, seed = seed, units = ind, estimate = b)
    }
  }
}
cat(toJSON(list(source = "R synthdid 0.0.9 (synth-inference/synthdid @70c1ce3), R 4.2.2, reference BLAS; written by bootstrap_draws.R",
                case = "four_treated", draws = draws), auto_unbox = TRUE, digits = NA, pretty = TRUE))
cat("\n")
