# COINr's side of docs/PERFORMANCE.md "Side by side with pymcdm / COINr".
#
# Times COINr's index build (new_coin, Normalise with n_minmax, Aggregate with
# a_amean, get_results ranks) on its ASEM example and on the matrices that
# composite's BenchmarkPeerIndex writes when COMPOSITE_PEER_BENCH_DIR is set
# (peer_ROWS_K.bin, row-major little-endian float64; each row a unit, 5
# dimensions of K/5 indicators, every third indicator a cost, weights 1), and
# reports the median of RUNS runs and the largest relative difference of the
# index from composite's (peer_ROWS_K.index.bin, on [0, 1]). It only uses
# COINr:
#
#   R_LIBS=/path/to/Rlib Rscript composite/testdata/peers/coinr_bench.R DIR RUNS [SIZES]
#
# SIZES is a comma-separated list of ROWS_K (default: every file found).

suppressPackageStartupMessages(library(COINr))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
runs <- as.integer(args[2])

build <- function(iData, iMeta) {
  coin <- new_coin(iData, iMeta, quietly = TRUE)
  coin <- Normalise(coin, dset = "Raw", quietly = TRUE,
                    global_specs = list(f_n = "n_minmax", f_n_para = list(l_u = c(0, 100))))
  coin <- Aggregate(coin, dset = "Normalised", f_ag = "a_amean", quietly = TRUE)
  rk <- get_results(coin, dset = "Aggregated", tab_type = "Aggs", also_get = "uCode", use = "ranks")
  list(coin = coin, ranks = rk)
}

timeit <- function(label, iData, iMeta) {
  t <- numeric(runs)
  for (r in seq_len(runs)) {
    t0 <- proc.time()[["elapsed"]]
    res <- suppressMessages(build(iData, iMeta))
    t[r] <- proc.time()[["elapsed"]] - t0
  }
  cat(sprintf("%s: median %.1f ms over %d runs (min %.1f, max %.1f)\n",
              label, 1000 * median(t), runs, 1000 * min(t), 1000 * max(t)))
  res
}

cat(sprintf("COINr %s, %s\n", as.character(packageVersion("COINr")), R.version.string))
invisible(timeit("ASEM 51 x 49", ASEM_iData, ASEM_iMeta))

files <- list.files(dir, pattern = "^peer_[0-9]+_[0-9]+\\.bin$")
sizes <- sub("^peer_", "", sub("\\.bin$", "", files))
if (length(args) >= 3) sizes <- strsplit(args[3], ",")[[1]]
for (s in sizes) {
  rk <- as.integer(strsplit(s, "_")[[1]])
  n <- rk[1]; k <- rk[2]
  x <- matrix(readBin(file.path(dir, paste0("peer_", s, ".bin")), "double", n * k, size = 8, endian = "little"),
              nrow = n, ncol = k, byrow = TRUE)
  iData <- data.frame(uCode = sprintf("u%d", seq_len(n)), x)
  names(iData)[-1] <- sprintf("i%d", seq_len(k))
  g <- 5
  iMeta <- rbind(
    data.frame(Level = 1, iCode = sprintf("i%d", seq_len(k)),
               Direction = ifelse((seq_len(k) - 1) %% 3 == 2, -1, 1), Weight = 1,
               Parent = sprintf("D%d", (seq_len(k) - 1) %/% (k / g) + 1), Type = "Indicator"),
    data.frame(Level = 2, iCode = sprintf("D%d", seq_len(g)), Direction = 1, Weight = 1,
               Parent = "Index", Type = "Aggregate"),
    data.frame(Level = 3, iCode = "Index", Direction = 1, Weight = 1, Parent = NA, Type = "Aggregate"))
  res <- timeit(sprintf("%d x %d", n, k), iData, iMeta)
  agg <- get_dset(res$coin, "Aggregated")
  got <- agg$Index[match(iData$uCode, agg$uCode)]
  want <- 100 * readBin(file.path(dir, paste0("peer_", s, ".index.bin")), "double", n, size = 8, endian = "little")
  cat(sprintf("  max relative difference of the index from composite: %.3g\n", max(abs(got - want) / abs(want))))
}
