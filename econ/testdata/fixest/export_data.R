# Writes ../fixest_base_stagg.csv from the base_stagg data set shipped with
# fixest (lrberge/fixest data/base_stagg.RData), numbers with 17 significant
# digits so the CSV holds exactly the doubles fixest has. Run from this
# directory with fixest installed:  Rscript export_data.R
suppressPackageStartupMessages(library(fixest))
data(base_stagg, package = "fixest")
d <- base_stagg
for (v in names(d)) if (is.double(d[[v]])) d[[v]] <- sprintf("%.17g", d[[v]])
write.csv(d, "../fixest_base_stagg.csv", row.names = FALSE, quote = FALSE)
cat(sprintf("wrote ../fixest_base_stagg.csv: %d rows, fixest %s\n",
            nrow(d), as.character(packageVersion("fixest"))))
