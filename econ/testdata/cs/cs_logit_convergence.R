# Why econ's IPW numbers differ from did's by up to ~1e-8 relative: DRDID
# fits the propensity-score logit with fastglm (method = 3), which stops at
# its deviance tolerance, leaving coefficients about 1e-8 relative from the
# maximum-likelihood estimate; econ iterates Newton steps to 1e-11. On
# mpdta, cell ATT(2004, 2004) with ~lpop (never-treated controls), this
# script shows that the ATT at the fully converged logit (glm.fit with
# epsilon = 1e-15) differs from DRDID's by 2.03e-9 relative, the gap
# econ's TestCSCovariatesReference measures. Run from econ/testdata/cs:
#   Rscript cs_logit_convergence.R
# Output with R 4.2.2, DRDID 1.2.3, fastglm 0.0.4:
#   fastglm coefficients  -3.3050250975822042 0.17051327563831975
#   converged coefficients -3.3050251042231276 0.17051327695728241
#   fastglm att -0.014548431124612349
#   converged att -0.014548431154140999 rel diff 2.03e-09
.libPaths(c("/tmp/peers/lib", .libPaths()))
suppressMessages(library(DRDID))
d <- read.csv("mpdta.csv")
s <- d[d$first.treat %in% c(0, 2004), ]
y0 <- s$lemp[s$year == 2003]; y1 <- s$lemp[s$year == 2004]
D <- as.numeric(s$first.treat[s$year == 2003] == 2004); X <- cbind(1, s$lpop[s$year == 2003])
f1 <- fastglm::fastglm(x = X, y = D, family = binomial(), intercept = FALSE, method = 3)
f2 <- glm.fit(X, D, family = binomial(), control = glm.control(epsilon = 1e-15, maxit = 100))
print(sprintf("%.17g", c(coef(f1), coef(f2))))
a1 <- std_ipw_did_panel(y1, y0, D, X)$ATT
print(sprintf("fastglm att %.17g", a1))
# ATT with the fully converged logit
ps <- pmin(fitted(f2), 1 - 1e-6); w1 <- D; w0 <- ps * (1 - D) / (1 - ps); dy <- y1 - y0
print(sprintf("converged att %.17g rel diff %.3g", sum(w1*dy)/sum(w1) - sum(w0*dy)/sum(w0), abs(a1 - (sum(w1*dy)/sum(w1) - sum(w0*dy)/sum(w0)))/abs(a1)))
