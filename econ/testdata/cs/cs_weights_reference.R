# Reference numbers for econ's Callaway–Sant'Anna with sampling weights
# and with the restricted dynamic aggregation (balance_e, min_e, max_e),
# for econ/cs_weights_test.go, from R 4.2.2 with did 2.5.1 and DRDID 1.2.3
# (built as README.md says). Run from econ/testdata/cs:
#   Rscript cs_weights_reference.R > cs_weights_reference.csv
# Analytic SEs (bstrap = FALSE, cband = FALSE), 17 significant digits.
#
# mpdta has no weight column; the synthetic one, which the Go test builds
# identically, is derived from the county code (0 for every 23rd county):
#   w = (countyreal %% 23 != 0) * (0.5 + (countyreal %% 7) / 4)
# constant within a county for the panels; for repeated cross-sections
# (panel = FALSE, every row its own observation) it also varies by year:
#   w_rcs = w * (1 + (year %% 3) / 10).
# Scenarios are sample/method/control/base/weighting:
#   sample  panel (balanced), rcs (panel = FALSE), unbal (mpdta less the
#           2005 rows of counties ≡ 0 mod 7 and the 2007 rows of counties
#           ≡ 0 mod 11, allow_unbalanced_panel = TRUE);
#   method  none (xformla = NULL, est_method "dr"), reg, ipw, dr (~lpop);
#   weighting  w (weightsname = "w") or unw (no weights).
# Rows: kind att_gt / simple / dynamic / group / calendar (aggte defaults),
# pretest (att = W, se = p; q = its degrees of freedom), and dynamic
# aggregations restricted by aggte(type = "dynamic", ...) under kind
#   dyn_b1 (balance_e = 1), dyn_b2 (balance_e = 2),
#   dyn_w1 (min_e = -2, max_e = 2), dyn_w2 (min_e = 0, max_e = 1),
#   dyn_w3 (max_e = 0), dyn_bw (balance_e = 1, min_e = -1, max_e = 3),
# key "overall" or the event time e.
.libPaths(c("/tmp/peers/lib", .libPaths()))
suppressMessages(library(did))
d <- read.csv("mpdta.csv")
d$w <- (d$countyreal %% 23 != 0) * (0.5 + (d$countyreal %% 7) / 4)
rcs <- d
rcs$w <- rcs$w * (1 + (rcs$year %% 3) / 10)
unbal <- d[!((d$countyreal %% 7 == 0 & d$year == 2005) | (d$countyreal %% 11 == 0 & d$year == 2007)), ]
windows <- list(
  dyn_b1 = list(balance_e = 1),
  dyn_b2 = list(balance_e = 2),
  dyn_w1 = list(min_e = -2, max_e = 2),
  dyn_w2 = list(min_e = 0, max_e = 1),
  dyn_w3 = list(max_e = 0),
  dyn_bw = list(balance_e = 1, min_e = -1, max_e = 3))
out <- data.frame()
add <- function(scen, kind, key, att, se) {
  out <<- rbind(out, data.frame(scenario = scen, kind = kind, key = key,
    att = sprintf("%.17g", att), se = sprintf("%.17g", se)))
}
run <- function(sample, method, control, base, weighting) {
  scen <- paste(sample, method, control, base, weighting, sep = "/")
  xf <- if (method == "none") NULL else ~lpop
  em <- if (method == "none") "dr" else method
  data <- switch(sample, panel = d, rcs = rcs, unbal = unbal)
  m <- suppressMessages(suppressWarnings(att_gt(yname = "lemp", tname = "year",
    idname = "countyreal", gname = "first.treat", xformla = xf, data = data,
    panel = sample != "rcs", allow_unbalanced_panel = sample == "unbal",
    control_group = control, base_period = base, est_method = em,
    weightsname = if (weighting == "w") "w" else NULL,
    bstrap = FALSE, cband = FALSE)))
  add(scen, "att_gt", paste0(m$group, "/", m$t), m$att, m$se)
  if (!is.null(m$W)) {
    q <- sum(m$group > m$t & !is.na(m$se))
    add(scen, "pretest", "W", m$W, pchisq(m$W, q, lower.tail = FALSE))
    add(scen, "pretest", "q", q, 0)
  }
  for (type in c("simple", "dynamic", "group", "calendar")) {
    a <- suppressMessages(suppressWarnings(aggte(m, type = type, bstrap = FALSE,
      cband = FALSE, na.rm = TRUE)))
    add(scen, type, "overall", a$overall.att, a$overall.se)
    if (type != "simple") add(scen, type, a$egt, a$att.egt, a$se.egt)
  }
  for (wn in names(windows)) {
    a <- suppressMessages(suppressWarnings(do.call(aggte, c(list(m, type = "dynamic",
      bstrap = FALSE, cband = FALSE, na.rm = TRUE), windows[[wn]]))))
    add(scen, wn, "overall", a$overall.att, a$overall.se)
    add(scen, wn, a$egt, a$att.egt, a$se.egt)
  }
}
for (sample in c("panel", "rcs", "unbal")) {
  for (method in c("none", "reg", "ipw", "dr")) {
    for (control in c("nevertreated", "notyettreated")) {
      run(sample, method, control, "varying", "w")
    }
  }
}
run("panel", "dr", "notyettreated", "universal", "w")
run("rcs", "none", "nevertreated", "universal", "w")
run("panel", "none", "nevertreated", "varying", "unw")
run("panel", "dr", "notyettreated", "universal", "unw")
run("rcs", "ipw", "nevertreated", "varying", "unw")
write.csv(out, stdout(), row.names = FALSE, quote = FALSE)
