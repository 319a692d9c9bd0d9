# Reference numbers for econ's synthetic DID (econ/sdid_test.go).
#
# Run from this directory with R 4.2.2 (reference BLAS) and synthdid 0.0.9
# (github.com/synth-inference/synthdid, HEAD of the mirror fetched 2026-11-28)
# installed into /tmp/peers/lib:
#   Rscript reference.R > reference.json
# Writes, for each case and estimator (synthdid_estimate, sc_estimate,
# did_estimate with the package defaults): the estimate, the noise level,
# zeta.omega/zeta.lambda, unit weights omega, time weights lambda, the
# jackknife SE (vcov(method = "jackknife"); null where the package returns NA),
# the effect curve (synthdid_effect_curve), and a placebo SE
# (vcov(method = "placebo"), seed 12345; random, so only for a spread check).
suppressMessages({
  .libPaths(c("/tmp/peers/lib", .libPaths()))
  library(synthdid)
  library(jsonlite)
})
panel <- read.csv("california_prop99.csv", sep = ";", stringsAsFactors = FALSE)

run <- function(name, treated_states) {
  p <- panel
  p$treated <- as.integer(p$State %in% treated_states & p$Year >= 1989)
  setup <- panel.matrices(p, unit = "State", time = "Year", outcome = "PacksPerCapita", treatment = "treated")
  out <- list(name = name, treated = treated_states, units = rownames(setup$Y),
              times = as.integer(colnames(setup$Y)), N0 = setup$N0, T0 = setup$T0, estimators = list())
  for (est_name in c("sdid", "sc", "did")) {
    f <- switch(est_name, sdid = synthdid_estimate, sc = sc_estimate, did = did_estimate)
    est <- f(setup$Y, setup$N0, setup$T0)
    w <- attr(est, "weights")
    opts <- attr(est, "opts")
    jk <- suppressWarnings(sqrt(vcov(est, method = "jackknife"))[1, 1])
    set.seed(12345)
    t0 <- proc.time()[["elapsed"]]
    pl <- sqrt(vcov(est, method = "placebo", replications = 200))[1, 1]
    t_pl <- proc.time()[["elapsed"]] - t0
    t0 <- proc.time()[["elapsed"]]
    for (k in 1:20) f(setup$Y, setup$N0, setup$T0)
    t_est <- (proc.time()[["elapsed"]] - t0) / 20
    out$estimators[[est_name]] <- list(
      estimate = c(est), zeta_omega = opts$zeta.omega, zeta_lambda = opts$zeta.lambda,
      noise_level = sd(apply(setup$Y[1:setup$N0, 1:setup$T0], 1, diff)),
      omega = w$omega, lambda = w$lambda,
      jackknife_se = if (is.na(jk)) NULL else jk,
      placebo_se_seed12345 = pl,
      effect_curve = c(synthdid_effect_curve(est)),
      seconds_estimate = t_est, seconds_placebo200 = t_pl)
  }
  out
}

cases <- list(
  run("california", "California"),
  # Several treated units so that the jackknife is defined (the package
  # returns NA with one treated unit). The three extra states are an
  # arbitrary choice; their "treatment" from 1989 is fictitious.
  run("four_treated", c("California", "Georgia", "Ohio", "Wisconsin")))
cat(toJSON(list(source = "R synthdid 0.0.9 (synth-inference/synthdid), R 4.2.2, reference BLAS; written by reference.R",
                cases = cases), auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"))
cat("\n")
