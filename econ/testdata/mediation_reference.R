# Reference numbers for econ's mediation and moderation regressions
# (TestMediationFixest in econ/mediation_test.go reads
# mediation_reference.json and mediation_base_did.csv).
#
# Uses only installed packages: fixest 0.12.2, data.table, jsonlite, on R 4.2.2.
# Run from econ/testdata:
#   Rscript mediation_reference.R
# Data: fixest's base_did (lrberge/fixest @dbe56c5 : data/base_did.RData,
# here fixest_base_did.csv) with deterministic added columns:
#   d  = treat × post (the DID treatment)
#   m  = 0.6 d + 0.4 x1 + 0.5 sin(id) + cos(1.7 id + 0.9 period)   (mediator)
#   ym = y + 0.8 m                                                 (outcome)
#   z  = ((7 id) mod 5) / 4                   (pre-determined moderator)
# written to mediation_base_did.csv, so the Go test needs no R.
.libPaths(c("/tmp/peers/lib", .libPaths()))
suppressPackageStartupMessages({ library(fixest); library(data.table); library(jsonlite) })
setFixest_estimation(fixef.tol = 1e-11)
d <- fread("fixest_base_did.csv")
d[, d := treat * post]
d[, m := 0.6 * d + 0.4 * x1 + 0.5 * sin(id) + cos(1.7 * id + 0.9 * period)]
d[, ym := y + 0.8 * m]
d[, z := ((7 * id) %% 5) / 4]
d <- d[, .(id, period, y, x1, d, m, ym, z)]
fwrite(d, "mediation_base_did.csv")
d <- fread("mediation_base_did.csv")

coefs <- function(est) {
  ct <- coeftable(est)
  lapply(seq_len(nrow(ct)), function(i) list(name = rownames(ct)[i], estimate = ct[i, 1], se = ct[i, 2]))
}
models <- list()
add <- function(name, fml, ...) {
  est <- feols(fml, d, ...)
  models[[length(models) + 1]] <<- list(name = name, formula = deparse(fml), nobs = nobs(est), coefs = coefs(est))
}
# Mediation, FE id + period, x1 control, clustered by id (fixest default).
add("total", ym ~ d + x1 | id + period)
add("first", m ~ d + x1 | id + period)
add("direct", ym ~ d + m + x1 | id + period)
# Same without the control, two-way clustered by id and period.
add("total_tw", ym ~ d | id + period, cluster = ~ id + period)
add("first_tw", m ~ d | id + period, cluster = ~ id + period)
add("direct_tw", ym ~ d + m | id + period, cluster = ~ id + period)
# Moderation: z is constant within id (absorbed); x1 is not.
add("moderation_z", ym ~ d + d:z + z + x1 | id + period)
add("moderation_x1", ym ~ d + d:x1 + x1 | id + period)
writeLines(toJSON(list(generated_by = "econ/testdata/mediation_reference.R",
  versions = list(R = as.character(getRversion()), fixest = as.character(packageVersion("fixest"))),
  models = models), auto_unbox = TRUE, digits = NA, pretty = TRUE), "mediation_reference.json")
