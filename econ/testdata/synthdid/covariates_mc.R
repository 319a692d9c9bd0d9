# Monte Carlo reference numbers and CPU timings for synthetic DID with
# covariates and the bootstrap SE (econ/sdid_cov_test.go, docs/PERFORMANCE.md).
#
# Run from this directory with R 4.2.2 (reference BLAS) and synthdid 0.0.9
# installed into /tmp/peers/lib, in four parts (each a separate process,
# so they can run side by side), then merge:
#   Rscript covariates_mc.R boot      # ~3 min CPU
#   Rscript covariates_mc.R bootcov   # ~4 min CPU
#   Rscript covariates_mc.R placebo   # ~4 min CPU
#   Rscript covariates_mc.R bootcov200  # ~17 min CPU: the benchmark's 200 draws
#   Rscript covariates_mc.R merge     # writes covariates_mc.json
# The panel and covariates are those of covariates.R. The bootstrap and
# placebo SEs are random (R's sample()), so Go can only match them within
# Monte Carlo error: an SE estimated from B draws has a relative SE of
# about 1/sqrt(2B). The draw counts with covariates are small because each
# covariate fit costs R about 5 s of CPU (10,000 iterations).
# CPU times are user + system seconds from proc.time().
suppressMessages({
  .libPaths(c("/tmp/peers/lib", .libPaths()))
  library(synthdid)
  library(jsonlite)
})
part <- commandArgs(trailingOnly = TRUE)[1]
src <- "R synthdid 0.0.9 (synth-inference/synthdid @70c1ce3), R 4.2.2, reference BLAS; written by covariates_mc.R"
if (part == "merge") {
  res <- list()
  parts <- c("boot", "bootcov", "placebo", "bootcov200")
  for (p in parts) res <- c(res, fromJSON(sprintf("covariates_mc_%s.json", p)))
  writeLines(toJSON(list(source = src, results = res), auto_unbox = TRUE, digits = NA, pretty = TRUE), "covariates_mc.json")
  file.remove(sprintf("covariates_mc_%s.json", parts))
  quit()
}
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
res <- list()
if (part == "boot") {
  est <- synthdid_estimate(four$Y, four$N0, four$T0)
  set.seed(1)
  res$four_treated_sdid_bootstrap500 <- sqrt(vcov(est, method = "bootstrap", replications = 500))[1, 1]
  set.seed(2)
  res$cpu_bootstrap200_nocov <- cpu(se <- sqrt(vcov(est, method = "bootstrap", replications = 200))[1, 1])
  res$four_treated_sdid_bootstrap200_seed2 <- se
  res$cpu_sdid_nocov_fit <- cpu(for (k in 1:20) synthdid_estimate(four$Y, four$N0, four$T0)) / 20
} else if (part == "bootcov") {
  X <- covariates(four)
  res$cpu_sdid_covariates_fit <- cpu(est <- synthdid_estimate(four$Y, four$N0, four$T0, X = X))
  set.seed(3)
  res$cpu_bootstrap40_covariates <- cpu(se <- sqrt(vcov(est, method = "bootstrap", replications = 40))[1, 1])
  res$four_treated_sdid_covariates_bootstrap40 <- se
} else if (part == "bootcov200") {
  est <- synthdid_estimate(four$Y, four$N0, four$T0, X = covariates(four))
  set.seed(5)
  res$cpu_bootstrap200_covariates <- cpu(se <- sqrt(vcov(est, method = "bootstrap", replications = 200))[1, 1])
  res$four_treated_sdid_covariates_bootstrap200 <- se
} else if (part == "placebo") {
  cal <- setup_for("California")
  est <- synthdid_estimate(cal$Y, cal$N0, cal$T0, X = covariates(cal))
  set.seed(4)
  res$cpu_placebo40_covariates <- cpu(se <- sqrt(vcov(est, method = "placebo", replications = 40))[1, 1])
  res$california_sdid_covariates_placebo40 <- se
}
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE), sprintf("covariates_mc_%s.json", part))
