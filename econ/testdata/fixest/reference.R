# Reference outputs of R fixest for econ's peer tests (fixest_peer_test.go).
# Uses an installed fixest; run from this directory:
#
#   Rscript reference.R [out.csv]   # default out: reference.csv
#
# Every model reads the CSV files in econ/testdata (the same bytes the Go
# tests read). The demeaning and IRLS tolerances are tightened far below
# fixest's defaults (fixef.tol = 1e-6, glm.tol = 1e-8) so that the
# reference is the converged estimate to ~1e-13 rather than to fixest's
# stopping rule; `check, term` rows give the estimate and standard error
# with 17 significant digits; terms starting with "@" are fit statistics
# (estimate column; se is NA). Record-only checks (no econ counterpart yet)
# are listed in the Go test.
suppressPackageStartupMessages(library(fixest))
setFixest_nthreads(1)
FT <- as.numeric(Sys.getenv("FIXEF_TOL", "3e-12"))   # fixef.tol (fixest refuses values below 1e4 * .Machine$double.eps)
GT <- 3e-13    # glm.tol (fepois; fixest refuses values below 1e3 * .Machine$double.eps)
rd <- function(f, ...) read.csv(file.path("..", f), ...)

base_did <- rd("fixest_base_did.csv")
base_stagg <- rd("fixest_base_stagg.csv")
trade <- rd("fixest_trade.csv")
grunfeld <- rd("grunfeld_plm.csv")
produc <- rd("produc_plm.csv")
iris <- rd("iris.csv")
gen <- rd("fixest_gen.csv")

out <- character()
g17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
emit <- function(check, term, est, se = NA) {
  out <<- c(out, sprintf("%s,\"%s\",%s,%s", check, term, g17(est), g17(se)))
}
rec <- function(check, m, stats = TRUE) {
  ct <- coeftable(m)
  for (j in seq_len(nrow(ct))) emit(check, rownames(ct)[j], ct[j, 1], ct[j, 2])
  if (!stats) return(invisible())
  emit(check, "@nobs", nobs(m))
  emit(check, "@dft", degrees_freedom(m, "t"))
  if (m$method == "feols") {
    emit(check, "@r2", r2(m, "r2"))
    emit(check, "@ar2", r2(m, "ar2"))
    if (!is.null(m$fixef_vars)) emit(check, "@wr2", r2(m, "wr2"))
    emit(check, "@rss", m$ssr)
  } else {
    emit(check, "@deviance", deviance(m))
    emit(check, "@loglik", logLik(m))
  }
}
ols <- function(...) feols(..., fixef.tol = FT, fixef.iter = 100000)
pois <- function(...) fepois(..., fixef.tol = FT, fixef.iter = 100000, glm.tol = GT, glm.iter = 1000)

## base_did: 1 and 2 FE, variance estimators and small-sample corrections
rec("bd_fe1", ols(y ~ x1 | id, base_did))
rec("bd_fe1_iid", ols(y ~ x1 | id, base_did, vcov = "iid"))
rec("bd_fe1_hetero", ols(y ~ x1 | id, base_did, vcov = "hetero"))
rec("bd_fe2", ols(y ~ x1 | id + period, base_did))
rec("bd_fe2_twoway", ols(y ~ x1 | id + period, base_did, vcov = "twoway"))
rec("bd_fe2_twoway_conv", ols(y ~ x1 | id + period, base_did, vcov = "twoway",
                              ssc = ssc(cluster.df = "conventional")))
rec("bd_fe2_noadj", ols(y ~ x1 | id + period, base_did,
                        ssc = ssc(adj = FALSE, cluster.adj = FALSE)))
rec("bd_fe2_full", ols(y ~ x1 | id + period, base_did, ssc = ssc(fixef.K = "full")))
rec("bd_fe2_iid_none_conv", ols(y ~ x1 | id + period, base_did, vcov = "iid",
                                ssc = ssc(fixef.K = "none", t.df = "conventional")))
rec("bd_es", ols(y ~ x1 + i(period, treat, 5) | id + period, base_did))
pd <- panel(base_did, ~id + period)
rec("bd_nw", ols(y ~ x1 | id + period, pd, vcov = "NW"))
rec("bd_nw3", ols(y ~ x1 | id + period, pd, vcov = NW(3)))
rec("bd_dk", ols(y ~ x1 | id + period, pd, vcov = "DK"))
rec("bd_dk_noadj", ols(y ~ x1 | id + period, pd, vcov = "DK", ssc = ssc(adj = FALSE)))
rec("bd_ols_nw", ols(y ~ x1, pd, vcov = "NW"))

## base_stagg: event study with never-treated at -1000; Sun & Abraham
rec("st_es", ols(y ~ x1 + i(time_to_treatment, treated, ref = c(-1, -1000)) | id + year, base_stagg))
rec("st_es_bin", ols(y ~ x1 + i(time_to_treatment, treated, ref = c(-1, -1000),
                                 bin = list("-5" = -9:-5, "5" = 5:8)) | id + year, base_stagg))
sa <- ols(y ~ x1 + sunab(year_treated, year) | id + year, base_stagg)
rec("st_sunab", sa)
rec("st_sunab_att", summary(sa, agg = "ATT"), stats = FALSE)
rec("st_sunab_cohort", summary(sa, agg = "cohort"), stats = FALSE)

## trade: 3 and 4 FE OLS, 4 FE Poisson
rec("tr_ols4", ols(log(Euros) ~ log(dist_km) | Origin + Destination + Product + Year, trade))
rec("tr_ols4_twoway", ols(log(Euros) ~ log(dist_km) | Origin + Destination + Product + Year, trade, vcov = "twoway"))
rec("tr_ols3_hetero", ols(log(Euros) ~ log(dist_km) | Origin + Destination + Product, trade, vcov = "hetero"))
rec("tr_pois4", pois(Euros ~ log(dist_km) | Origin + Destination + Product + Year, trade))
rec("tr_pois4_twoway", pois(Euros ~ log(dist_km) | Origin + Destination + Product + Year, trade, vcov = "twoway"))

## Grunfeld
rec("gr_ols_hetero", ols(inv ~ value + capital, grunfeld, vcov = "hetero"))
rec("gr_fe1_iid", ols(inv ~ value + capital | firm, grunfeld, vcov = "iid"))
rec("gr_fe2", ols(inv ~ value + capital | firm + year, grunfeld))
pg <- panel(grunfeld, ~firm + year)
rec("gr_nw", ols(inv ~ value + capital | firm, pg, vcov = "NW"))
rec("gr_dk", ols(inv ~ value + capital | firm, pg, vcov = "DK"))

## Produc: logs, lags, weights, interacted fixed effects
rec("pr_fe2", ols(log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp | state + year, produc))
rec("pr_lag", ols(log(gsp) ~ log(pc) + l(unemp, 1) | state + year, produc, panel.id = ~state + year))
rec("pr_weights", ols(log(gsp) ~ log(pcap) + log(pc) + unemp | state + year, produc, weights = ~emp))
rec("pr_weights_iid", ols(log(gsp) ~ log(pcap) + log(pc) + unemp | state + year, produc, weights = ~emp, vcov = "iid"))
rec("pr_weights_hetero", ols(log(gsp) ~ log(pcap) + log(pc) + unemp | state + year, produc, weights = ~emp, vcov = "hetero"))
rec("pr_region_year", ols(log(gsp) ~ log(pcap) + log(pc) + unemp | state + region^year, produc))

## iris: varying slopes
rec("ir_slope", ols(Sepal.Length ~ Petal.Length | Species[Sepal.Width], iris))
rec("ir_slopes2", ols(Sepal.Length ~ Petal.Width | Species[Sepal.Width, Petal.Length], iris, vcov = "iid"))

## generated panel: 3 FE, weights, singletons, 4-FE Poisson, i()
rec("gn_fe3", ols(y ~ x1 + x2 + x3 | unit + year + dest, gen))
rec("gn_fe3_w", ols(y ~ x1 + x2 + x3 | unit + year + dest, gen, weights = ~w, cluster = ~state))
rec("gn_single_iid", ols(y ~ x1 + x2 + x3 | unit + year, gen, fixef.rm = "singleton", vcov = "iid"))
rec("gn_single_hetero", ols(y ~ x1 + x2 + x3 | unit + year, gen, fixef.rm = "singleton", vcov = "hetero"))
rec("gn_cl2", ols(y ~ x1 + x2 | unit + year, gen, cluster = ~state + year))
rec("gn_i", ols(y ~ x1 + i(region, x3, ref = "N") | unit + year, gen))
rec("gn_pois4", pois(cnt ~ x1 + x3 | unit + year + dest + region, gen))
rec("gn_pois4_w", pois(cnt ~ x1 + x3 | unit + year + dest + region, gen, weights = ~w, cluster = ~state))
# collinear regressors removed (treat is constant within id, post within
# period), plain i(), interactions, Poisson iid/hetero, Newey-West and
# Driscoll-Kraay and lags on a panel with gaps
rec("bd_collin", ols(y ~ x1 + treat + post | id + period, base_did))
rec("bd_i_plain", ols(y ~ x1 + i(period, ref = 1) | id, base_did))
rec("gn_inter", ols(y ~ x1 * x3 + x2:x3 | unit, gen))
rec("gn_pois_iid", pois(cnt ~ x1 + x3 | unit + year, gen, vcov = "iid"))
rec("gn_pois_hetero", pois(cnt ~ x1 + x3 | unit + year, gen, vcov = "hetero"))
rec("gn_nw", ols(y ~ x1 + x2 | unit + year, gen, panel.id = ~unit + year, vcov = "NW"))
rec("gn_dk", ols(y ~ x1 + x2 | unit + year, gen, panel.id = ~unit + year, vcov = "DK"))
rec("gn_lag", ols(y ~ x1 + l(x1, 1) + f(x3, 1) | unit + year, gen, panel.id = ~unit + year))
# multiple estimation: two outcomes, one call (fixest's c(y1, y2) ~ rhs),
# and stepwise right-hand sides (sw0)
ms <- ols(c(y, cnt) ~ x1 + x2 | unit + year, gen)
rec("gn_multi_y", ms[[1]])
rec("gn_multi_cnt", ms[[2]])
mw <- ols(y ~ x1 + sw0(x2, x3) | unit + year + dest, gen)
rec("gn_multi_sw0", mw[[1]])
rec("gn_multi_sw0_x2", mw[[2]])
rec("gn_multi_sw0_x3", mw[[3]])
# fepois computes its variance with the IRLS weights of its last iteration,
# one step before the solution it reports, so its SEs carry the last step's
# change (here ~2e-9 relative, even at the smallest glm.tol fixest accepts).
# The variance at the solution itself is that of the weighted least-squares
# fit of the working outcome z = eta + (y - mu)/mu with weights mu there:
sol <- function(m, f, d, ...) {
  mu <- fitted(m); d <- d[obs(m), ]
  d$z__ <- log(mu) + (d[[as.character(f[[2]])]] - mu) / mu; d$mu__ <- mu
  ols(as.formula(sub("^[^~]*~", "z__ ~", paste(deparse(f), collapse = ""))), d, weights = ~mu__, ...)
}
fp <- cnt ~ x1 + x3 | unit + year + dest + region
rec("gn_pois4_atsol", sol(pois(fp, gen), fp, gen, cluster = ~unit), stats = FALSE)
ftr <- Euros ~ log(dist_km) | Origin + Destination + Product + Year
rec("tr_pois4_atsol", sol(pois(ftr, trade), ftr, trade, cluster = ~Origin), stats = FALSE)

hdr <- c(
  sprintf("# fixest %s (lrberge/fixest@dbe56c5, built from source), R %s, generated %s by econ/testdata/fixest/reference.R",
          as.character(packageVersion("fixest")), as.character(getRversion()), format(Sys.Date())),
  sprintf("# fixef.tol = %g, glm.tol = %g; numbers with 17 significant digits", FT, GT),
  "check,term,estimate,se")
dst <- commandArgs(trailingOnly = TRUE)
if (length(dst) == 0) dst <- "reference.csv"
writeLines(c(hdr, out), dst[1])
cat(sprintf("wrote %s: %d rows\n", dst[1], length(out)))
