# Reference outputs of R fixest's sunab() for econ's TestSunabFixest
# (econ/sunab_test.go). Uses an installed fixest (0.12.2 here); run from
# this directory:
#
#   Rscript sunab.R [out.csv]   # default out: reference.csv
#
# Reads ../fixest_base_stagg.csv (fixest's base_stagg, the same bytes the
# Go test reads). The demeaning tolerance is tightened far below fixest's
# default so that the reference is the converged estimate. Rows: check,
# term, estimate, se with 17 significant digits; "@nobs" is the sample
# size. For each model: "<check>:period" is summary(m) (fixest's default
# aggregation by relative period), ":att" summary(m, agg = "att"),
# ":cohort" summary(m, agg = "cohort"), ":none" summary(m, agg = FALSE).
suppressPackageStartupMessages(library(fixest))
setFixest_nthreads(1)
args <- commandArgs(trailingOnly = TRUE)
out_file <- if (length(args) > 0) args[1] else "reference.csv"

d <- read.csv("../fixest_base_stagg.csv")
d$w <- 1 + (d$id %% 3)            # observation weights for the weighted model
ols <- function(...) feols(..., fixef.tol = 3e-12, fixef.iter = 100000)

out <- character()
g17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
emit <- function(check, ct) {
  for (j in seq_len(nrow(ct))) {
    out <<- c(out, sprintf("%s,\"%s\",%s,%s", check, rownames(ct)[j], g17(ct[j, 1]), g17(ct[j, 2])))
  }
}
rec <- function(check, m, aggs = c("period", "att", "cohort", "none")) {
  out <<- c(out, sprintf("%s,\"@nobs\",%s,NA", check, nobs(m)))
  for (a in aggs) {
    s <- switch(a, period = summary(m), att = summary(m, agg = "att"),
                cohort = summary(m, agg = "cohort"), none = summary(m, agg = FALSE))
    emit(paste0(check, ":", a), coeftable(s))
  }
}

rec("default", ols(y ~ x1 + sunab(year_treated, year) | id + year, d))
rec("refp", ols(y ~ x1 + sunab(year_treated, year, ref.p = c(.F + 0:2, -1)) | id + year, d))
rec("refc", ols(y ~ x1 + sunab(year_treated, year, ref.c = c(9, 10)) | id + year, d))
rec("binrel", ols(y ~ x1 + sunab(year_treated, year, bin.rel = "bin::2") | id + year, d))
rec("relative", ols(y ~ x1 + sunab(year_treated, time_to_treatment) | id + year, d))
# sunab_att() is not used: in fixest 0.12.2 it names the cells "period::…"
# (the argument name inside sunab_att) and then aggregates nothing.
rec("att", ols(y ~ x1 + sunab(year_treated, year, att = TRUE) | id + year, d), aggs = c("att", "none"))
rec("weighted", ols(y ~ x1 + sunab(year_treated, year) | id + year, d, weights = ~w))
rec("hetero", ols(y ~ x1 + sunab(year_treated, year) | id + year, d, vcov = "hetero"))
rec("twoway", ols(y ~ x1 + sunab(year_treated, year) | id + year, d, vcov = "twoway"))

hdr <- c(sprintf("# fixest %s, %s, generated %s by econ/testdata/sunab/sunab.R",
                 packageVersion("fixest"), R.version.string, format(Sys.Date())),
         "check,term,estimate,se")
writeLines(c(hdr, out), out_file)
