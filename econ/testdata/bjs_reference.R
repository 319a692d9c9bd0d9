# Reference numbers for econ's Borusyak–Jaravel–Spiess imputation estimator
# (TestBJSReference in econ/impute_test.go reads bjs_reference.json).
#
# Uses only installed packages: didimputation (kylebutts/didimputation
# @906648e, version 0.5.0), fixest 0.12.2, data.table, jsonlite, on R 4.2.2.
# Run from econ/testdata:
#   Rscript bjs_reference.R
# Data: fixest_base_stagg.csv (fixest's base_stagg, lrberge/fixest @dbe56c5 :
# data/base_stagg.RData; year_treated = 1000 marks never treated and is
# recoded to 0, didimputation's never-treated code) and cs/mpdta.csv (did's
# mpdta, bcallaway11/did @71ba8a5 : data/mpdta.rda; first.treat 0 = never).
.libPaths(c("/tmp/peers/lib", .libPaths()))
suppressPackageStartupMessages({
  library(didimputation); library(fixest); library(data.table); library(jsonlite)
})
# precise = TRUE (the "precise" cases) tightens fixest's iteration tolerances
# (feols fixef.tol 1e-6 -> 1e-11, fixef() fixef.tol 1e-5 -> 1e-12, which
# predict() uses to impute Y(0)) so that the reference is the exact
# projection; didimputation's code is unchanged. The "default" cases are
# didimputation exactly as shipped, accurate to about 1e-7.
precise <- function() {
  setFixest_estimation(fixef.tol = 1e-11)
  fx <- fixest:::fixef.fixest
  formals(fx)$fixef.tol <- 1e-12
  assignInNamespace("fixef.fixest", fx, "fixest")
  registerS3method("fixef", "fixest", fx, envir = asNamespace("fixest"))
}
stagg <- fread("fixest_base_stagg.csv")
stagg[year_treated == 1000, year_treated := 0]
stagg[, cl := id %% 17] # a coarser cluster (17 groups of units), for cluster_var
mpdta <- fread("cs/mpdta.csv")
setnames(mpdta, "first.treat", "first_treat")

rows <- function(out) {
  lapply(seq_len(nrow(out)), function(i) list(term = as.character(out$term[i]),
    estimate = out$estimate[i], se = out$std.error[i]))
}
cases <- list()
add <- function(name, data, y, g, t, id, fs = NULL, horizon = NULL, cluster = NULL) {
  out <- did_imputation(data, yname = y, gname = g, tname = t, idname = id,
                        first_stage = fs, horizon = horizon, cluster_var = cluster)
  cases[[length(cases) + 1]] <<- list(name = name, outcome = y, cohort = g, time = t,
    unit = id, controls = if (is.null(fs)) list() else I(all.vars(fs[[2]])[1]),
    horizons = !is.null(horizon), cluster = if (is.null(cluster)) "" else cluster, terms = rows(out))
}
add("stagg_static", stagg, "y", "year_treated", "year", "id")
add("stagg_horizons", stagg, "y", "year_treated", "year", "id", horizon = TRUE)
add("stagg_x1_static", stagg, "y", "year_treated", "year", "id", fs = ~ x1 | id + year)
add("stagg_x1_horizons", stagg, "y", "year_treated", "year", "id", fs = ~ x1 | id + year, horizon = TRUE)
add("mpdta_static", mpdta, "lemp", "first_treat", "year", "countyreal")
add("mpdta_horizons", mpdta, "lemp", "first_treat", "year", "countyreal", horizon = TRUE)
add("stagg_cluster_horizons", stagg, "y", "year_treated", "year", "id", horizon = TRUE, cluster = "cl")

# Pre-trend test (BJS 2024, Test 1): on untreated observations, y on FE (and
# controls) plus lead dummies for event times -K..-1, clustered by unit;
# didimputation's pretrends = -K:-1 runs exactly this feols. The joint Wald
# statistic is fixest::wald of the leads.
pre <- list()
addpre <- function(name, data, y, g, t, id, K, ctrl = NULL) {
  out <- did_imputation(data, yname = y, gname = g, tname = t, idname = id,
                        first_stage = if (is.null(ctrl)) NULL else as.formula(paste("~", ctrl, "|", id, "+", t)),
                        pretrends = -K:-1)
  out <- out[as.numeric(out$term) < 0, ]
  d <- copy(data)
  d[, et := ifelse(get(g) == 0, -Inf, get(t) - get(g))]
  d <- d[!(get(g) > 0 & get(t) >= get(g))]
  rhs <- paste0("i(et, keep = c(", paste(-K:-1, collapse = ","), "))")
  if (!is.null(ctrl)) rhs <- paste(rhs, "+", ctrl)
  est <- feols(as.formula(paste(y, "~", rhs, "|", id, "+", t)), d, cluster = id)
  w <- wald(est, keep = "^et::", print = FALSE)
  pre[[length(pre) + 1]] <<- list(name = name, outcome = y, cohort = g, time = t, unit = id,
    controls = if (is.null(ctrl)) list() else I(ctrl), leads = K, terms = rows(out),
    wald_stat = unname(w$stat), wald_p = unname(w$p), wald_df1 = unname(w$df1),
    wald_df2 = unname(w$df2), nobs = nobs(est))
}
addpre("stagg_pre3", stagg, "y", "year_treated", "year", "id", 3)
addpre("stagg_x1_pre5", stagg, "y", "year_treated", "year", "id", 5, "x1")
addpre("mpdta_pre3", mpdta, "lemp", "first_treat", "year", "countyreal", 3)

default_cases <- cases; default_pre <- pre
cases <- list(); pre <- list()
precise()
add("stagg_static", stagg, "y", "year_treated", "year", "id")
add("stagg_horizons", stagg, "y", "year_treated", "year", "id", horizon = TRUE)
add("stagg_x1_static", stagg, "y", "year_treated", "year", "id", fs = ~ x1 | id + year)
add("stagg_x1_horizons", stagg, "y", "year_treated", "year", "id", fs = ~ x1 | id + year, horizon = TRUE)
add("mpdta_static", mpdta, "lemp", "first_treat", "year", "countyreal")
add("mpdta_horizons", mpdta, "lemp", "first_treat", "year", "countyreal", horizon = TRUE)
add("stagg_cluster_horizons", stagg, "y", "year_treated", "year", "id", horizon = TRUE, cluster = "cl")

addpre("stagg_pre3", stagg, "y", "year_treated", "year", "id", 3)
addpre("stagg_x1_pre5", stagg, "y", "year_treated", "year", "id", 5, "x1")
addpre("mpdta_pre3", mpdta, "lemp", "first_treat", "year", "countyreal", 3)


writeLines(toJSON(list(
  generated_by = "econ/testdata/bjs_reference.R",
  versions = list(R = as.character(getRversion()),
    didimputation = as.character(packageVersion("didimputation")),
    fixest = as.character(packageVersion("fixest"))),
  default = list(estimates = default_cases, pretrends = default_pre),
  precise = list(estimates = cases, pretrends = pre)), auto_unbox = TRUE, digits = NA, pretty = TRUE),
  "bjs_reference.json")
