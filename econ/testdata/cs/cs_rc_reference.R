# Reference numbers for econ's Callaway–Sant'Anna on repeated
# cross-sections and unbalanced panels (econ/cs_rc_test.go), from R 4.2.2
# with did 2.5.1 and DRDID 1.2.3 (see README.md). Run from econ/testdata/cs:
#   Rscript cs_rc_reference.R > cs_rc_reference.csv
# Analytic SEs (bstrap = FALSE, cband = FALSE). Scenarios
# (sample/method/control/base):
#   rcs: mpdta with panel = FALSE (every row its own observation);
#   unbal: mpdta without the rows with countyreal %% 7 == 0 in 2005 and
#          countyreal %% 11 == 0 in 2007, allow_unbalanced_panel = TRUE.
# Columns as cs_covariates_reference.csv (pretest: att = W, se = p).
.libPaths(c("/tmp/peers/lib", .libPaths()))
suppressMessages(library(did))
d <- read.csv("mpdta.csv")
unbal <- d[!((d$countyreal %% 7 == 0 & d$year == 2005) | (d$countyreal %% 11 == 0 & d$year == 2007)), ]
out <- data.frame()
add <- function(scen, kind, key, att, se) {
  out <<- rbind(out, data.frame(scenario = scen, kind = kind, key = key,
    att = sprintf("%.17g", att), se = sprintf("%.17g", se)))
}
run <- function(sample, method, control, base) {
  scen <- paste(sample, method, control, base, sep = "/")
  xf <- if (method == "none") NULL else ~lpop
  em <- if (method == "none") "dr" else method
  data <- if (sample == "unbal") unbal else d
  m <- suppressMessages(suppressWarnings(att_gt(yname = "lemp", tname = "year",
    idname = "countyreal", gname = "first.treat", xformla = xf, data = data,
    panel = sample != "rcs", allow_unbalanced_panel = sample == "unbal",
    control_group = control, base_period = base, est_method = em,
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
}
for (sample in c("rcs", "unbal")) {
  for (method in c("none", "reg", "ipw", "dr")) {
    run(sample, method, "nevertreated", "varying")
    run(sample, method, "notyettreated", "universal")
  }
}
write.csv(out, stdout(), row.names = FALSE, quote = FALSE)
