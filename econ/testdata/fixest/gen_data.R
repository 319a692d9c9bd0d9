# Writes ../fixest_gen.csv: a small generated panel used by reference.R and
# econ's peer tests (fixest_peer_test.go). Base R only; run from this
# directory:  Rscript gen_data.R
#
# Design: 200 units observed in an unbalanced subset of 15 years (some units
# only once, so they are singletons of the unit effect), a third fixed
# effect `dest` (30 levels) and a fourth `region` (6 levels) drawn per row,
# a cluster variable `state` (40 levels, units nested in states), three
# regressors (x2 has missing values), positive weights `w`, a continuous
# outcome `y` and a count outcome `cnt`.
set.seed(20261128)
units <- 200; years <- 15
rows <- list()
for (u in seq_len(units)) {
  nobs <- if (u %% 25 == 0) 1L else sample(4:years, 1)
  yrs <- sort(sample(seq_len(years), nobs))
  rows[[u]] <- data.frame(unit = u, year = 2000L + yrs)
}
d <- do.call(rbind, rows)
n <- nrow(d)
d$state  <- (d$unit - 1L) %% 40L + 1L
d$dest   <- sample(sprintf("d%02d", 1:30), n, replace = TRUE)
d$region <- sample(c("N", "S", "E", "W", "NE", "SW"), n, replace = TRUE)
a_unit <- rnorm(units); a_year <- rnorm(years, sd = 0.5)
a_dest <- rnorm(30, sd = 0.7); a_reg <- rnorm(6, sd = 0.3)
d$x1 <- rnorm(n) + 0.5 * a_unit[d$unit]
d$x2 <- rnorm(n) + 0.3 * a_year[d$year - 2000L]
d$x3 <- runif(n, -1, 1)
d$w  <- runif(n, 0.5, 2)
dest_i <- as.integer(substr(d$dest, 2, 3))
reg_i  <- match(d$region, c("N", "S", "E", "W", "NE", "SW"))
eta <- a_unit[d$unit] + a_year[d$year - 2000L] + a_dest[dest_i] + a_reg[reg_i]
d$y   <- 0.5 * d$x1 - 0.3 * d$x2 + 0.2 * d$x3 + eta + rnorm(n) * (1 + 0.5 * abs(d$x3))
d$cnt <- rpois(n, exp(0.5 + 0.3 * d$x1 - 0.2 * d$x3 + 0.5 * eta))
d$x2[sample(n, 40)] <- NA
write.csv(d, "../fixest_gen.csv", row.names = FALSE, na = "NA")
cat(sprintf("wrote ../fixest_gen.csv: %d rows\n", n))
