# Multiplier-bootstrap reference for econ's restricted dynamic aggregation
# with sampling weights (econ/cs_weights_test.go), from R 4.2.2 with did
# 2.5.1 / DRDID 1.2.3 / BMisc (Rademacher multipliers). Random numbers:
# the test uses them only within Monte Carlo error. Run from
# econ/testdata/cs:
#   Rscript cs_weights_boot_reference.R > cs_weights_boot_reference.csv
# mpdta with the synthetic weight of cs_weights_reference.R, DR with
# ~lpop, never-treated controls, 1,000 draws (set.seed(20261128)),
# cband = TRUE, alp = 0.05. Columns: scenario, kind (dyn_b1: balance_e = 1;
# dyn_w1: min_e = -2, max_e = 2), key (overall or e), se (bootstrap), crit
# (uniform critical value of the event-time band).
.libPaths(c("/tmp/peers/lib", .libPaths()))
suppressMessages(library(did))
d <- read.csv("mpdta.csv")
d$w <- (d$countyreal %% 23 != 0) * (0.5 + (d$countyreal %% 7) / 4)
out <- data.frame()
add <- function(scen, kind, key, se, crit) {
  out <<- rbind(out, data.frame(scenario = scen, kind = kind, key = key,
    se = sprintf("%.17g", se), crit = sprintf("%.17g", crit)))
}
set.seed(20261128)
scen <- "panel/dr/nevertreated/varying/w"
m <- suppressMessages(suppressWarnings(att_gt(yname = "lemp", tname = "year",
  idname = "countyreal", gname = "first.treat", xformla = ~lpop, data = d,
  est_method = "dr", weightsname = "w", bstrap = TRUE, biters = 1000, cband = TRUE)))
for (wn in c("dyn_b1", "dyn_w1")) {
  args <- if (wn == "dyn_b1") list(balance_e = 1) else list(min_e = -2, max_e = 2)
  a <- suppressMessages(suppressWarnings(do.call(aggte, c(list(m, type = "dynamic",
    na.rm = TRUE), args))))
  add(scen, wn, "overall", a$overall.se, NA)
  add(scen, wn, a$egt, a$se.egt, a$crit.val.egt)
}
write.csv(out, stdout(), row.names = FALSE, quote = FALSE)
