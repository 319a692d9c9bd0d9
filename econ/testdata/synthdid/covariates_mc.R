# Monte Carlo reference numbers and CPU timings for synthetic DID with
# covariates and the bootstrap SE (econ/sdid_cov_test.go, docs/PERFORMANCE.md).
#
# Run from this directory with R 4.2.2 (reference BLAS) and synthdid 0.0.9
# installed into /tmp/peers/lib:
#   Rscript covariates_mc.R > covariates_mc.json
# (about 40 minutes of CPU). The panel and covariates are those of
# covariates.R. The bootstrap and placebo SEs are random (R's sample()), so
# Go can only match them within Monte Carlo error: the SE of an SE estimated
# from B draws is about SE/sqrt(2B).
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
setup_for <- function(treated_states) {
  p <- panel
  p$treated <- as.integer(p$State %in% treated_states & p$Year >= 1989)
  panel.matrices(p, unit = "State", time = "Year", outcome = "PacksPerCapita", treatment = "treated")
}
cpu <- function(expr) {
  t0 <- proc.time()
  force(expr)
  d <- proc.time() - t0
  d[["user.self"]] + d[["sys.self"]]
}
four <- setup_for(c("California", "Georgia", "Ohio", "Wisconsin"))
cal <- setup_for("California")
Xfour <- covariates(four)
Xcal <- covariates(cal)
res <- list()

est <- synthdid_estimate(four$Y, four$N0, four$T0)
set.seed(1)
res$four_treated_sdid_bootstrap1000 <- sqrt(vcov(est, method = "bootstrap", replications = 1000))[1, 1]
set.seed(2)
res$cpu_bootstrap200_nocov <- cpu(se <- sqrt(vcov(est, method = "bootstrap", replications = 200))[1, 1])
res$four_treated_sdid_bootstrap200 <- se

res$cpu_sdid_covariates_fit <- cpu(for (k in 1:3) estc <- synthdid_estimate(four$Y, four$N0, four$T0, X = Xfour)) / 3
res$cpu_sdid_nocov_fit <- cpu(for (k in 1:20) synthdid_estimate(four$Y, four$N0, four$T0)) / 20
set.seed(3)
res$cpu_bootstrap200_covariates <- cpu(se <- sqrt(vcov(estc, method = "bootstrap", replications = 200))[1, 1])
res$four_treated_sdid_covariates_bootstrap200 <- se

estcal <- synthdid_estimate(cal$Y, cal$N0, cal$T0, X = Xcal)
set.seed(4)
res$cpu_placebo100_covariates <- cpu(se <- sqrt(vcov(estcal, method = "placebo", replications = 100))[1, 1])
res$california_sdid_covariates_placebo100 <- se

cat(toJSON(list(source = "R synthdid 0.0.9 (synth-inference/synthdid @70c1ce3), R 4.2.2, reference BLAS; written by covariates_mc.R",
                results = res), auto_unbox = TRUE, digits = NA, pretty = TRUE))
cat("\n")
