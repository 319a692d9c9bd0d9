# Reference numbers for econ's imputation estimator with observation
# weights, controls and extra fixed effects (TestBJSWeightsReference in
# econ/impute_weights_test.go reads bjs_weights_reference.json).
#
# Uses only installed packages: didimputation 0.5.0 (kylebutts/didimputation
# @906648e), fixest 0.12.2, Matrix, data.table, jsonlite, on R 4.2.2.
# Run from econ/testdata:
#   Rscript bjs_weights_reference.R
# Data as bjs_reference.R (fixest's base_stagg, did's mpdta) plus
# deterministic columns built here and in the Go test alike:
#   stagg: region = id %% 6, w = 0.5 + (id %% 7)/4 + (year %% 3)/10
#   mpdta: w = 1 + (countyreal %% 5)/4
# fixest's iteration tolerances are tightened as in bjs_reference.R
# ("precise"), so that the numbers are the exact projections.
#
# Two standard errors are recorded for weighted cases:
#  - se: didimputation's, whose v* = -diag(w) Z (Z0' W0^2 Z0)^-1 Z1' W1 wtr1
#    (it multiplies the rows of Z by the weights, then forms Z0'Z0 and
#    Z1'wtr with wtr already weighted);
#  - se_bjs: the same conservative formula with the weights of the
#    weighted estimator itself, v0 = -W0 Z0 (Z0' W0 Z0)^-1 Z1' wtr1
#    (BJS 2024 eq. 6 with WLS; Stata did_imputation's imputation_weights),
#    computed below from fixest's sparse model matrix. Without weights the
#    two coincide.
.libPaths(c("/tmp/peers/lib", .libPaths()))
suppressPackageStartupMessages({
  library(didimputation); library(fixest); library(data.table); library(jsonlite); library(Matrix)
})
setFixest_estimation(fixef.tol = 1e-11)
fx <- fixest:::fixef.fixest
formals(fx)$fixef.tol <- 1e-12
assignInNamespace("fixef.fixest", fx, "fixest")
registerS3method("fixef", "fixest", fx, envir = asNamespace("fixest"))

stagg <- fread("fixest_base_stagg.csv")
stagg[year_treated >= 1000, year_treated := 0]
stagg[, region := id %% 6]
stagg[, w := 0.5 + (id %% 7) / 4 + (year %% 3) / 10]
mpdta <- fread("cs/mpdta.csv")
setnames(mpdta, "first.treat", "first_treat")
mpdta[, w := 1 + (countyreal %% 5) / 4]

# bjs_se: the conservative SE of BJS Theorem 3 (the cohort x period tau-bar
# of didimputation's se_inner) with v0 = -W0 Z0 (Z0'W0 Z0)^-1 Z1' wtr1.
bjs_se <- function(data, y, g, t, id, fs, wname, horizon) {
  d <- copy(as.data.table(data))
  d$om <- if (is.null(wname)) 1 else d[[wname]]
  d$D <- as.numeric(d[[g]] > 0 & d[[t]] >= d[[g]])
  d$et <- ifelse(d[[g]] == 0, -Inf, d[[t]] - d[[g]])
  fml <- as.formula(paste(y, "~", if (is.null(fs)) paste("0 |", id, "+", t) else as.character(fs)[[2]]))
  est <- feols(fml, d[D == 0], weights = ~om, warn = FALSE, notes = FALSE)
  d$adj <- d[[y]] - predict(est, newdata = d)
  d <- d[!is.na(adj)]
  if (isTRUE(horizon)) {
    hs <- sort(unique(d[D == 1, et])); terms <- as.character(hs)
    W <- sapply(hs, function(h) d$om * (d$et == h))
  } else {
    terms <- "treat"; W <- matrix(d$om * d$D, ncol = 1)
  }
  W <- sweep(W, 2, colSums(W), "/")
  Z <- sparse_model_matrix(est, data = d, type = c("rhs", "fixef"))
  Z0 <- Z[d$D == 0, , drop = FALSE]; Z1 <- Z[d$D == 1, , drop = FALSE]
  A <- solve(crossprod(Z0, Z0 * d$om[d$D == 0]), crossprod(Z1, W[d$D == 1, , drop = FALSE]))
  V <- as.matrix(-(Z %*% A) * d$om)
  V[d$D == 1, ] <- W[d$D == 1, ]
  se <- sapply(seq_along(terms), function(k) {
    v <- V[, k]
    cellnum <- ave(v^2 * d$adj * d$D, d[[g]], d$et, FUN = sum)
    cellden <- ave(v^2 * d$D, d[[g]], d$et, FUN = sum)
    tb <- ifelse(d$D == 1 & cellden > 0, cellnum / cellden, 0)
    e <- d$adj - tb
    sqrt(sum(tapply(v * e, d[[id]], sum)^2))
  })
  est_w <- colSums(W[d$D == 1, , drop = FALSE] * d$adj[d$D == 1])
  data.table(term = terms, estimate = est_w, se_bjs = se)
}

cases <- list()
add <- function(name, data, y, g, t, id, fs = NULL, wname = NULL, horizon = NULL, fe = NULL, controls = NULL, note = "") {
  out <- did_imputation(data, yname = y, gname = g, tname = t, idname = id,
                        first_stage = fs, wname = wname, horizon = horizon)
  mine <- bjs_se(data, y, g, t, id, fs, wname, horizon)
  stopifnot(all(abs(mine$estimate - out$estimate[match(mine$term, out$term)]) < 1e-9))
  terms <- lapply(seq_len(nrow(out)), function(i) list(term = as.character(out$term[i]),
    estimate = out$estimate[i], se = out$std.error[i],
    se_bjs = mine$se_bjs[match(as.character(out$term[i]), mine$term)]))
  cases[[length(cases) + 1]] <<- list(name = name, outcome = y, cohort = g, time = t, unit = id,
    controls = if (is.null(controls)) list() else I(controls), fe = if (is.null(fe)) list() else I(fe),
    weights = if (is.null(wname)) "" else wname, horizons = !is.null(horizon), note = note, terms = terms)
}
add("stagg_w_static", stagg, "y", "year_treated", "year", "id", wname = "w")
add("stagg_w_horizons", stagg, "y", "year_treated", "year", "id", wname = "w", horizon = TRUE)
add("stagg_w_x1_horizons", stagg, "y", "year_treated", "year", "id", fs = ~ x1 | id + year, wname = "w",
    horizon = TRUE, controls = "x1")
add("mpdta_w_horizons", mpdta, "lemp", "first_treat", "year", "countyreal", wname = "w", horizon = TRUE)
add("stagg_regyear_horizons", stagg, "y", "year_treated", "year", "id", fs = ~ 0 | id + region^year,
    horizon = TRUE, fe = c("id", "region^year"))
add("stagg_3fe_horizons", stagg, "y", "year_treated", "year", "id", fs = ~ 0 | id + year + region^year,
    horizon = TRUE, fe = c("id", "year", "region^year"))
add("stagg_w_x1_regyear_horizons", stagg, "y", "year_treated", "year", "id", fs = ~ x1 | id + region^year,
    wname = "w", horizon = TRUE, controls = "x1", fe = c("id", "region^year"))

# Treated cells that cannot be imputed: didimputation drops them (predict
# gives NA) and renormalises the weights of the rest.
#  - x1 missing on three treated rows (id 7, 8, 9 at their first treated year)
miss <- copy(stagg)
miss[id %in% c(7, 8, 9) & year == year_treated, x1 := NA]
add("stagg_x1missing_horizons", miss, "y", "year_treated", "year", "id", fs = ~ x1 | id + year,
    horizon = TRUE, controls = "x1", note = "x1 NA where id in 7,8,9 and year == year_treated")
#  - an extra FE level seen only among treated rows: site = region, except
#    site = 99 for unit 7's treated years (9, 10)
site <- copy(stagg)
site[, site := region]
site[id == 7 & year >= year_treated & year_treated > 0, site := 99]
add("stagg_site_horizons", site, "y", "year_treated", "year", "id", fs = ~ 0 | id + site^year,
    horizon = TRUE, fe = c("id", "site^year"), note = "site = region, 99 where id == 7 and treated")

# Pre-trend test with weights and an extra FE: didimputation's pretrends =
# -K:-1 runs feols(y ~ i(event_time, keep = -K:-1) + first stage, untreated,
# weights, cluster = unit); the joint Wald statistic is fixest::wald (F with
# df2 = n - K - (FE and controls), fixest's t dof; econ uses G - 1, see
# TestBJSPreTrendReference).
pre <- list()
addpre <- function(name, data, y, g, t, id, K, fs = NULL, wname = NULL, fe = NULL, controls = NULL) {
  out <- did_imputation(data, yname = y, gname = g, tname = t, idname = id,
                        first_stage = fs, wname = wname, pretrends = -K:-1)
  out <- out[as.numeric(out$term) < 0, ]
  d <- copy(data)
  d$et <- ifelse(d[[g]] == 0, -Inf, d[[t]] - d[[g]])
  d <- d[!(d[[g]] > 0 & d[[t]] >= d[[g]])]
  d$om <- if (is.null(wname)) 1 else d[[wname]]
  rhs <- paste0("i(et, keep = c(", paste(-K:-1, collapse = ","), "))")
  fsr <- if (is.null(fs)) paste("0 |", id, "+", t) else as.character(fs)[[2]]
  est <- feols(as.formula(paste(y, "~", rhs, "+", fsr)), d, cluster = id, weights = ~om)
  wt <- wald(est, keep = "^et::", print = FALSE)
  pre[[length(pre) + 1]] <<- list(name = name, outcome = y, cohort = g, time = t, unit = id,
    controls = if (is.null(controls)) list() else I(controls), fe = if (is.null(fe)) list() else I(fe),
    weights = if (is.null(wname)) "" else wname, leads = K,
    terms = lapply(seq_len(nrow(out)), function(i) list(term = as.character(out$term[i]),
      estimate = out$estimate[i], se = out$std.error[i])),
    wald_stat = unname(wt$stat), wald_p = unname(wt$p), wald_df1 = unname(wt$df1),
    wald_df2 = unname(wt$df2), nobs = nobs(est))
}
addpre("stagg_w_pre3", stagg, "y", "year_treated", "year", "id", 3, wname = "w")
addpre("stagg_w_x1_regyear_pre4", stagg, "y", "year_treated", "year", "id", 4, fs = ~ x1 | id + region^year,
       wname = "w", controls = "x1", fe = c("id", "region^year"))
addpre("mpdta_w_pre3", mpdta, "lemp", "first_treat", "year", "countyreal", 3, wname = "w")

writeLines(toJSON(list(
  generated_by = "econ/testdata/bjs_weights_reference.R",
  versions = list(R = as.character(getRversion()),
    didimputation = as.character(packageVersion("didimputation")),
    fixest = as.character(packageVersion("fixest")), Matrix = as.character(packageVersion("Matrix"))),
  estimates = cases, pretrends = pre), auto_unbox = TRUE, digits = NA, pretty = TRUE),
  "bjs_weights_reference.json")
