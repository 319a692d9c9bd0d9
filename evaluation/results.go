package evaluation

// ResultsSchema names the layout of [Results] (results.json). It changes
// when a field is renamed or removed; adding a field keeps it.
const ResultsSchema = "cityimpact/results/v1"

// Results is everything one evaluation produced: the machine-readable
// record that results.json serialises and that every report (HTML,
// Markdown, XLSX, LaTeX) is rendered from. A report never computes a
// number of its own; it formats numbers found here.
//
// Slices follow fixed orders so that two runs on the same inputs give
// byte-identical JSON: units in data order (GB/T 2260 code order for the
// built-in registry), periods oldest first, nodes in framework order,
// methods in spec order, outcomes in spec order.
//
// Missing numbers are NaN in memory and null in JSON ([Num]).
type Results struct {
	Schema  string  `json:"schema"`
	Program Program `json:"program"`
	// Generated is the wall-clock time of the run (RFC 3339, UTC): the one
	// field that differs between two runs on the same inputs.
	Generated string `json:"generated"`
	// InputHash is the SHA-256 of the canonical spec and of every input
	// byte (data files, framework file, treatment table; for generated
	// data the generator options).
	InputHash string `json:"input_hash"`
	Spec      *Spec  `json:"spec"`

	Title Text `json:"title"`
	// Synthetic is true when the data came from the demo generator: every
	// report says so prominently.
	Synthetic bool `json:"synthetic"`

	Framework FrameworkInfo `json:"framework"`
	Units     []UnitInfo    `json:"units"`
	Periods   []string      `json:"periods"`
	Policy    PolicySummary `json:"policy"`

	Data   DataQuality    `json:"data"`
	Index  IndexResults   `json:"index"`
	Causal []MethodResult `json:"causal"`
	// Comparisons set TWFE beside the heterogeneity-robust estimates per
	// outcome, with a sentence on why they differ.
	Comparisons []Comparison    `json:"comparisons"`
	Trends      []TrendSeries   `json:"trends"`
	Cities      []CityDiagnosis `json:"cities"`
	Alerts      []Alert         `json:"alerts"`
	// AlertGroups count each kind of alert on each indicator across
	// cities and say which are systemic (see [AlertGroup]).
	AlertGroups []AlertGroup   `json:"alert_groups"`
	Notes       []string       `json:"notes"`
	Timings     map[string]Num `json:"-"` // seconds per stage, printed, never serialised
}

// Program identifies the software that produced the results.
type Program struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Text is a short text in both report languages.
type Text struct {
	Zh string `json:"zh" yaml:"zh"`
	En string `json:"en" yaml:"en"`
}

// FrameworkInfo describes the indicator framework used: its nodes in
// tree order (goal first), with the parent's index (−1 for the goal).
type FrameworkInfo struct {
	Code  string     `json:"code"`
	Name  Text       `json:"name"`
	Nodes []NodeInfo `json:"nodes"`
}

// NodeInfo is one node of the framework as the report needs it.
type NodeInfo struct {
	Code      string `json:"code"`
	Name      Text   `json:"name"`
	Parent    int    `json:"parent"`
	Depth     int    `json:"depth"`
	Indicator bool   `json:"indicator"`
	Unit      string `json:"unit,omitempty"`
	Direction string `json:"direction,omitempty"` // "+" or "-"
	// Target is the framework's target value for every unit, when it has
	// one; per-peer-group targets are in CityDiagnosis.
	Target *Num `json:"target,omitempty"`
	// TargetFrom is the first year the target applies (the framework's
	// target_from), 0 when it applies in every year.
	TargetFrom int `json:"target_from,omitempty"`
}

// UnitInfo is one city with its attributes and treatment status.
type UnitInfo struct {
	Code     string `json:"code"`
	Name     Text   `json:"name"`
	Province string `json:"province,omitempty"`
	Region   string `json:"region,omitempty"`
	Tier     string `json:"tier,omitempty"`
	// Cohort is the first treated period's label ("" for never treated).
	Cohort string `json:"cohort,omitempty"`
	// Case marks a case city named in the spec's report options.
	Case bool `json:"case,omitempty"`
}

// PolicySummary describes the evaluated policy and its adoption.
type PolicySummary struct {
	Name     string        `json:"name"`
	Treated  int           `json:"treated"`
	Never    int           `json:"never_treated"`
	Cohorts  []CohortCount `json:"cohorts"`
	Outcomes []string      `json:"outcomes"` // node codes; "goal" is the composite index
}

// CohortCount is the number of units first treated in a period.
type CohortCount struct {
	Period string `json:"period"`
	Units  int    `json:"units"`
}

// DataQuality is the data-quality section: what was wrong with the data
// and what the evaluation did about it.
type DataQuality struct {
	Check *DataCheck `json:"check"`
	// Indicators has one row per framework indicator in framework order.
	Indicators []IndicatorQuality `json:"indicators"`
	// Dropped lists indicators left out of the index, each with the reason.
	Dropped []Dropped `json:"dropped"`
}

// IndicatorQuality summarises one indicator's cells.
type IndicatorQuality struct {
	Code         string `json:"code"`
	Cells        int    `json:"cells"`
	Missing      int    `json:"missing"`       // before imputation
	MissingShare Num    `json:"missing_share"` // Missing / Cells
	Imputed      int    `json:"imputed"`
	Imputation   string `json:"imputation,omitempty"` // method name
	Winsorised   int    `json:"winsorised"`
	Outliers     int    `json:"outliers"` // beyond the winsorisation bounds before clamping, or |robust z| > 3.5 when not winsorising
}

// Dropped is an indicator left out of the index.
type Dropped struct {
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// IndexResults is the composite index.
type IndexResults struct {
	Method map[string]string `json:"method"` // normalise, weights, aggregate, missing, scope ...
	// Weights has one row per non-goal node in tree order.
	Weights []WeightRow `json:"weights"`
	// Scores[k] is node k's score (framework order, indicators included:
	// their normalised values) per unit × period row u·T + t.
	Scores [][]Num `json:"scores"`
	// Raw[k] is indicator k's value after imputation and winsorisation
	// (null for inner nodes).
	Raw [][]Num `json:"raw"`
	// Rank, Grade and Attainment are per row u·T + t, for the goal.
	Rank       []Num    `json:"rank"`
	Grade      []string `json:"grade"`
	Attainment []Num    `json:"attainment"`
	// PeerRank is the goal's rank within the unit's peer group
	// (Spec.Peers.By), per row.
	PeerRank []Num `json:"peer_rank"`
	// Uncertainty holds the Monte Carlo rank intervals of the last period
	// (nil when disabled).
	Uncertainty *RankUncertainty `json:"uncertainty"`
	// Coupling is the coupling-coordination degree of the dimensions in
	// the last period (nil when disabled or fewer than two dimensions).
	Coupling *CouplingResult `json:"coupling"`
	Notes    []string        `json:"notes"`
}

// WeightRow is one node's weight within its parent and in the goal.
type WeightRow struct {
	Code   string `json:"code"`
	Parent string `json:"parent"`
	Local  Num    `json:"local"`
	Global Num    `json:"global"`
}

// RankUncertainty is the rank distribution under alternative index
// choices (weights, normalisation, aggregation, missing rule) in the last
// period, per unit in unit order.
type RankUncertainty struct {
	Period  string   `json:"period"`
	Draws   int      `json:"draws"`
	Seed    uint64   `json:"seed"`
	Median  []Num    `json:"median"`
	Low     []Num    `json:"low"`  // 5th percentile
	High    []Num    `json:"high"` // 95th percentile
	Nominal []Num    `json:"nominal"`
	Varied  []string `json:"varied"` // which choices were varied
}

// CouplingResult is the coupling-coordination degree of the dimension
// scores in one period, per unit.
type CouplingResult struct {
	Period     string   `json:"period"`
	Dimensions []string `json:"dimensions"`
	C          []Num    `json:"c"`
	T          []Num    `json:"t"`
	D          []Num    `json:"d"`
	Band       []string `json:"band"` // coordination band of D (zh label)
	BandEn     []string `json:"band_en"`
}

// MethodResult is what one causal method gave for one outcome. Every
// method fills Estimates; event-study-like methods fill Points; tests
// (pre-trends, placebo p-values) go to Tests.
type MethodResult struct {
	Method  string `json:"method"`  // twfe, event_study, placebo, sunab, cs, synth ...
	Outcome string `json:"outcome"` // node code
	Label   Text   `json:"label"`
	// Formula is the model as estimated, when the method has one.
	Formula   string       `json:"formula,omitempty"`
	VCov      string       `json:"vcov,omitempty"`
	NObs      int          `json:"nobs"`
	R2        *Num         `json:"r2,omitempty"`
	R2Within  *Num         `json:"r2_within,omitempty"`
	Estimates []Estimate   `json:"estimates"`
	Points    []EventPoint `json:"points,omitempty"`
	Tests     []Test       `json:"tests,omitempty"`
	// Distribution holds draws of a placebo or bootstrap statistic
	// (sorted), for a histogram.
	Distribution []Num    `json:"distribution,omitempty"`
	Notes        []string `json:"notes,omitempty"`
	// Error is set when the method could not be estimated on this outcome
	// (for example no variation); the other methods still run.
	Error string `json:"error,omitempty"`
}

// Estimate is one estimated effect with its inference.
type Estimate struct {
	Term  string `json:"term"`
	Value Num    `json:"estimate"`
	SE    Num    `json:"se"`
	T     Num    `json:"t"`
	P     Num    `json:"p"`
	Low   Num    `json:"ci_low"`
	High  Num    `json:"ci_high"`
	// Relative is Value over the comparison mean of the outcome before
	// treatment (NaN when undefined), for "x% of the baseline" sentences.
	Relative Num `json:"relative"`
}

// EventPoint is one relative period of an event study (the reference
// period has estimate 0 and Ref set).
type EventPoint struct {
	Rel   int  `json:"rel"`
	Value Num  `json:"estimate"`
	SE    Num  `json:"se"`
	Low   Num  `json:"ci_low"`
	High  Num  `json:"ci_high"`
	Ref   bool `json:"ref,omitempty"`
}

// Test is a hypothesis test reported with a method.
type Test struct {
	Name  string `json:"name"` // pre_trends, placebo, ...
	Label Text   `json:"label"`
	Stat  Num    `json:"stat"`
	DF    int    `json:"df,omitempty"`
	P     Num    `json:"p"`
}

// TrendSeries is the mean of an outcome by period for one group of units
// (treated cohort, all treated, never treated).
type TrendSeries struct {
	Outcome string `json:"outcome"`
	Group   string `json:"group"` // "treated", "comparison", or a cohort label
	Label   Text   `json:"label"`
	Units   int    `json:"units"`
	Mean    []Num  `json:"mean"` // per period
}

// CityDiagnosis is the diagnosis of one city in the last period.
type CityDiagnosis struct {
	Unit            string `json:"unit"`
	Period          string `json:"period"`
	Score           Num    `json:"score"`
	Rank            Num    `json:"rank"`
	Of              int    `json:"of"` // units ranked
	PeerGroup       string `json:"peer_group"`
	PeerRank        Num    `json:"peer_rank"`
	PeerOf          int    `json:"peer_of"`
	PeerMedianScore Num    `json:"peer_median_score"`
	Grade           string `json:"grade"`
	Attainment      Num    `json:"attainment"`
	// Dimensions are the city's dimension scores with the peer median.
	Dimensions []Gap `json:"dimensions"`
	// Strengths and Weaknesses are the indicators furthest above and below
	// the peer median, in normalised (benefit-oriented) units.
	Strengths  []Gap `json:"strengths"`
	Weaknesses []Gap `json:"weaknesses"`
	// NoTarget lists indicators without a target for this city.
	NoTarget []string `json:"no_target"`
	// Trend is the goal score's least-squares slope per period over the
	// last Spec.Report.TrendPeriods periods, and Change the change since
	// the previous period.
	Trend  Num `json:"trend"`
	Change Num `json:"change"`
	// Failures are indicators below target (or the peer-group target) in
	// consecutive periods up to the last one.
	Failures  []Failure `json:"failures"`
	Narrative Text      `json:"narrative"`
}

// Gap compares a city's value of a node with its peer group's median.
type Gap struct {
	Code   string `json:"code"`
	Value  Num    `json:"value"`  // normalised score
	Raw    Num    `json:"raw"`    // raw value (indicators only)
	Median Num    `json:"median"` // peer median of the normalised score
	Gap    Num    `json:"gap"`    // Value − Median
}

// Failure is an indicator a city failed in consecutive periods.
type Failure struct {
	Code    string   `json:"code"`
	Periods []string `json:"periods"`
	Target  Num      `json:"target"`
	Values  []Num    `json:"values"`
}

// Alert is a monitoring flag raised by the evaluation.
type Alert struct {
	Unit    string   `json:"unit"`
	Code    string   `json:"code"`  // indicator or "goal"
	Kind    string   `json:"kind"`  // consecutive_below_target, veto, rank_drop
	Level   string   `json:"level"` // warning or serious (约谈 after two consecutive failures)
	Periods []string `json:"periods"`
	Message Text     `json:"message"`
	// Systemic marks an alert whose indicator and kind are raised in at
	// least Peers.SystemicShare of the assessed cities (see [AlertGroup]).
	Systemic bool `json:"systemic"`
}

// AlertGroup counts the alerts of one kind on one indicator (or "goal"
// for rank drops) across cities. Assessed is the number of cities the rule
// could be applied to in the last period: those with a target and a value
// for consecutive failures, those with a value for veto floors, the ranked
// cities for rank drops. A group is systemic when Cities/Assessed reaches
// Peers.SystemicShare (default one half): a shortfall of the programme or
// of the target rather than of single cities, which a decision maker reads
// differently from a city-specific failure. The alerts themselves are kept
// either way; the rule (约谈 after consecutive failures) is not waived.
type AlertGroup struct {
	Code     string `json:"code"`
	Kind     string `json:"kind"`
	Level    string `json:"level"`
	Cities   int    `json:"cities"`
	Assessed int    `json:"assessed"`
	Share    Num    `json:"share"` // Cities / Assessed
	Systemic bool   `json:"systemic"`
	Message  Text   `json:"message"`
}
