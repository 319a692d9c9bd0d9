# R side of the side-by-side benchmarks with econ (docs/PERFORMANCE.md,
# "Side by side with fixest"; Go side: econ/fixest_peer_bench_test.go, which
# writes the CSV files once). Uses an installed fixest and data.table:
#
#   Rscript bench.R DIR [REPS] [WHAT]
#
# DIR holds panel_1m.csv, placebo_290x16.csv (and panel_10m_fe3.csv for
# WHAT = fe3_10m); REPS runs per benchmark (default 5); WHAT is "all"
# (default: fe2_1m and permute) or "fe3_10m" (one run: read + estimate,
# for /usr/bin/time -v). Prints each run's seconds and the median.
suppressPackageStartupMessages({library(fixest); library(data.table)})
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
reps <- if (length(args) >= 2) as.integer(args[2]) else 5L
what <- if (length(args) >= 3) args[3] else "all"
setFixest_nthreads(2)
setDTthreads(2)
setFixest_notes(FALSE)
secs <- function(expr) unname(system.time(expr)["elapsed"])
report <- function(name, t) {
  cat(sprintf("%-28s median %8.4f s   runs %s\n", name, median(t), paste(sprintf("%.4f", t), collapse = " ")))
}
cat(sprintf("fixest %s, data.table %s, %s, nthreads %d\n", packageVersion("fixest"),
            packageVersion("data.table"), R.version.string, getFixest_nthreads()))

if (what == "all") {
  ## (a) 1M rows, 2 FE, 3 regressors, clustered by unit
  f1 <- file.path(dir, "panel_1m.csv")
  fml <- y ~ x1 + x2 + x3 | unit + year
  d <- fread(f1)
  m <- feols(fml, d, cluster = ~unit)
  cat(sprintf("fe2_1m: x1 = %.10f (%.10f)\n", coef(m)[1], se(m)[1]))
  report("fe2_1m/memory", sapply(seq_len(reps), function(r) secs(feols(fml, d, cluster = ~unit))))
  rm(d); invisible(gc())
  report("fe2_1m/csv", sapply(seq_len(reps), function(r) secs({
    d <- fread(f1); feols(fml, d, cluster = ~unit)
  })))

  ## (b) 1,000 unit permutations of y ~ treat + x | unit + year on 290 x 16:
  ## the units' adoption cohorts are shuffled and the model refitted
  p <- fread(file.path(dir, "placebo_290x16.csv"))
  units <- sort(unique(p$unit))
  coh <- p[, .(cohort = cohort[1]), by = unit][order(unit)]$cohort
  ui <- match(p$unit, units)
  permute <- function(draws) {
    out <- numeric(draws)
    for (b in seq_len(draws)) {
      c_b <- sample(coh)[ui]
      p$treat_b <- as.numeric(!is.na(c_b) & p$year >= c_b)
      out[b] <- coef(feols(y ~ treat_b + x | unit + year, p))[1]
    }
    out
  }
  set.seed(1)
  report("permute_290x16 (1,000 feols)", sapply(seq_len(reps), function(r) secs(permute(1000))))
}

if (what == "fe3_10m") {
  f3 <- file.path(dir, "panel_10m_fe3.csv")
  t_read <- secs(d <- fread(f3))
  t_est <- secs(m <- feols(y ~ x1 + x2 + x3 | unit + year + firm, d, cluster = ~unit))
  cat(sprintf("fe3_10m: x1 = %.10f (%.10f)\n", coef(m)[1], se(m)[1]))
  cat(sprintf("fe3_10m read %.3f s, estimate %.3f s, total %.3f s\n", t_read, t_est, t_read + t_est))
}
