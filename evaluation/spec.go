package evaluation

// SpecSchema is the version of the evaluation spec layout this program
// reads. A spec states it in its first key (schema: 1).
const SpecSchema = 1

// Spec is an evaluation spec: where the data come from, which framework,
// which policy and outcomes, how the index and the causal analysis are
// made and what the report shows. It is read from YAML by [ParseSpec]
// (every problem names its key path and line) and completed by
// [Spec.Defaults]; the zero value of each optional field means the
// documented default. `cityimpact init` writes a commented spec.
type Spec struct {
	Schema int  `yaml:"schema" json:"schema"`
	Title  Text `yaml:"title" json:"title"`

	Data      DataSpec      `yaml:"data" json:"data"`
	Framework FrameworkSpec `yaml:"framework" json:"framework"`
	Policy    PolicySpec    `yaml:"policy" json:"policy"`
	Index     IndexSpec     `yaml:"index" json:"index"`
	Causal    CausalSpec    `yaml:"causal" json:"causal"`
	Peers     PeerSpec      `yaml:"peers" json:"peers"`
	Report    ReportSpec    `yaml:"report" json:"report"`

	// dir is the directory relative paths are resolved against (the spec
	// file's directory).
	dir string
	// file is the spec's file name as the user gave it.
	file string
	// lines maps key paths to their line and column, for errors found
	// when the spec runs.
	lines map[string][2]int
}

// DataSpec says where the panel comes from: exactly one of Generate,
// Files or Store.
type DataSpec struct {
	// Generate runs the built-in synthetic generator (the demo data).
	Generate *GenerateSpec `yaml:"generate" json:"generate,omitempty"`
	// Files are CSV/XLSX/Parquet files (long or wide, annual or monthly),
	// relative to the spec file; Treatments the policy adoption table.
	Files      []string `yaml:"files" json:"files,omitempty"`
	Treatments string   `yaml:"treatments" json:"treatments,omitempty"`
	Encoding   string   `yaml:"encoding" json:"encoding,omitempty"`
	// Store reads a dataset from the DuckDB store.
	Store *StoreSpec `yaml:"store" json:"store,omitempty"`
	// Impute is the missing-value treatment applied before the index
	// (none, linear, forward, backward, both, unit-mean, peer-mean);
	// default linear. ImputePeer is peer-mean's grouping attribute.
	Impute     string `yaml:"impute" json:"impute"`
	ImputePeer string `yaml:"impute_peer" json:"impute_peer,omitempty"`
	// From and To restrict the years evaluated (inclusive; 0 = all).
	From int `yaml:"from" json:"from,omitempty"`
	To   int `yaml:"to" json:"to,omitempty"`
}

// GenerateSpec configures the synthetic generator.
type GenerateSpec struct {
	Seed         uint64  `yaml:"seed" json:"seed"`
	Units        int     `yaml:"units" json:"units,omitempty"` // 0 = the 297 default cities
	StartYear    int     `yaml:"start_year" json:"start_year,omitempty"`
	EndYear      int     `yaml:"end_year" json:"end_year,omitempty"`
	MissingShare float64 `yaml:"missing_share" json:"missing_share,omitempty"`
}

// StoreSpec names a stored dataset.
type StoreSpec struct {
	DB      string `yaml:"db" json:"db"`
	Dataset string `yaml:"dataset" json:"dataset"`
	Version int    `yaml:"version" json:"version,omitempty"` // 0 = latest
}

// FrameworkSpec names the indicator framework: a built-in template or a
// YAML file (relative to the spec).
type FrameworkSpec struct {
	Template string `yaml:"template" json:"template,omitempty"`
	File     string `yaml:"file" json:"file,omitempty"`
}

// PolicySpec names the policy (a treatment in the treatment table) and the
// outcomes whose change is evaluated: "goal" (the composite index),
// "dimensions" (every dimension), or node codes.
type PolicySpec struct {
	Name     string   `yaml:"name" json:"name"`
	Outcomes []string `yaml:"outcomes" json:"outcomes"`
}

// IndexSpec configures the composite index; names as `cityimpact index`
// takes them.
type IndexSpec struct {
	Normalise string `yaml:"normalise" json:"normalise"` // minmax (default), zscore, rank, percentile, ratio, target
	Weights   string `yaml:"weights" json:"weights"`     // entropy (default), critic, cv, sd, pca, equal, expert, ahp, combined
	// WeightsPerPeriod recomputes objective weights each year (the seed's
	// practice); the default pools all years so scores compare over time.
	WeightsPerPeriod bool   `yaml:"weights_per_period" json:"weights_per_period"`
	Aggregate        string `yaml:"aggregate" json:"aggregate"` // linear (default), geometric, topsis, gra
	Missing          string `yaml:"missing" json:"missing"`     // reweight (default), none, period-mean, unit-mean
	// Winsorise clamps each indicator's values outside the P and 1−P
	// quantiles (0 = no winsorisation; default 0.01).
	Winsorise *float64 `yaml:"winsorise" json:"winsorise"`
	// Uncertainty is the number of Monte Carlo draws for rank intervals
	// (0 = default 200, −1 = off) and its seed.
	Uncertainty int    `yaml:"uncertainty" json:"uncertainty"`
	Seed        uint64 `yaml:"seed" json:"seed"`
	// Coupling computes the coupling-coordination degree of the dimensions
	// (default true).
	Coupling *bool `yaml:"coupling" json:"coupling"`
	// MaxMissing drops indicators missing more than this share of cells
	// after imputation (default 0.5).
	MaxMissing float64 `yaml:"max_missing" json:"max_missing"`
}

// CausalSpec lists the causal methods run on every outcome, in order.
// Known methods ([MethodNames]): twfe, event_study, placebo, sunab,
// callaway_santanna, imputation, bacon (the default list), sdid,
// sdid_staggered and mediation.
// Cluster is the clustering variable (unit, province or none). Controls
// are indicator codes added as covariates to every method but bacon: to
// the regressions (TWFE, event study, placebo, Sun–Abraham, mediation), to
// the imputation estimator's Y(0) model, to Callaway–Sant'Anna as did's
// xformla (doubly robust on base-period values) and to synthetic DID as
// synthdid's time-varying covariates; units with a missing control are
// left out of the estimators that need a balanced panel.
type CausalSpec struct {
	Methods  []string `yaml:"methods" json:"methods"`
	Cluster  string   `yaml:"cluster" json:"cluster"`
	Controls []string `yaml:"controls" json:"controls,omitempty"`
	// Mediators are indicator codes the mediation method tests as channels
	// (D → M → outcome); required by it.
	Mediators []string `yaml:"mediators" json:"mediators,omitempty"`
	// RegionTrends adds region × year fixed effects (the usual fix when
	// pilots were chosen by region).
	RegionTrends bool `yaml:"region_trends" json:"region_trends"`
	// Leads and Lags bound the event window (defaults 5 and 5); periods
	// beyond are binned.
	Leads int `yaml:"leads" json:"leads"`
	Lags  int `yaml:"lags" json:"lags"`
	// Placebo draws (default 500) and seed.
	Draws int    `yaml:"draws" json:"draws"`
	Seed  uint64 `yaml:"seed" json:"seed"`
	// Level of confidence intervals (default 0.95).
	Level float64 `yaml:"level" json:"level"`
}

// PeerSpec chooses peer groups (region, tier, province or none; default
// tier) and the consecutive-failure rule (default 2 periods: the seed's
// two consecutive years below standard → 约谈), counted over the years in
// which targets are assessed.
type PeerSpec struct {
	By          string `yaml:"by" json:"by"`
	Consecutive int    `yaml:"consecutive" json:"consecutive"`
	// TargetQuantile sets per-peer-group targets for indicators without a
	// framework target: the peer group's quantile of the previous period
	// (0 = none; e.g. 0.25 flags the bottom quarter).
	TargetQuantile float64 `yaml:"target_quantile" json:"target_quantile"`
	// TargetsFrom is the first year in which targets are assessed (a
	// 2025 target is not failed in 2010): consecutive failures are counted
	// from it, and from an indicator's own target_from when that is later
	// (the attainment rate 达标率 likewise counts a target only from the
	// later of the two). 0 means the last trend_periods years for the
	// failures and every year for the attainment rate.
	TargetsFrom int `yaml:"targets_from" json:"targets_from"`
	// SystemicShare is the share of assessed cities raising the same
	// alert on the same indicator from which the alert is reported as
	// systemic (a shortfall of the programme or of the target, shown once
	// per indicator in the report instead of once per city); default 0.5.
	SystemicShare float64 `yaml:"systemic_share" json:"systemic_share"`
}

// ReportSpec configures the report.
type ReportSpec struct {
	Language string `yaml:"language" json:"language"` // zh, en or both (default both)
	// Cases are case cities (codes or names) shown with a radar chart and
	// a full diagnosis at the top.
	Cases []string `yaml:"cases" json:"cases"`
	// Top is the number of cities in the ranking table (default 20; the
	// full ranking is in results.xlsx).
	Top int `yaml:"top" json:"top"`
	// TrendPeriods is the window of the per-city trend (default 5).
	TrendPeriods int `yaml:"trend_periods" json:"trend_periods"`
	// Print chooses what report.html prints by default: "brief" (the
	// default) prints the city-diagnosis table for case cities, the top
	// and bottom Top of the ranking and cities with city-specific alerts;
	// "full" prints every city. The screen always shows every city, and a
	// button on the page switches the mode before printing.
	Print string `yaml:"print" json:"print"`
	// Map replaces the bundled map with a GeoJSON file (relative to the
	// spec) whose features carry GB/T 2260 codes in property "adcode" or
	// "code"; maps published in China need an approval number (审图号).
	Map string `yaml:"map" json:"map,omitempty"`
}
