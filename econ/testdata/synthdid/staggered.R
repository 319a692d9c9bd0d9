# Reference numbers for econ's staggered synthetic DID (econ/sdid_staggered_test.go).
#
# Run from this directory with R 4.2.2 (reference BLAS) and synthdid 0.0.9
# (github.com/synth-inference/synthdid) installed into /tmp/peers/lib:
#   Rscript staggered.R > staggered.json
# Staggered design on the Proposition 99 panel (california_prop99.csv), with a
# deterministic assignment that ignores the real treatment column:
#   Alabama, Arkansas adopt in 1985; California, Colorado, Connecticut in 1989;
#   Delaware, Georgia adopt in 1993; the other 32 states are never treated.
# For each adoption cohort a the block made of the cohort's states and the
# never-treated states, over all years (pre = before a), is estimated with
# synthdid_estimate, sc_estimate and did_estimate (package defaults); the
# aggregate is sum_a (N_a T_a / sum_b N_b T_b) tau_a, as in Stata sdid
# (Clarke, Pailanir, Athey & Imbens 2023) and Arkhangelsky et al. (2021, sec. on
# staggered adoption). Also written: each cohort's weights, noise level and
# zetas, and the per-cohort R bootstrap SE (vcov(method = "bootstrap"),
# 200 replications, seed 1; random, for a spread check only).
suppressMessages({
  .libPaths(c("/tmp/peers/lib", .libPaths()))
  library(synthdid)
  library(jsonlite)
})
panel <- read.csv("california_prop99.csv", sep = ";", stringsAsFactors = FALSE)
adopt <- c(Alabama = 1985, Arkansas = 1985, California = 1989, Colorado = 1989,
           Connecticut = 1989, Delaware = 1993, Georgia = 1993)
panel$adopt <- ifelse(panel$State %in% names(adopt), adopt[panel$State], NA)
panel$treated <- as.integer(!is.na(panel$adopt) & panel$Year >= panel$adopt)
cohorts <- sort(unique(na.omit(panel$adopt)))
out <- list(adoption = as.list(adopt), estimators = list())
for (est_name in c("sdid", "sc", "did")) {
  f <- switch(est_name, sdid = synthdid_estimate, sc = sc_estimate, did = did_estimate)
  res <- list()
  taus <- c(); wts <- c()
  for (a in cohorts) {
    p <- panel[is.na(panel$adopt) | panel$adopt == a, ]
    setup <- panel.matrices(p, unit = "State", time = "Year", outcome = "PacksPerCapita", treatment = "treated")
    est <- f(setup$Y, setup$N0, setup$T0)
    w <- attr(est, "weights"); opts <- attr(est, "opts")
    N1 <- nrow(setup$Y) - setup$N0; T1 <- ncol(setup$Y) - setup$T0
    set.seed(1)
    bse <- sqrt(vcov(est, method = "bootstrap", replications = 200))[1, 1]
    res[[length(res) + 1]] <- list(adoption = a, units = rownames(setup$Y), N0 = setup$N0, T0 = setup$T0,
      N1 = N1, T1 = T1, estimate = c(est), zeta_omega = opts$zeta.omega, zeta_lambda = opts$zeta.lambda,
      omega = c(w$omega), lambda = c(w$lambda), bootstrap_se = bse)
    taus <- c(taus, c(est)); wts <- c(wts, N1 * T1)
  }
  out$estimators[[est_name]] <- list(cohorts = res, weights = wts / sum(wts), att = sum(wts / sum(wts) * taus))
}
cat(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE))
