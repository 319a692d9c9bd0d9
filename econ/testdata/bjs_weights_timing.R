# Timing of R didimputation 0.5.0 (fixest 0.12.2, one thread) for the
# side-by-side figures in docs/PERFORMANCE.md ("Imputation DID with weights,
# controls and extra fixed effects"); timing only, no test reads its output.
# The panel is that of econ's BenchmarkImputationWeighted
# (bjsWeightedPanel(10000, 20, 1) in econ/impute_weights_test.go: columns
# id,t,g,x,x2,w,region,y), written to CSV by a throwaway test; run as
#   Rscript bjs_weights_timing.R panel_w_10000_20.csv
# CPU = user + system seconds, median of 3 runs, data in memory;
# didimputation as shipped (fixest's default tolerances).
.libPaths(c("/tmp/peers/lib", .libPaths()))
suppressPackageStartupMessages({ library(didimputation); library(fixest); library(data.table) })
setFixest_nthreads(1)
setDTthreads(1)
# fixest combines region^t by a quick algorithm that predict() cannot use.
setFixest_estimation(combine.quick = FALSE)
cpu <- function(expr) { s <- system.time(expr); c(cpu = s[["user.self"]] + s[["sys.self"]], wall = s[["elapsed"]]) }
for (f in commandArgs(TRUE)) {
  d <- fread(f)
  run <- function(fs, h) did_imputation(d, yname = "y", gname = "g", tname = "t", idname = "id",
                                        first_stage = fs, wname = "w", horizon = h)
  for (cs in list(list("two-way", ~ x + x2 | id + t), list("region^t", ~ x + x2 | id + t + region^t))) {
    st <- replicate(3, cpu(run(cs[[2]], NULL)))
    ho <- replicate(3, cpu(run(cs[[2]], TRUE)))
    cat(f, cs[[1]], "static cpu", median(st["cpu", ]), "wall", median(st["wall", ]),
        "| horizons cpu", median(ho["cpu", ]), "wall", median(ho["wall", ]), "\n")
    print(head(run(cs[[2]], NULL)))
  }
}
