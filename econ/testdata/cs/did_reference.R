# Reference numbers for econ's Callaway–Sant'Anna tests, from R's did
# (bcallaway11/did @71ba8a5, installed locally, not part of this
# repository). Run from econ/testdata/cs:
#   Rscript did_reference.R > did_reference.csv
# Analytic standard errors: bstrap = FALSE, cband = FALSE.
suppressMessages(library(did))
d <- read.csv("mpdta.csv")
out <- data.frame()
add <- function(control, base, kind, key, att, se) {
  out <<- rbind(out, data.frame(control = control, base = base, kind = kind,
    key = key, att = sprintf("%.17g", att), se = sprintf("%.17g", se)))
}
# "nonever": mpdta without its never-treated counties, where did uses the
# last cohort (2007) as comparison and drops the periods from 2007 on.
for (control in c("nevertreated", "notyettreated", "nonever")) {
  for (base in c("varying", "universal")) {
    dd <- if (control == "nonever") d[d$first.treat != 0, ] else d
    cg <- if (control == "nonever") "notyettreated" else control
    m <- suppressWarnings(att_gt(yname = "lemp", tname = "year", idname = "countyreal",
      gname = "first.treat", data = dd, control_group = cg, base_period = base,
      bstrap = FALSE, cband = FALSE))
    add(control, base, "att_gt", paste0(m$group, "/", m$t), m$att, m$se)
    for (type in c("simple", "dynamic", "group", "calendar")) {
      a <- suppressWarnings(aggte(m, type = type, bstrap = FALSE, cband = FALSE, na.rm = TRUE))
      add(control, base, type, "overall", a$overall.att, a$overall.se)
      if (type != "simple") add(control, base, type, a$egt, a$att.egt, a$se.egt)
    }
  }
}
write.csv(out, stdout(), row.names = FALSE, quote = FALSE)
