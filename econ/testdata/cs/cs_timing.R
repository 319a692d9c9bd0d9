# Side-by-side timing of R did 2.5.1 for docs/PERFORMANCE.md ("Callaway–
# Sant'Anna with covariates"), the same specifications as econ's
# BenchmarkCallawaySantAnnaDR. Run from econ/testdata/cs:
#   Rscript cs_timing.R
# Prints the median wall time and the median CPU time (user + system) of
# 11 runs (after one warm-up) of att_gt plus the four aggte calls, in
# memory (no file reading). On a shared machine compare CPU times. The demo panel is the
# deterministic 297 units × 16 years of csDemoPanel in econ/cs_bench_test.go.
.libPaths(c("/tmp/peers/lib", .libPaths()))
suppressMessages(library(did))
mpdta <- read.csv("mpdta.csv")
demo <- expand.grid(t = 2005:2020, i = 0:296)
demo$g <- c(0, 2012, 2013, 2015)[demo$i %% 4 + 1]
demo$x <- 2 * sin(demo$i + 1) + 0.01 * (demo$t - 2005)
demo$y <- 0.1 * demo$x * (demo$t - 2004) + 0.5 * sin(12.9898 * demo$i + 78.233 * demo$t) +
  ifelse(demo$g > 0 & demo$t >= demo$g, 0.3, 0)
run <- function(d, y, t, id, g, xf, boot) {
  m <- suppressMessages(suppressWarnings(att_gt(yname = y, tname = t, idname = id, gname = g,
    xformla = xf, data = d, est_method = "dr", bstrap = boot, biters = 999, cband = boot)))
  for (type in c("simple", "dynamic", "group", "calendar"))
    suppressMessages(suppressWarnings(aggte(m, type = type, na.rm = TRUE)))
}
timeit <- function(label, f, reps = 11) {
  f()
  st <- replicate(reps, system.time(f()))
  wall <- st["elapsed", ]
  cpu <- st["user.self", ] + st["sys.self", ]
  cat(sprintf("%-36s wall median %8.1f ms (min %.1f), cpu median %8.1f ms\n", label,
    1000 * median(wall), 1000 * min(wall), 1000 * median(cpu)))
}
set.seed(1)
timeit("mpdta dr ~lpop analytic", function() run(mpdta, "lemp", "year", "countyreal", "first.treat", ~lpop, FALSE))
timeit("mpdta dr ~lpop boot=999 cband", function() run(mpdta, "lemp", "year", "countyreal", "first.treat", ~lpop, TRUE))
timeit("demo 297x16 dr ~x analytic", function() run(demo, "y", "t", "i", "g", ~x, FALSE))
timeit("demo 297x16 dr ~x boot=999 cband", function() run(demo, "y", "t", "i", "g", ~x, TRUE))
# The issue's shape (5,000 units × 20 periods, cohorts 2005/2008/2011/2014
# and never, one covariate), drawn with R's RNG (same design as
# csLargePanel, not the same numbers); 3 runs.
set.seed(2)
large <- expand.grid(t = 2001:2020, i = 0:4999)
large$g <- c(0, 2005, 2008, 2011, 2014)[large$i %% 5 + 1]
a <- rnorm(5000); xi <- rnorm(5000)
large$x <- xi[large$i + 1]
large$y <- a[large$i + 1] + 0.1 * (large$t - 2000) * (1 + 0.2 * large$x) + rnorm(nrow(large)) +
  ifelse(large$g > 0 & large$t >= large$g, 0.5 + 0.1 * (large$t - large$g), 0)
timeit("large 5000x20 dr ~x boot=999 cband", function() run(large, "y", "t", "i", "g", ~x, TRUE), reps = 3)
