# From-CSV timing of R did 2.5.1 against `cityimpact did` for
# docs/PERFORMANCE.md ("Callaway–Sant'Anna with covariates"): the issue's
# shape, 5,000 units × 20 periods (2001–2020), cohorts 2005, 2008, 2011,
# 2014 and never treated (1,000 units each), one covariate x, outcome
#   y = a_i + 0.1 (t − 2000)(1 + 0.2 x_i) + ε_it + 1{t ≥ g}(0.5 + 0.1 (t − g)).
# Write the CSV once, then time the estimation from the CSV (hyperfine):
#   Rscript cs_csv_timing.R write /tmp/big.csv
#   hyperfine -w 1 -r 5 'Rscript cs_csv_timing.R run /tmp/big.csv' \
#     'cityimpact did --data /tmp/big.csv --outcome y --unit id --time year --cohort first_treat \
#        --covariates x --boot 999 --cband --seed 1 --format json'
# "run" reads the CSV with data.table::fread, runs att_gt (doubly robust,
# ~x, 999 multiplier-bootstrap draws, uniform bands: did's defaults
# bstrap = TRUE, cband = TRUE) and aggte(type = "dynamic"), and prints
# the overall dynamic effect. R library: /tmp/peers/lib.
.libPaths(c("/tmp/peers/lib", .libPaths()))
Sys.setenv(TZ = "UTC") # else R asks timedatectl, which fails here
args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 2)
if (args[1] == "write") {
  set.seed(2)
  d <- expand.grid(year = 2001:2020, id = 0:4999)
  d$first_treat <- c(0, 2005, 2008, 2011, 2014)[d$id %% 5 + 1]
  a <- rnorm(5000); xi <- rnorm(5000)
  d$x <- xi[d$id + 1]
  d$y <- a[d$id + 1] + 0.1 * (d$year - 2000) * (1 + 0.2 * d$x) + rnorm(nrow(d)) +
    ifelse(d$first_treat > 0 & d$year >= d$first_treat, 0.5 + 0.1 * (d$year - d$first_treat), 0)
  d <- d[, c("id", "year", "first_treat", "x", "y")]
  write.csv(d, args[2], row.names = FALSE)
} else {
  suppressMessages({ library(data.table); library(did) })
  d <- as.data.frame(fread(args[2]))
  m <- suppressWarnings(att_gt(yname = "y", tname = "year", idname = "id", gname = "first_treat",
    xformla = ~x, data = d, est_method = "dr", bstrap = TRUE, biters = 999, cband = TRUE))
  a <- suppressWarnings(aggte(m, type = "dynamic", na.rm = TRUE))
  cat(sprintf("dynamic overall ATT %.6f (se %.6f)\n", a$overall.att, a$overall.se))
}
