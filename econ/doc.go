// Package econ estimates linear panel models with any number of
// high-dimensional fixed effects and gives the same numbers as R's fixest
// (feols): coefficients, IID, heteroskedasticity-robust (HC1) and one- or
// multi-way cluster-robust variances with fixest's small-sample
// corrections, t-based p-values and confidence intervals, R², adjusted and
// within R².
//
// # Models
//
// A model is written as a fixest formula ([ParseFormula]):
//
//	y ~ x1 + log(x2) + x1:x3 + i(period, treat, ref = 5) | unit + year
//
// and evaluated against a [Frame] of named columns ([Estimate]), or given
// directly as columns in a [Design] ([Fit]). [PanelFrame] turns a
// [panel.Panel] into a Frame with unit, period and year keys.
//
// # Method
//
// Fixed effects are projected out by alternating projections (Gauss–Seidel
// sweeps over the dimensions) accelerated with Irons & Tuck (1969) as in
// fixest (Bergé 2018); one dimension is exact in one pass. Columns are
// demeaned in parallel (Options.Workers). The demeaned regressors are then
// factored by Householder QR with column-wise collinearity detection, and
// the solution is polished by iterative refinement of the augmented system
// with doubled-precision residuals (Björck 1967), so ill-conditioned
// designs keep their digits: on the NIST StRD linear-regression data sets
// the log relative error is ≥ 9 everywhere except Filip (≈ 7).
//
// The defaults follow fixest: singletons are kept (fixef.rm = "perfect");
// with fixed effects the variance is clustered by the first fixed effect;
// the small-sample correction is ssc(adj = TRUE, fixef.K = "nested",
// cluster.adj = TRUE, cluster.df = "min", t.df = "min") (see [SSC], which
// also documents Stata's conventions). The demeaning tolerance is tighter
// than fixest's (see Options.Tol). Agreement is tested against fixest
// 0.12.2 run on the package's test data (56 models: 1–4 fixed effects,
// every variance type, non-default ssc, weights, singletons, collinear
// regressors, slopes, i(), interactions, lags on a panel with gaps,
// multiple estimation, Poisson) to 1e-8 relative on estimates, SEs
// and fit statistics.
//
// # Other estimators and variances
//
// Panel keys ([Frame.SetPanel], Options.PanelID; [PanelFrame] sets them)
// enable lags and leads in formulas, l(x, k) and f(x, k), Newey–West and
// Driscoll–Kraay variances (VCovNW, VCovDK, as fixest's vcov_NW and
// vcov_DK), first differences ([EstimateFD]) and Swamy–Arora random
// effects with the Hausman test ([EstimateRE], as plm). [EstimatePois] and
// [FitPois] fit Poisson pseudo-maximum likelihood with fixed effects
// (fixest fepois). [WildBootstrap] and [EstimateWild] run the restricted
// wild cluster bootstrap (Rademacher or Webb weights) with a p-value and
// a confidence interval by test inversion, for few clusters. Varying
// slopes fe[x] and fe[[x]] in the fixed-effect part of a formula are
// projected out with the fixed effects ([Slope]).
//
// # Policy evaluation
//
// [EstimateDID2x2] (cell means and the saturated regression), [TWFE],
// [EstimateEventStudy] (dummies of time relative to adoption from a cohort
// column, never-treated units at a placeholder reference as in fixest,
// binned end points, plot points with confidence intervals and the joint
// [Wald] test of the leads), the Sun & Abraham (2021) interaction-weighted
// event study as fixest's formula term sunab(cohort, period) ([SunabSpec])
// with [Result.Aggregate] to relative periods, the ATT or cohorts, [Permute] (randomisation inference by
// reassigning units, adoption dates or both; an FWL inner loop that demeans
// only the permuted treatment, or nothing on balanced two-way panels),
// [EstimateFakeTiming], [EstimateLeaveOut] and [EstimateExcluding]
// (robustness), [EstimateHeterogeneity] (subgroups and a joint test of
// equal effects) and [EstimateMulti] (several models sharing the
// demeaning). Random draws use a seed and one PCG stream per chunk of
// draws, so results do not depend on GOMAXPROCS. [NewTable] lays models
// side by side as fixest's etable and writes them as text, Markdown,
// LaTeX, CSV, XLSX or JSON to an io.Writer.
//
// Under staggered adoption the TWFE coefficient mixes comparisons: [Bacon]
// decomposes it into every 2×2 comparison with its weight (Goodman-Bacon
// 2021, Theorem 1), and [CallawaySantAnna] estimates the group-time
// ATT(g,t) with never- or not-yet-treated controls and its simple, dynamic,
// group and calendar aggregations with influence-function standard errors
// (clustered if asked), unconditionally or with covariates by outcome
// regression, IPW or doubly robust 2×2 estimators as DRDID, anticipation,
// varying or universal base periods, balanced or unbalanced panels and
// repeated cross-sections, sampling weights, did's Wald pre-test of
// parallel trends, the multiplier bootstrap with uniform confidence bands,
// and the event study restricted as aggte's balance_e, min_e and max_e.
//
// For a few treated units (case cities) adopting together, [NewSynthPanel]
// arranges a balanced panel as an N×T matrix and [SyntheticDID] estimates
// synthetic difference-in-differences (Arkhangelsky et al. 2021), or
// synthetic control and DID in the same framework, as R synthdid does
// (Frank–Wolfe unit and time weights with its regularisation,
// sparsification and stopping rule; time-varying covariates fitted jointly
// with the weights as its sc.weight.fw.covariates; jackknife, placebo and
// bootstrap standard errors; plot data), agreeing with it to 1e-12 on
// Proposition 99. [StaggeredSDID] extends it to staggered adoption as
// Stata's sdid does: one block per adoption cohort against the
// never-treated units, aggregated by N_a·T_a, with its jackknife, bootstrap
// and placebo standard errors.
// [SynthControl] fits the classic synthetic control of Abadie, Diamond &
// Hainmueller (2010) from predictors, with predictor weights V chosen by
// nested optimisation of the pre-period fit, and runs the in-space
// placebos with post/pre RMSPE ratios and the permutation p-value;
// SynthOptions.LeaveOneOut refits without each donor of positive weight
// (Abadie, Diamond & Hainmueller 2015), and [SynthPanel.Backdate] gives the
// in-time placebo (treatment moved k periods earlier, pre-periods only)
// for either estimator.
//
// [EstimateImputation] is the imputation estimator of Borusyak, Jaravel &
// Spiess (2024): unit and period effects, or any fixed effects such as
// region^year, and controls fitted on untreated observations (weighted if
// asked), Y(0) imputed for treated cells, the overall ATT and event-time
// horizons with their conservative clustered SEs and the pre-trend test on
// untreated observations, as R didimputation (to 6e-13).
// Mechanisms: [EstimateMediation] runs the stepwise mediation regressions
// (total effect, D → M, Y on D and M; a·b with Sobel and Aroian SEs),
// [BootstrapMediation] a seeded cluster bootstrap of a·b, and
// [EstimateModeration] the D×Z interaction test; since the mediator step is
// descriptive unless M is exogenous (Jiang Ting 2022), report D → M.
// [EstimateSerialMediation] and [BootstrapSerialMediation] chain several
// mediators (D → M1 → M2 → Y, Hayes's model 6): every path's indirect
// effect with delta-method and bootstrap inference.
//
// # Tables and plot data
//
// Every estimator's result becomes a column of the etable-like table
// through a [TableModel] ([ResultModel], [CSTableModel],
// [ImputationTableModel], [SDIDTableModel], [SynthTableModel],
// [MediationTableModel], [SerialMediationTableModel]; [NewModelTable]),
// so TWFE is laid beside Callaway–Sant'Anna, imputation or synthetic DID
// in one table and every format; the overall effects share the ATT row.
// Plot data come as JSON-tagged values: [EventPoint] (event studies, CS
// and imputation horizons via [CSEventPoints], [ImputationEventPoints]),
// [BaconPlot] (weight × estimate per 2×2 comparison), [SynthTrajectory] and
// [SDIDTrajectory] (treated, synthetic and gap by period).
//
// # Data rules
//
// Float columns use NaN (or ±Inf) for missing values, factor and code
// columns use -1; rows with any missing value in the variables a model
// uses, or with zero weight, are dropped and counted (Result.NMissing).
// Functions never modify their inputs; results own their slices.
//
// # Errors
//
// Formula errors are *[ParseError] with the 1-based character column in
// the formula. Model outcomes the data cause come back as values with
// evidence: *[CollinearError] (every regressor collinear; partial
// collinearity is reported in Result.Collinear and Result.Notes),
// *[SampleError] (no usable observations or no residual degrees of
// freedom) and *[ConvergenceError]. [CallawaySantAnna] returns a
// *[CSError] whose cause (ErrMissing, ErrNoComparisonUnits, ErrOverlap, …)
// errors.Is matches and whose fields locate it (cohort, period, unit,
// row); several row problems come together as a *[CSErrors]. Only
// internal invariant violations panic, with an "econ:" prefix.
//
// econ does not read files or talk to the store; its only output is the
// regression tables of [Table], written to an io.Writer.
package econ
