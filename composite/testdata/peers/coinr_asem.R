# Reference outputs from COINr for composite/peers_test.go.
#
# This script only *uses* COINr (it neither ships nor installs it). Run it
# from the repository root with COINr installed in a library on .libPaths(),
# for example:
#
#   R_LIBS=/path/to/Rlib COINR_COMMIT="$(git -C /path/to/COINr rev-parse HEAD)" \
#     Rscript composite/testdata/peers/coinr_asem.R
#
# It builds COINr's own example index (the ASEM data set shipped with COINr:
# 51 countries, 49 indicators, 8 pillars, 2 sub-indices, 1 index) from the raw
# data with min-max normalisation onto [0, 100] (n_minmax), COINr's
# weighted arithmetic mean (a_amean, which re-weights over the indicators
# present) with the weights of ASEM_iMeta, and COINr's ranks (get_results),
# and writes into composite/testdata/peers/:
#   asem_raw.csv      the raw indicator values (NA empty), as COINr ships them
#   asem_meta.csv     the tree: iCode, Level, Direction, Weight, Parent, Target,
#                     WeightAlt (1, 2, 3, ... for the weighted build)
#   coinr_asem_index.csv   every node's score per unit
#   coinr_asem_index_weighted.csv  the same with unequal weights (WeightAlt)
#   coinr_asem_ranks.csv   COINr's ranks of every aggregate (get_results)
#   coinr_asem_zscore.csv  the z-score normalisation (n_zscore) of every indicator
#   coinr_asem_dist2targ.csv  n_dist2targ(x, Target, Direction) of every indicator
#   coinr_asem_goalposts.csv  n_goalposts(x, c(lo, hi, 100), Direction), with
#                             lo, hi the 10% and 90% quantiles (type 7) in
#                             coinr_asem_goalposts_params.csv
#   coinr_asem_rank.csv, coinr_asem_prank.csv  n_rank and n_prank of
#                             Direction·x (as Normalise applies them), ties "min"
# Numbers carry 17 significant digits; each output file opens with "#" lines
# naming COINr's version and commit, R's version and the date.

suppressPackageStartupMessages(library(COINr))

out_dir <- "composite/testdata/peers"
commit <- Sys.getenv("COINR_COMMIT", "unknown")
header <- c(
  sprintf("# peer: COINr %s (commit %s)", as.character(packageVersion("COINr")), commit),
  sprintf("# %s", R.version.string),
  sprintf("# date: %s", format(Sys.time(), "%Y-%m-%dT%H:%M:%SZ", tz = "UTC")),
  "# script: composite/testdata/peers/coinr_asem.R"
)

fmt <- function(x) ifelse(is.na(x), "", trimws(formatC(x, digits = 17, format = "g")))

write_table <- function(df, file, comment) {
  con <- file(file.path(out_dir, file), "w")
  on.exit(close(con))
  writeLines(c(header, paste0("# ", comment)), con)
  writeLines(paste(names(df), collapse = ","), con)
  cols <- lapply(df, function(v) if (is.numeric(v)) fmt(v) else as.character(v))
  writeLines(do.call(paste, c(cols, sep = ",")), con)
}

meta <- ASEM_iMeta[ASEM_iMeta$Type %in% c("Indicator", "Aggregate"),
                   c("iCode", "Level", "Direction", "Weight", "Parent", "Target")]
meta$Parent[is.na(meta$Parent)] <- ""
# Unequal weights for a second build: 1, 2, 3, 1, 2, 3, ... down iMeta's
# rows (the index's own weight is irrelevant).
meta$WeightAlt <- c(1, 2, 3)[(seq_len(nrow(meta)) - 1) %% 3 + 1]
ind <- meta$iCode[meta$Level == 1]

raw <- ASEM_iData[, c("uCode", ind)]
write_table(raw, "asem_raw.csv", "COINr's ASEM_iData, indicator columns")
write_table(meta, "asem_meta.csv", "COINr's ASEM_iMeta, indicators and aggregates")

coin <- new_coin(ASEM_iData, ASEM_iMeta, quietly = TRUE,
                 level_names = c("Indicator", "Pillar", "Sub-index", "Index"))
coin <- Normalise(coin, dset = "Raw",
                  global_specs = list(f_n = "n_minmax", f_n_para = list(l_u = c(0, 100))))
coin <- Aggregate(coin, dset = "Normalised", f_ag = "a_amean")

agg <- get_dset(coin, "Aggregated")
write_table(agg[, c("uCode", meta$iCode)], "coinr_asem_index.csv",
            "Normalise(n_minmax, l_u = c(0, 100)); Aggregate(a_amean); every node's score")
metaw <- ASEM_iMeta
metaw$Weight[match(meta$iCode, metaw$iCode)] <- meta$WeightAlt
coinw <- new_coin(ASEM_iData, metaw, quietly = TRUE,
                  level_names = c("Indicator", "Pillar", "Sub-index", "Index"))
coinw <- Normalise(coinw, dset = "Raw",
                   global_specs = list(f_n = "n_minmax", f_n_para = list(l_u = c(0, 100))))
coinw <- Aggregate(coinw, dset = "Normalised", f_ag = "a_amean")
write_table(get_dset(coinw, "Aggregated")[, c("uCode", meta$iCode)], "coinr_asem_index_weighted.csv",
            "as coinr_asem_index.csv with iMeta's weights replaced by asem_meta.csv's WeightAlt")
rk <- get_results(coin, dset = "Aggregated", tab_type = "Aggs", also_get = "uCode", use = "ranks")
write_table(rk, "coinr_asem_ranks.csv",
            "get_results(tab_type = \"Aggs\", use = \"ranks\"): rank of every aggregate, 1 = best, ties.method = \"min\"")

coinz <- Normalise(coin, dset = "Raw", global_specs = list(f_n = "n_zscore"))
z <- get_dset(coinz, "Normalised")[, c("uCode", ind)]
write_table(z, "coinr_asem_zscore.csv", "Normalise(n_zscore, m_sd = c(0, 1)), direction applied")

# Function-level normalisations on the raw columns, with iMeta's directions
# and targets.
im <- meta[meta$Level == 1, ]
fn_table <- function(f) {
  out <- data.frame(uCode = raw$uCode)
  for (j in seq_len(nrow(im))) out[[im$iCode[j]]] <- f(raw[[im$iCode[j]]], j)
  out
}
write_table(fn_table(function(x, j) n_dist2targ(x, im$Target[j], im$Direction[j], cap_max = FALSE)),
            "coinr_asem_dist2targ.csv", "n_dist2targ(x, targ = Target, direction = Direction, cap_max = FALSE)")
gp <- data.frame(iCode = im$iCode,
                 lo = sapply(im$iCode, function(c) quantile(raw[[c]], 0.1, na.rm = TRUE, names = FALSE)),
                 hi = sapply(im$iCode, function(c) quantile(raw[[c]], 0.9, na.rm = TRUE, names = FALSE)),
                 scale = 100)
write_table(gp, "coinr_asem_goalposts_params.csv", "goalposts: 10% and 90% quantiles (type 7) of each raw column, scale 100")
write_table(fn_table(function(x, j) n_goalposts(x, c(gp$lo[j], gp$hi[j], 100), direction = im$Direction[j])),
            "coinr_asem_goalposts.csv", "n_goalposts(x, gposts = c(lo, hi, 100), direction = Direction), truncated")
write_table(fn_table(function(x, j) n_rank(im$Direction[j] * x)),
            "coinr_asem_rank.csv", "n_rank(Direction * x), ties.method = \"min\"")
write_table(fn_table(function(x, j) n_prank(im$Direction[j] * x)),
            "coinr_asem_prank.csv", "n_prank(Direction * x), ties.method = \"min\"")
