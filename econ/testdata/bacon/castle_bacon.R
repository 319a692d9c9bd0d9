# Reference values for TestBaconCastle: R's bacondecomp (evanjflack/bacondecomp
# @ec99dd0, version 0.1.3, installed from that commit) on the castle-doctrine
# panel, l_homicide ~ post with state and year fixed effects.
# Run from econ/testdata/bacon:  Rscript castle_bacon.R > castle_bacon_ref.csv
suppressPackageStartupMessages(library(bacondecomp))
castle <- read.csv("castle_bacondecomp.csv")
df <- bacon(l_homicide ~ post, data = castle, id_var = "state", time_var = "year", quietly = TRUE)
fit <- fixest::feols(l_homicide ~ post | state + year, data = castle)
out <- data.frame(treated = df$treated, untreated = df$untreated,
                  estimate = sprintf("%.17g", df$estimate),
                  weight = sprintf("%.17g", df$weight), type = df$type)
out <- rbind(out, data.frame(treated = "twfe", untreated = "", estimate = sprintf("%.17g", coef(fit)[["post"]]),
                             weight = "1", type = "TWFE"))
write.csv(out, stdout(), row.names = FALSE, quote = FALSE)
