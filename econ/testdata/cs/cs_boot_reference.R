# Multiplier-bootstrap reference for econ's Callaway–Sant'Anna tests
# (econ/cs_boot_test.go), from R 4.2.2 with did 2.5.1 / DRDID 1.2.3 / BMisc
# (Rademacher multipliers, BMisc::multiplier_bootstrap). These numbers are
# random: the tests use them only for orders of magnitude (the bootstrap
# SEs against the analytic ones, the uniform critical values). Run from
# econ/testdata/cs:
#   Rscript cs_boot_reference.R > cs_boot_reference.csv
# Columns: scenario, kind, key, se (bootstrap), crit (uniform critical
# value of the band the row belongs to; cband = TRUE, alp = 0.05).
.libPaths(c("/tmp/peers/lib", .libPaths()))
suppressMessages(library(did))
d <- read.csv("mpdta.csv")
d$state <- d$countyreal %/% 1000
out <- data.frame()
add <- function(scen, kind, key, se, crit) {
  out <<- rbind(out, data.frame(scenario = scen, kind = kind, key = key,
    se = sprintf("%.17g", se), crit = sprintf("%.17g", crit)))
}
set.seed(20261128)
for (cl in c("unit", "state")) {
  scen <- paste0("dr/nevertreated/varying/", cl)
  m <- suppressMessages(suppressWarnings(att_gt(yname = "lemp", tname = "year",
    idname = "countyreal", gname = "first.treat", xformla = ~lpop, data = d,
    est_method = "dr", bstrap = TRUE, biters = 1000, cband = TRUE,
    clustervars = if (cl == "state") "state" else NULL)))
  add(scen, "att_gt", paste0(m$group, "/", m$t), m$se, m$c)
  for (type in c("dynamic", "group", "calendar")) {
    a <- suppressMessages(suppressWarnings(aggte(m, type = type, na.rm = TRUE)))
    add(scen, type, "overall", a$overall.se, NA)
    add(scen, type, a$egt, a$se.egt, a$crit.val.egt)
  }
}
write.csv(out, stdout(), row.names = FALSE, quote = FALSE)
