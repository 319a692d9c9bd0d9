# Reference replications for econ's staggered synthetic DID
# (econ/sdid_staggered_test.go): Stata sdid's bootstrap and placebo
# replications (sdid.ado 2.0.6, Clarke, Pailanir, Athey & Imbens 2023),
# written out with R synthdid 0.0.9 as the per-cohort estimator.
#
# Run from this directory with R 4.2.2 and synthdid 0.0.9 in /tmp/peers/lib:
#   Rscript staggered_draws.R > staggered_draws.json
# Panel and assignment as staggered.R. Units are numbered 0..38 in the order
# never-treated (by name), then treated by adoption year and name. A
# bootstrap draw is a vector of unit numbers drawn with replacement (redrawn
# while it has no never-treated or no treated unit); sorted, its
# never-treated units are the controls of every cohort present and each
# cohort's drawn units its treated rows; synthdid_estimate is rerun with the
# noise level and zetas recomputed on the draw (Stata does) and the weights
# re-optimised from the original lambda and the original omega of the drawn
# controls, renormalised; the aggregate weights cohorts by drawn N_a * T_a.
# A placebo draw is a permutation of the never-treated units; the first
# N_tr of them get the adoption years of the treated units in name order.
# "draws": 3 random bootstrap draws, one fixed draw lacking the 1993 cohort,
# and 2 placebo draws with their exact estimates (for a
# 1e-8 check); "mc": bootstrap and placebo SEs over 300 draws each (seed 2)
# for a Monte Carlo comparison.
suppressMessages({
  .libPaths(c("/tmp/peers/lib", .libPaths()))
  library(synthdid)
  library(jsonlite)
})
panel <- read.csv("california_prop99.csv", sep = ";", stringsAsFactors = FALSE)
adopt <- c(Alabama = 1985, Arkansas = 1985, California = 1989, Colorado = 1989,
           Connecticut = 1989, Delaware = 1993, Georgia = 1993)
Y <- with(panel, tapply(PacksPerCapita, list(State, Year), identity))
states <- rownames(Y); years <- as.integer(colnames(Y))
ctrl <- sort(setdiff(states, names(adopt)))
tr <- names(adopt)[order(adopt, names(adopt))]
units <- c(ctrl, tr); Y <- Y[units, ]
n0 <- length(ctrl); N <- length(units); TT <- ncol(Y)
uadopt <- c(rep(NA, n0), adopt[tr])
cohorts <- sort(unique(adopt))
orig <- lapply(cohorts, function(a) {
  rows <- c(seq_len(n0), which(uadopt == a))
  est <- synthdid_estimate(Y[rows, ], n0, sum(years < a))
  attr(est, "weights")
})
# estimates of one replication: rows (1-based unit numbers) and their cohort
# year (NA = control)
rep_est <- function(rows, cyear) {
  crow <- rows[is.na(cyear)]
  taus <- rep(NA_real_, length(cohorts)); num <- 0; den <- 0
  for (k in seq_along(cohorts)) {
    a <- cohorts[k]
    trow <- rows[!is.na(cyear) & cyear == a]
    if (length(trow) == 0) next
    T0 <- sum(years < a)
    w <- list(omega = synthdid:::sum_normalize(orig[[k]]$omega[crow]), lambda = orig[[k]]$lambda)
    est <- synthdid_estimate(Y[c(crow, trow), ], length(crow), T0, weights = w,
                             update.omega = TRUE, update.lambda = TRUE)
    taus[k] <- c(est)
    num <- num + length(trow) * (TT - T0) * c(est); den <- den + length(trow) * (TT - T0)
  }
  list(taus = taus, att = num / den)
}
boot_draw <- function() {
  repeat {
    ind <- sample(N, N, replace = TRUE)
    if (any(ind <= n0) && any(ind > n0)) break
  }
  ind <- sort(ind)
  c(list(units = ind - 1), rep_est(ind, uadopt[ind]))
}
placebo_draw <- function() {
  perm <- sample(n0)
  trn <- sort(tr)
  cy <- rep(NA, n0); cy[perm[seq_along(trn)]] <- adopt[trn]
  rows <- c(which(is.na(cy)), which(!is.na(cy)))
  c(list(perm = perm - 1), rep_est(rows, cy[rows]))
}
set.seed(1)
draws <- list(bootstrap = lapply(1:3, function(i) boot_draw()), placebo = lapply(1:2, function(i) placebo_draw()))
# a fixed draw without the 1993 cohort and with duplicated units
ind <- sort(c(1:30, 2, 2, 7, n0 + c(1, 1, 2, 3, 5)))
draws$bootstrap[[4]] <- c(list(units = ind - 1), rep_est(ind, uadopt[ind]))
set.seed(2)
B <- 300
bt <- lapply(1:B, function(i) boot_draw())
pl <- lapply(1:B, function(i) placebo_draw())
se <- function(x) sqrt((length(x) - 1) / length(x)) * sd(x)
cse <- function(l) sapply(seq_along(cohorts), function(k) se(na.omit(sapply(l, function(d) d$taus[k]))))
out <- list(units = units, draws = draws,
  mc = list(replications = B, bootstrap_se = se(sapply(bt, `[[`, "att")), placebo_se = se(sapply(pl, `[[`, "att")),
            bootstrap_cohort_se = cse(bt), placebo_cohort_se = cse(pl)))
cat(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"))
