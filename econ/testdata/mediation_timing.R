# Timing of the cluster bootstrap of a·b written with R fixest 0.12.2 (one
# thread), for the side-by-side figure in docs/PERFORMANCE.md; timing only.
# The same frequency-weight scheme as econ.BootstrapMediation: each draw
# resamples units with replacement and refits M ~ d + x | id + t and
# y ~ d + m + x | id + t with weights = multiplicity. The panel is that of
# econ's BenchmarkMediationBootstrap (medPanel(297, 16, 0.8, 0.5, 0.3, 1) in
# econ/mediation_test.go) written to CSV (id,t,d,x,m,y); run as
#   Rscript mediation_timing.R med_297_16.csv
.libPaths(c("/tmp/peers/lib", .libPaths()))
suppressPackageStartupMessages({ library(fixest); library(data.table) })
setFixest_nthreads(1)
d <- fread(commandArgs(TRUE)[1])
ids <- sort(unique(d$id)); G <- length(ids)
boot <- function() {
  set.seed(1)
  sapply(1:999, function(r) {
    k <- tabulate(sample.int(G, G, replace = TRUE), G)
    d$w <- k[match(d$id, ids)]
    s <- d[w > 0]
    a <- coef(feols(m ~ d + x | id + t, s, weights = ~w, vcov = "iid"))[["d"]]
    b <- coef(feols(y ~ d + m + x | id + t, s, weights = ~w, vcov = "iid"))[["m"]]
    a * b
  })
}
s <- system.time(ab <- boot()); tm <- c(s[["user.self"]] + s[["sys.self"]], s[["elapsed"]])
cat("R fixest loop, 999 draws: cpu", tm[1], "wall", tm[2], "s; se", sd(ab), "ci", quantile(ab, c(.025, .975)), "\n")
