package evaluation

import (
	"fmt"
	"strings"

	"github.com/cityimpact/cityimpact/framework"
)

// SpecTemplate returns a commented evaluation spec for the framework
// template fw: every key with its default and the choices it takes.
// With generate set, the data come from the built-in synthetic generator
// (runs as is); otherwise the data keys point at files to fill in.
func SpecTemplate(fw string, generate bool) (string, error) {
	if fw == "" {
		fw = "seed-2025"
	}
	found := false
	for _, t := range framework.Templates() {
		found = found || t == fw
	}
	if !found {
		return "", fmt.Errorf("unknown framework template %q (want one of %s)", fw, strings.Join(framework.Templates(), ", "))
	}
	data := `data:
  # The data: exactly one of generate, files or store.
  # files: CSV (long or wide, UTF-8 or GBK), XLSX or Parquet, annual or
  # monthly (monthly indicators are rolled up to years by the framework's
  # aggregation); paths are relative to this file.
  files: [annual.csv, monthly.csv]
  # The policy adoption table: unit, policy, start[, exit, note].
  treatments: treatments.csv
  # store: {db: cityimpact-data/cityimpact.duckdb, dataset: demo, version: 0}
  # generate: {seed: 1}      # the synthetic demo panel instead of files`
	if generate {
		data = `data:
  # The data: exactly one of generate, files or store.
  # generate runs the built-in SYNTHETIC generator (297 cities, 2010–2025,
  # staggered pilot batches with a known effect); every report says so.
  generate: {seed: 1}
  # files: [annual.csv, monthly.csv]   # CSV/XLSX/Parquet, relative to this file
  # treatments: treatments.csv         # unit, policy, start[, exit, note]
  # store: {db: cityimpact-data/cityimpact.duckdb, dataset: demo}`
	}
	return fmt.Sprintf(`# cityimpact evaluation spec. Run: cityimpact evaluate THIS_FILE --out DIR
# Every key but schema and data is optional; the values shown are the
# defaults. Unknown keys are errors.
schema: %d
title:
  zh: 智慧城市试点政策评估报告
  en: Smart-city pilot policy evaluation

%s
  # Missing cells: none, linear, forward, backward, both, unit-mean,
  # peer-mean (with impute_peer: region|tier|province).
  impute: linear
  # Years evaluated (0 = all).
  from: 0
  to: 0

framework:
  # A built-in template (%s) or file: my-framework.yaml
  template: %s

policy:
  # The policy in the treatment table, and the outcomes evaluated: goal
  # (the composite index), dimensions (each dimension's score) or codes.
  name: smart_city_pilot
  outcomes: [goal, dimensions]

index:
  normalise: minmax        # minmax, zscore, rank, percentile, ratio, target
  weights: entropy         # entropy, critic, cv, sd, pca, equal, expert, ahp, combined
  weights_per_period: false  # true recomputes entropy weights every year
  aggregate: linear        # linear, geometric, topsis, gra
  missing: reweight        # reweight, none, period-mean, unit-mean
  winsorise: 0.01          # clamp each indicator's 1%% tails (0 = off)
  uncertainty: 200         # Monte Carlo draws for rank intervals (-1 = off)
  seed: 1
  coupling: true           # coupling coordination of the dimensions
  max_missing: 0.5         # drop indicators missing more than this share

causal:
  # Run in this order on every outcome. twfe: two-way fixed-effects DID;
  # event_study: leads/lags with the parallel-trends test; placebo:
  # permutation test; sunab: Sun–Abraham; callaway_santanna: group-time
  # ATT (not-yet-treated controls); imputation: Borusyak–Jaravel–Spiess;
  # bacon: Goodman-Bacon decomposition of the TWFE estimate; sdid:
  # synthetic DID of each treated case city (on the first outcome);
  # sdid_staggered: synthetic DID of all pilots, one block per adoption
  # cohort against never-treated cities (Stata sdid); mediation: mechanism test through the mediators below. Under staggered
  # adoption callaway_santanna and bacon are always added.
  methods: [twfe, event_study, placebo, sunab, callaway_santanna, imputation, bacon, sdid, sdid_staggered]
  cluster: unit            # unit, province or none (heteroskedasticity-robust)
  controls: []             # indicator codes as covariates (every method but bacon; CS doubly robust)
  mediators: []            # indicator codes tested as channels by mediation
  region_trends: false     # add region × year fixed effects
  leads: 5                 # event window; periods beyond are binned
  lags: 5
  draws: 500               # placebo reassignments
  seed: 1
  level: 0.95

peers:
  by: tier                 # tier, region, province or none
  consecutive: 2           # periods below target that raise 约谈
  target_quantile: 0       # e.g. 0.25: peer-group targets for indicators without one
  targets_from: 0          # first year targets are assessed (0: the last trend_periods years)
  systemic_share: 0.5      # alerts raised in this share of cities are reported once, as systemic

report:
  language: both           # zh, en or both
  cases: [杭州, 深圳, 贵阳]  # case cities: codes or names
  top: 20
  trend_periods: 5
  print: brief             # brief: print case, top, bottom and alerted cities; full: every city
  # map: my-approved-map.geojson  # features with GB/T 2260 "adcode"
`, SpecSchema, data, strings.Join(framework.Templates(), ", "), fw), nil
}
