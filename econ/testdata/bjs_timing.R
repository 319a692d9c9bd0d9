# Timing of R didimputation 0.5.0 (fixest 0.12.2, one thread) for the side-by-side
# figures in docs/PERFORMANCE.md ("Imputation DID and mediation"); timing only,
# no test reads its output. The panels are those of econ's BenchmarkImputation
# (bjsPanel in econ/impute_test.go, seed 1), written to CSV with columns
# id,t,g,x,y (a throwaway test printed them); run as
#   Rscript bjs_timing.R panel_297_16.csv panel_10000_20.csv
# CPU = user + system seconds, median of 11 runs (3 for the large panel), data in memory.
.libPaths(c("/tmp/peers/lib", .libPaths()))
suppressPackageStartupMessages({ library(didimputation); library(fixest); library(data.table) })
setFixest_nthreads(1)
cpu <- function(expr) { s <- system.time(expr); c(cpu = s[["user.self"]] + s[["sys.self"]], wall = s[["elapsed"]]) }
for (f in commandArgs(TRUE)) {
  d <- fread(f)
  reps <- if (nrow(d) < 10000) 11 else 3
  st <- replicate(reps, cpu(did_imputation(d, yname = "y", gname = "g", tname = "t", idname = "id")))
  ho <- replicate(reps, cpu(did_imputation(d, yname = "y", gname = "g", tname = "t", idname = "id", horizon = TRUE)))
  cat(f, "static cpu", median(st["cpu", ]), "wall", median(st["wall", ]), "| horizons cpu", median(ho["cpu", ]), "wall", median(ho["wall", ]), "\n")
}
