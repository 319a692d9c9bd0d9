// Package demo generates SYNTHETIC but realistic panels of Chinese cities
// for demonstrations, tests and benchmarks: every indicator of the
// seed-2025 framework, annual and monthly, for the ~297 cities at
// prefecture level and above of the division registry (or any units, or up
// to hundreds of thousands of synthetic ones), with a staggered
// smart-city-pilot treatment following the real national pilot batches and
// a known, configurable true effect.
//
// # Model
//
// Each indicator is described by an [IndicatorSpec]. Its latent value moves
// linearly in time on a transformed scale (logit for bounded rates, so the
// trend is a logistic diffusion curve; log for counts and positive
// quantities, so it is exponential), plus a unit effect correlated with
// tier and region (east and larger cities are more developed), a
// region-specific trend (unless Options.CommonTrends), stationary AR(1)
// noise and, for monthly indicators, seasonality. The untreated value Y(0)
// is the back-transformed latent value clipped to the valid range (% in
// [0, 100], counts ≥ 0 and integer, times > 0) and rounded. Treated units
// get Y(1) = clip(Y(0) + δ) with δ as documented on [Effect]: a size in the
// indicator's units or in standard deviations, a ramp-up by years since
// adoption, anticipation, and multipliers by region, tier and cohort.
// Monthly indicators are generated monthly and rolled up to the annual
// panel by their aggregation (mean).
//
// Pilots are drawn batch by batch (2012, 2013, 2014 or 2015, 2024; sizes
// 37, 40, 30 and 100 with 42% county-level, scaled to the number of units)
// without replacement, favouring the east and larger cities unless
// Options.RandomAssignment: the assignment is synthetic and says so in
// every note. Tiers come from the registry (the 2020 census 超大/特大
// cities); all others are synthetic, set by rule from provincial-capital
// or sub-provincial status or drawn by region, and are listed in
// Dataset.SyntheticTiers.
//
// About Options.MissingShare of cells are missing (NaN): a few units miss
// a whole early year, the rest of the share falls on cells at random.
//
// # Truth
//
// [Truth] is computed from the potential outcomes, not from the nominal
// settings: the ATT of a group of treated unit-periods is the mean of
// Y(1) − Y(0), so clipping and rounding are accounted for. It is given per
// indicator by cohort and event time (years since adoption; months for
// the monthly panel), for estimators to be checked against.
//
// # Determinism
//
// Every (unit, indicator) pair draws from its own PCG stream of
// math/rand/v2 seeded with Options.Seed and keyed by the unit and indicator
// codes; units are generated in parallel in fixed chunks and sums are
// reduced in chunk order. The output is therefore identical for any
// GOMAXPROCS or Options.Workers, and a city's series does not depend on
// which other cities are generated alongside it (given the same
// assignment).
//
// # Errors
//
// Generate returns an *OptionsError for invalid options and Write an
// *OutputError for an output directory it will not replace; both are
// user-facing. Nothing panics on user input.
package demo
