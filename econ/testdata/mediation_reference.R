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
#   m2 = 0.4 d + 0.5 m + 0.2 x1 + 0.3 cos(2.3 id) + sin(0.7 id + 1.3 period)
#                                   (second mediator of the serial model)
#   ys = ym + 0.7 m2                (outcome of the serial model)
# written to mediation_base_did.csv, so the Go test needs no R.
.libPaths(c("/tmp/peers/lib", .libPaths()))
suppressPackageStartupMessages({ library(fixest); library(data.table); library(jsonlite) })
setFixest_estimation(fixef.tol = 1e-11)
d <- fread("fixest_base_did.csv")
d[, d := treat * post]
d[, m := 0.6 * d + 0.4 * x1 + 0.5 * sin(id) + cos(1.7 * id + 0.9 * period)]
d[, ym := y + 0.8 * m]
d[, z := ((7 * id) %% 5) / 4]
d[, m2 := 0.4 * d + 0.5 * m + 0.2 * x1 + 0.3 * cos(2.3 * id) + sin(0.7 * id + 1.3 * period)]
d[, ys := ym + 0.7 * m2]
d <- d[, .(id, period, y, x1, d, m, ym, z, m2, ys)]
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
# Serial mediation d → m → m2 → ys (Hayes model 6), x1 control, FE id +
# period, clustered by id: the four regressions of EstimateSerialMediation.
add("serial_total", ys ~ d + x1 | id + period)
add("serial_m1", m ~ d + x1 | id + period)
add("serial_m2", m2 ~ d + m + x1 | id + period)
add("serial_direct", ys ~ d + m + m2 + x1 | id + period)
# Indirect effects a1 b1, a1 d21 b2, a2 b2 and their sum with first-order
# delta-method SEs, Var = g' V g, V block diagonal over the regressions
# (each block that regression's clustered vcov), written independently of
# the Go code as a cross-check.
e1 <- feols(m ~ d + x1 | id + period, d)
e2 <- feols(m2 ~ d + m + x1 | id + period, d)
e3 <- feols(ys ~ d + m + m2 + x1 | id + period, d)
a1 <- coef(e1)[["d"]]; a2 <- coef(e2)[["d"]]; d21 <- coef(e2)[["m"]]
b1 <- coef(e3)[["m"]]; b2 <- coef(e3)[["m2"]]
V <- matrix(0, 5, 5)  # parameter order: a1, a2, d21, b1, b2
V[1, 1] <- vcov(e1)["d", "d"]
V[2:3, 2:3] <- vcov(e2)[c("d", "m"), c("d", "m")]
V[4:5, 4:5] <- vcov(e3)[c("m", "m2"), c("m", "m2")]
grads <- list(
  "d → m → ys" = c(b1, 0, 0, a1, 0),
  "d → m → m2 → ys" = c(d21 * b2, 0, a1 * b2, 0, a1 * d21),
  "d → m2 → ys" = c(0, b2, 0, 0, a2))
ests <- c(a1 * b1, a1 * d21 * b2, a2 * b2)
grads[["total indirect"]] <- Reduce(`+`, grads)
ests <- c(ests, sum(ests))
indirect <- lapply(seq_along(grads), function(i) {
  g <- grads[[i]]
  list(name = names(grads)[i], estimate = ests[i], se = sqrt(drop(t(g) %*% V %*% g)))
})
writeLines(toJSON(list(generated_by = "econ/testdata/mediation_reference.R",
  versions = list(R = as.character(getRversion()), fixest = as.character(packageVersion("fixest"))),
  models = models, serial_indirect = indirect), auto_unbox = TRUE, digits = NA, pretty = TRUE), "mediation_reference.json")
