# Reference numbers for econ's Callaway–Sant'Anna with covariates,
# anticipation, clustering and the pre-test (econ/cs_cov_test.go), from R
# 4.2.2 with did 2.5.1 and DRDID 1.2.3 (see README.md for the build; the
# packages are not part of this repository). Run from econ/testdata/cs:
#   Rscript cs_covariates_reference.R > cs_covariates_reference.csv
# Every number is deterministic: analytic SEs (bstrap = FALSE, cband = FALSE).
# Columns: scenario (method/control/base[/extra]), kind, key, att, se.
# kind "pretest", key "W": att holds did's Wald statistic m$W and se the
# unrounded p-value pchisq(W, q, lower.tail = FALSE) (did prints it
# rounded to 5 decimals in m$Wpval); key "q" holds the degrees of freedom.
.libPaths(c("/tmp/peers/lib", .libPaths()))
suppressMessages(library(did))
d <- read.csv("mpdta.csv")
d$state <- d$countyreal %/% 1000 # FIPS state code: 29 clusters
out <- data.frame()
add <- function(scen, kind, key, att, se) {
  out <<- rbind(out, data.frame(scenario = scen, kind = kind, key = key,
    att = sprintf("%.17g", att), se = sprintf("%.17g", se)))
}
run <- function(scen, method, control, base, ant = 0, cl = NULL) {
  xf <- if (method == "none") NULL else ~lpop
  em <- if (method == "none") "dr" else method
  m <- suppressMessages(suppressWarnings(att_gt(yname = "lemp", tname = "year",
    idname = "countyreal", gname = "first.treat", xformla = xf, data = d,
    control_group = control, base_period = base, anticipation = ant,
    est_method = em, clustervars = cl, bstrap = FALSE, cband = FALSE)))
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
for (method in c("none", "reg", "ipw", "dr")) {
  for (control in c("nevertreated", "notyettreated")) {
    for (base in c("varying", "universal")) {
      run(paste(method, control, base, sep = "/"), method, control, base)
    }
  }
}
for (method in c("none", "dr")) {
  for (control in c("nevertreated", "notyettreated")) {
    for (base in c("varying", "universal")) {
      run(paste(method, control, base, "ant1", sep = "/"), method, control, base, ant = 1)
    }
  }
  run(paste(method, "nevertreated/varying/state", sep = "/"), method, "nevertreated", "varying", cl = "state")
  run(paste(method, "notyettreated/universal/state", sep = "/"), method, "notyettreated", "universal", cl = "state")
}
write.csv(out, stdout(), row.names = FALSE, quote = FALSE)
