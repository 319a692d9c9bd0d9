package cli

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cityimpact/cityimpact/econ"
	"github.com/cityimpact/cityimpact/ingest"
	"gonum.org/v1/gonum/stat/distuv"
)

func init() {
	register(&command{
		name:    "did",
		summary: "Callaway–Sant'Anna group-time ATT(g,t) with simple, dynamic, group and calendar aggregations",
		run:     runDID,
	})
}

const didUsage = `did --data FILE.csv --outcome Y --unit ID --time T --cohort G [flags]

Staggered difference-in-differences of Callaway & Sant'Anna (2021), as R's did
2.5.1 (att_gt + aggte): ATT(g,t) for every cohort g and period t on a balanced
panel (or --sample unbalanced / rcs for unbalanced panels and repeated
cross-sections), and the simple, dynamic (event-study), group and calendar
aggregations.
The cohort column holds the first treated period; 0 means never treated.

With --covariates the 2x2 comparisons condition on the covariates (taken at the
earlier of the two periods, as did): --method dr (doubly robust, did's default),
ipw (inverse probability weighting) or reg (outcome regression), as DRDID.
--boot 0 gives analytic influence-function SEs (clustered with --cluster);
--boot N > 0 replaces them by the multiplier bootstrap (Rademacher weights as
did, one multiplier per cluster), and --cband adds uniform confidence bands
(critical values from the bootstrap sup-t). The Wald pre-test of parallel
trends (all pre-treatment ATT(g,t) = 0) is always reported.
--compare-twfe also fits the two-way fixed-effects regression (y ~ D | unit +
time, D = 1{time ≥ cohort > 0}) and prints it beside CS simple and dynamic as an
etable-style regression table (in JSON: "compare_twfe").

--weights COL gives sampling weights (did's weightsname): non-negative numbers,
constant within a unit in a panel (one per row with --sample rcs); they enter
every 2x2 estimate and the cohort shares of the aggregations. The bootstrap
multipliers are chosen with --multipliers.
--balance-e N, --min-e A and --max-e B restrict the dynamic (event-study)
aggregation as did's aggte(type = "dynamic", balance_e, min_e, max_e): only
cohorts observed at least N periods after treatment and event times
N − (last − first period) ≤ e ≤ N (balanced in event time), and A ≤ e ≤ B; the
overall dynamic effect averages the remaining e ≥ 0. Simple, group and
calendar aggregations are unchanged. In JSON the dynamic object then also
carries "balance_e", "min_e" and "max_e" as given, and the top level
"weights" names the weight column.`

const didExample = `cityimpact did --data mpdta.csv --outcome lemp --unit countyreal --time year --cohort first.treat --covariates lpop --method dr --boot 999 --seed 1 --cband --format json
  cityimpact did --data mpdta.csv --outcome lemp --unit countyreal --time year --cohort first.treat --weights w --balance-e 1 --min-e -2 --max-e 2`

func runDID(env *Env, args []string) error {
	fs := newFlags(env, "did", didUsage, didExample)
	data := fs.String("data", "", "wide CSV `file` (header row of column names)")
	outcome := fs.String("outcome", "", "outcome `column`")
	unit := fs.String("unit", "", "unit identifier `column`")
	tcol := fs.String("time", "", "period `column` (integers)")
	cohort := fs.String("cohort", "", "first-treated period `column` (0 = never treated)")
	control := fs.String("control", "never", "comparison units: never (never treated) or notyet (not yet treated)")
	basePeriod := fs.String("base-period", "varying", "base period: varying or universal")
	base := fs.String("base", "", "same as --base-period (older name)")
	covs := fs.String("covariates", "", "comma-separated covariate `columns` (numeric)")
	method := fs.String("method", "dr", "estimator with covariates: dr, ipw or reg")
	ant := fs.Int("anticipation", 0, "anticipation `periods` before treatment")
	cluster := fs.String("cluster", "", "cluster `column` (constant within unit) for SEs and the bootstrap; default: the unit")
	boot := fs.Int("boot", 0, "multiplier bootstrap draws; 0 gives analytic SEs")
	seed := fs.Uint64("seed", 1, "bootstrap seed")
	cband := fs.Bool("cband", false, "uniform confidence bands (needs --boot > 0)")
	alpha := fs.Float64("alpha", 0.05, "significance level of the confidence bands")
	weights := fs.String("weights", "", "sampling-weight `column` (did's weightsname; constant within a unit in a panel)")
	multipliers := fs.String("multipliers", "rademacher", "bootstrap multipliers: rademacher (as did) or mammen")
	balanceE := fs.Int("balance-e", 0, "dynamic aggregation: only cohorts observed at least `N` periods after treatment, e ≤ N (did's balance_e)")
	minE := fs.Int("min-e", 0, "dynamic aggregation: smallest event time `e` reported (did's min_e)")
	maxE := fs.Int("max-e", 0, "dynamic aggregation: largest event time `e` reported (did's max_e)")
	sample := fs.String("sample", "panel", "panel (balanced), unbalanced (units may miss periods) or rcs (repeated cross-sections: every row its own observation)")
	format := fs.String("format", "table", "output format: table, json or csv")
	compare := fs.Bool("compare-twfe", false, "also fit TWFE (outcome ~ D | unit + time, D = 1{time ≥ cohort > 0}) and print it beside CS simple and dynamic as a regression table (table or json format)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return userErrorf("did: unexpected argument %q", fs.Arg(0))
	}
	if *compare && *format == "csv" {
		return userErrorf("did: --compare-twfe prints with --format table or json, not csv")
	}
	for _, req := range []struct{ name, v string }{{"data", *data}, {"outcome", *outcome}, {"unit", *unit}, {"time", *tcol}, {"cohort", *cohort}} {
		if req.v == "" {
			return userErrorf("did: --%s is required", req.name)
		}
	}
	if *base != "" {
		*basePeriod = *base
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	opts := econ.CSOptions{Anticipation: *ant, Boot: *boot, Seed: *seed, CBand: *cband, Alpha: *alpha}
	switch *control {
	case "never":
	case "notyet":
		opts.Control = econ.CSNotYetTreated
	default:
		return userErrorf("did: --control must be never or notyet, not %q", *control)
	}
	switch *basePeriod {
	case "varying":
	case "universal":
		opts.Base = econ.CSUniversal
	default:
		return userErrorf("did: --base-period must be varying or universal, not %q", *basePeriod)
	}
	switch *method {
	case "dr":
	case "ipw":
		opts.Method = econ.CSIPW
	case "reg":
		opts.Method = econ.CSOutcomeRegression
	default:
		return userErrorf("did: --method must be dr, ipw or reg, not %q", *method)
	}
	if set["balance-e"] {
		if *balanceE < 0 {
			return userErrorf("did: --balance-e must be 0 or more, not %d", *balanceE)
		}
		opts.BalanceE = new(*balanceE)
	}
	if set["min-e"] {
		opts.MinE = new(*minE)
	}
	if set["max-e"] {
		opts.MaxE = new(*maxE)
	}
	if set["min-e"] && set["max-e"] && *minE > *maxE {
		return userErrorf("did: --min-e %d is above --max-e %d", *minE, *maxE)
	}
	switch *multipliers {
	case "rademacher":
	case "mammen":
		opts.Weights = econ.CSMammen
	default:
		return userErrorf("did: --multipliers must be rademacher or mammen, not %q", *multipliers)
	}
	switch *sample {
	case "panel":
	case "unbalanced":
		opts.Sample = econ.CSUnbalancedPanel
	case "rcs":
		opts.Sample = econ.CSRepeatedCrossSections
	default:
		return userErrorf("did: --sample must be panel, unbalanced or rcs, not %q", *sample)
	}
	if *ant < 0 {
		return userErrorf("did: --anticipation must be 0 or more, not %d", *ant)
	}
	if *boot < 0 {
		return userErrorf("did: --boot must be 0 or more, not %d", *boot)
	}
	if *cband && *boot == 0 {
		return userErrorf("did: --cband needs bootstrap draws: add --boot 999")
	}
	if !(*alpha > 0 && *alpha < 1) {
		return userErrorf("did: --alpha must be in (0, 1), not %v", *alpha)
	}
	switch *format {
	case "table", "json", "csv":
	default:
		return userErrorf("did: --format must be table, json or csv, not %q", *format)
	}
	var covNames []string
	if *covs != "" {
		for _, c := range strings.Split(*covs, ",") {
			if c = strings.TrimSpace(c); c != "" {
				covNames = append(covNames, c)
			}
		}
	}
	f, err := readWideCSV(*data)
	if err != nil {
		return err
	}
	if w := *weights; (w == "rademacher" || w == "mammen") && !slices.Contains(f.Names(), w) {
		// Before --weights named the sampling weights it chose the
		// bootstrap multipliers; keep such command lines working.
		env.Logf("did: --weights %s means --multipliers %s (--weights now names a sampling-weight column)", w, w)
		if !set["multipliers"] && w == "mammen" {
			opts.Weights = econ.CSMammen
		}
		*weights = ""
	}
	d, err := didColumns(f, *data, *outcome, *unit, *tcol, *cohort, covNames, *cluster, *weights, opts.Sample != econ.CSRepeatedCrossSections)
	if err != nil {
		return err
	}
	r, err := econ.CallawaySantAnna(d, opts)
	if err != nil {
		cols := didCSColumns{outcome: *outcome, time: *tcol, cohort: *cohort, cluster: *cluster, weight: *weights}
		return didCSError(err, *data, cols)
	}
	if len(r.Dropped) > 0 {
		// R did drops units treated in the first period silently; say so.
		shown := r.Dropped
		if len(shown) > 10 {
			shown = shown[:10]
		}
		more := ""
		if len(r.Dropped) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(r.Dropped)-len(shown))
		}
		env.Logf("did: %d units treated in the first period have no pre-treatment period and were left out (as R did): %s%s",
			len(r.Dropped), strings.Join(shown, ", "), more)
	}
	var cmp *econ.Table
	if *compare {
		if cmp, err = didCompareTWFE(d, *outcome, *unit, *tcol, *cohort, *cluster, r, opts); err != nil {
			return &UserError{err}
		}
	}
	if err := didWrite(env, *format, r, opts, *weights, cmp); err != nil {
		return err
	}
	if cmp != nil && *format == "table" {
		fmt.Fprintf(env.Stdout, "\nTWFE beside Callaway–Sant'Anna (row ATT: the TWFE coefficient on D = 1{%s ≥ %s > 0}; CS simple and dynamic overall effects):\n", *tcol, *cohort)
		return cmp.WriteText(env.Stdout)
	}
	return nil
}

// didCompareTWFE fits the two-way fixed-effects regression
// y_it = α_i + λ_t + δ·D_it + e_it, D_it = 1{t ≥ g_i > 0}, clustered as
// the CS standard errors (the --cluster column, else the unit), and lays
// it out beside the CS simple and dynamic aggregations with the table
// layer of econ, the TWFE coefficient in the shared ATT row. With
// repeated cross-sections the unit effect is replaced by a cohort effect
// (each row is its own unit there). Covariates are not added to TWFE.
func didCompareTWFE(d econ.CSData, outcome, unit, tcol, cohort, cluster string, r *econ.CS, opts econ.CSOptions) (*econ.Table, error) {
	n := len(d.Outcome)
	fr := econ.NewFrame(n)
	dv, tv, gv := make([]float64, n), make([]float64, n), make([]string, n)
	for i := range n {
		tv[i] = float64(d.Time[i])
		gv[i] = strconv.Itoa(d.Cohort[i])
		if d.Cohort[i] > 0 && d.Time[i] >= d.Cohort[i] {
			dv[i] = 1
		}
	}
	group, groupName := d.Unit, unit
	if opts.Sample == econ.CSRepeatedCrossSections {
		group, groupName = gv, cohort
	}
	labels := map[string]string{"y": outcome, "g": groupName, "t": tcol}
	eopts := econ.Options{}
	err := errors.Join(fr.AddFloat("y", d.Outcome), fr.AddFloat("D", dv), fr.AddStrings("g", group), fr.AddFloat("t", tv))
	if d.Cluster != nil {
		err = errors.Join(err, fr.AddStrings("cl", d.Cluster))
		eopts.Cluster = []string{"cl"}
	} else if opts.Sample == econ.CSRepeatedCrossSections {
		err = errors.Join(err, fr.AddStrings("cl", d.Unit))
		eopts.Cluster = []string{"cl"}
	}
	if err != nil {
		return nil, err
	}
	tw, err := econ.Estimate(fr, "y ~ D | g + t", eopts)
	if err != nil {
		return nil, fmt.Errorf("did: TWFE comparison: %w", err)
	}
	tm := econ.ResultModel(tw).Rename(map[string]string{"D": econ.TableATT})
	tm.Estimator = "TWFE OLS"
	switch {
	case d.Cluster != nil:
		tm.VCov = "cluster(" + cluster + ")"
	default:
		tm.VCov = "cluster(" + unit + ")"
	}
	return econ.NewModelTable([]econ.TableModel{tm, econ.CSTableModel(r, econ.CSAggSimple, outcome), econ.CSTableModel(r, econ.CSAggDynamic, outcome)},
		econ.TableOptions{Titles: []string{"TWFE", "CS simple", "CS dynamic"}, Labels: labels}), nil
}

// didCSColumns are the CSV columns behind the CSData columns, for the
// CSError.Column of econ.CallawaySantAnna's errors.
type didCSColumns struct{ outcome, time, cohort, cluster, weight string }

// didCSError makes an error of econ.CallawaySantAnna a user error, keeping
// the *econ.CSError values in the chain: a problem of one row becomes an
// ingest.DataError with the CSV file, line (CSData row r is line r+1) and
// column, collected row problems print one per line, and the advice names
// the did flag rather than the econ option.
func didCSError(err error, path string, cols didCSColumns) error {
	var many *econ.CSErrors
	if errors.As(err, &many) {
		errs := make([]error, 0, len(many.Errs)+1)
		for _, e := range many.Errs {
			errs = append(errs, didCSOne(e, path, cols))
		}
		if many.More > 0 {
			errs = append(errs, fmt.Errorf("%s: and %d more problems", path, many.More))
		}
		return &UserError{errors.Join(errs...)}
	}
	var one *econ.CSError
	if errors.As(err, &one) {
		return &UserError{didCSOne(one, path, cols)}
	}
	return &UserError{err}
}

// didCSOne is didCSError for one *econ.CSError.
func didCSOne(e *econ.CSError, path string, cols didCSColumns) error {
	switch {
	case errors.Is(e, econ.ErrUnbalanced):
		c := *e
		c.Hint = "use --sample unbalanced (or --sample rcs for repeated cross-sections)"
		return &c
	case errors.Is(e, econ.ErrNoNeverTreated) && e.Hint != "":
		c := *e
		c.Hint = "use --control notyet (not-yet-treated controls)"
		return &c
	case e.Row == 0:
		return e
	}
	col := e.Column
	switch e.Column {
	case "outcome":
		col = cols.outcome
	case "time":
		col = cols.time
	case "cohort":
		col = cols.cohort
	case "cluster":
		col = cols.cluster
	case "weight":
		col = cols.weight
	}
	return &ingest.DataError{File: path, Line: e.Row + 1, Column: col, Err: didCSRow{e}}
}

// didCSRow is a row problem of econ.CallawaySantAnna inside an
// ingest.DataError, which names the file, line and column: its message is
// the CSError's without the econ prefix and row number.
type didCSRow struct{ e *econ.CSError }

func (r didCSRow) Error() string {
	if r.e.Hint != "" {
		return r.e.Msg + "; " + r.e.Hint
	}
	return r.e.Msg
}

func (r didCSRow) Unwrap() error { return r.e }

// didColumns takes the outcome, unit, time, cohort, covariate, cluster and
// sampling-weight columns out of f, collecting up to estMaxCSVErrors
// problems with their CSV line. With panel set, the weights must be
// constant within a unit (as econ.CallawaySantAnna requires; did's
// tolerance, √ε relative to the mean weight).
func didColumns(f *econ.Frame, path, outcome, unit, tcol, cohort string, covs []string, cluster, weights string, panel bool) (econ.CSData, error) {
	var d econ.CSData
	var problems []error
	n := f.Len()
	add := func(line int, col string, err error) {
		if len(problems) < estMaxCSVErrors {
			problems = append(problems, &ingest.DataError{File: path, Line: line, Column: col, Err: err})
		}
	}
	ints := func(name string) []int {
		x, ok := f.Float(name)
		if !ok {
			if _, isFactor := f.Factor(name); isFactor {
				add(1, name, errors.New("not numeric: want integer periods"))
			} else {
				add(1, name, errors.New("no such column"))
			}
			return nil
		}
		out := make([]int, n)
		for i, v := range x {
			if math.IsNaN(v) || v != math.Trunc(v) || math.Abs(v) > 1e9 {
				add(i+2, name, fmt.Errorf("want an integer period, got %v", v))
				continue
			}
			out[i] = int(v)
		}
		return out
	}
	d.Time = ints(tcol)
	d.Cohort = ints(cohort)
	if y, ok := f.Float(outcome); ok {
		d.Outcome = y
		for i, v := range y {
			if math.IsNaN(v) {
				add(i+2, outcome, errors.New("missing outcome"))
			}
		}
	} else {
		add(1, outcome, errors.New("no such numeric column"))
	}
	labels := func(name, what string) []string {
		if x, ok := f.Float(name); ok {
			out := make([]string, n)
			for i, v := range x {
				if math.IsNaN(v) {
					add(i+2, name, errors.New("missing "+what))
				}
				out[i] = strconv.FormatFloat(v, 'g', -1, 64)
			}
			return out
		}
		if fc, ok := f.Factor(name); ok {
			out := make([]string, n)
			for i, c := range fc.Codes {
				if c < 0 {
					add(i+2, name, errors.New("missing "+what))
					continue
				}
				out[i] = fc.Levels[c]
			}
			return out
		}
		add(1, name, errors.New("no such column"))
		return nil
	}
	d.Unit = labels(unit, "unit")
	for _, c := range covs {
		x, ok := f.Float(c)
		if !ok {
			if _, isFactor := f.Factor(c); isFactor {
				add(1, c, errors.New("covariate is not numeric"))
			} else {
				add(1, c, errors.New("no such column"))
			}
			continue
		}
		for i, v := range x {
			if math.IsNaN(v) {
				add(i+2, c, errors.New("missing covariate"))
			}
		}
		d.Covariates = append(d.Covariates, x)
		d.CovariateNames = append(d.CovariateNames, c)
	}
	if cluster != "" {
		d.Cluster = labels(cluster, "cluster")
	}
	if weights != "" {
		d.Weights = didWeights(f, weights, d.Unit, panel, add)
	}
	if len(problems) > 0 {
		return d, &UserError{errors.Join(problems...)}
	}
	return d, nil
}

// didWeights reads the sampling-weight column: numeric, present, finite
// and non-negative, not all zero, and with panel set constant within each
// unit of units (nil when the unit column is bad), reporting problems
// through add(line, column, err).
func didWeights(f *econ.Frame, name string, units []string, panel bool, add func(int, string, error)) []float64 {
	x, ok := f.Float(name)
	if !ok {
		if _, isFactor := f.Factor(name); isFactor {
			add(1, name, errors.New("sampling weights are not numeric"))
		} else {
			add(1, name, errors.New("no such column for --weights (sampling weights; bootstrap multipliers are --multipliers)"))
		}
		return nil
	}
	var sum float64
	bad := false
	for i, v := range x {
		switch {
		case math.IsNaN(v):
			add(i+2, name, errors.New("missing sampling weight"))
			bad = true
		case math.IsInf(v, 0) || v < 0:
			add(i+2, name, fmt.Errorf("sampling weight %v is not a finite non-negative number", v))
			bad = true
		default:
			sum += v
		}
	}
	if !bad && !(sum > 0) {
		add(1, name, errors.New("every sampling weight is 0"))
		return x
	}
	if panel && units != nil {
		tol := math.Sqrt(0x1p-52) * sum / float64(len(x))
		first := map[string]int{} // unit → row of its first valid weight
		for i, v := range x {
			if !(v >= 0) || math.IsInf(v, 0) {
				continue
			}
			j, seen := first[units[i]]
			if !seen {
				first[units[i]] = i
				continue
			}
			if math.Abs(v-x[j]) > tol {
				add(i+2, name, fmt.Errorf("sampling weight %v of unit %q differs from %v on line %d; in a panel the weight must be constant within a unit (use --sample rcs for repeated cross-sections)", v, units[i], x[j], j+2))
			}
		}
	}
	return x
}

type didEst struct {
	ATT estNum `json:"att"`
	SE  estNum `json:"se"`
}

// didWrite prints r: JSON in issue 6's interface (plus the pre-test, the
// critical values and the settings), or one row per estimate with its
// confidence interval (att ± crit·se, crit uniform with --cband).
func didWrite(env *Env, format string, r *econ.CS, opts econ.CSOptions, weights string, cmp *econ.Table) error {
	if format == "json" {
		type cell struct {
			Group int    `json:"group"`
			Time  int    `json:"time"`
			ATT   estNum `json:"att"`
			SE    estNum `json:"se"`
		}
		type byE struct {
			E   int    `json:"e"`
			ATT estNum `json:"att"`
			SE  estNum `json:"se"`
		}
		type byG struct {
			Group int    `json:"group"`
			ATT   estNum `json:"att"`
			SE    estNum `json:"se"`
		}
		type byT struct {
			Time int    `json:"time"`
			ATT  estNum `json:"att"`
			SE   estNum `json:"se"`
		}
		type aggE struct {
			Overall didEst `json:"overall"`
			By      []byE  `json:"by"`
			Crit    estNum `json:"crit_val"`
			// The window of --balance-e, --min-e, --max-e, when given.
			BalanceE *int `json:"balance_e,omitempty"`
			MinE     *int `json:"min_e,omitempty"`
			MaxE     *int `json:"max_e,omitempty"`
		}
		type aggG struct {
			Overall didEst `json:"overall"`
			By      []byG  `json:"by"`
			Crit    estNum `json:"crit_val"`
		}
		type aggT struct {
			Overall didEst `json:"overall"`
			By      []byT  `json:"by"`
			Crit    estNum `json:"crit_val"`
		}
		type pretest struct {
			W  estNum `json:"w"`
			DF int    `json:"df"`
			P  estNum `json:"p"`
		}
		out := struct {
			ATTgt    []cell   `json:"att_gt"`
			Crit     estNum   `json:"crit_val"`
			Simple   didEst   `json:"simple"`
			Dynamic  aggE     `json:"dynamic"`
			Group    aggG     `json:"group"`
			Calendar aggT     `json:"calendar"`
			PreTest  *pretest `json:"pretest"`
			Method   string   `json:"method"`
			N        int      `json:"n"`
			Clusters int      `json:"clusters"`
			Boot     int      `json:"boot"`
			Seed     uint64   `json:"seed"`
			CBand    bool     `json:"cband"`
			// Dropped lists units treated in the first period, left out.
			Dropped []string `json:"dropped"`
			// CompareTWFE is the --compare-twfe table (econ.Table JSON).
			CompareTWFE *econ.Table `json:"compare_twfe,omitempty"`
			// Weights names the --weights column.
			Weights string `json:"weights,omitempty"`
		}{ATTgt: []cell{}, Crit: estNum(r.CritVal), Method: opts.Method.String(), N: r.N, Clusters: r.Clusters,
			Boot: r.Boot, Seed: r.Seed, CBand: opts.CBand, CompareTWFE: cmp, Dropped: append([]string{}, r.Dropped...), Weights: weights}
		out.Dynamic.BalanceE, out.Dynamic.MinE, out.Dynamic.MaxE = opts.BalanceE, opts.MinE, opts.MaxE
		for _, c := range r.Cells {
			out.ATTgt = append(out.ATTgt, cell{c.Group, c.Time, estNum(c.ATT), estNum(c.SE)})
		}
		est := func(e econ.CSEffect) didEst { return didEst{estNum(e.ATT), estNum(e.SE)} }
		out.Simple = est(r.Simple)
		out.Dynamic.Overall, out.Dynamic.Crit = est(r.Dynamic.Overall), estNum(r.Dynamic.CritVal)
		for _, e := range r.Dynamic.By {
			out.Dynamic.By = append(out.Dynamic.By, byE{e.Key, estNum(e.ATT), estNum(e.SE)})
		}
		out.Group.Overall, out.Group.Crit = est(r.Group.Overall), estNum(r.Group.CritVal)
		for _, e := range r.Group.By {
			out.Group.By = append(out.Group.By, byG{e.Key, estNum(e.ATT), estNum(e.SE)})
		}
		out.Calendar.Overall, out.Calendar.Crit = est(r.Calendar.Overall), estNum(r.Calendar.CritVal)
		for _, e := range r.Calendar.By {
			out.Calendar.By = append(out.Calendar.By, byT{e.Key, estNum(e.ATT), estNum(e.SE)})
		}
		if p := r.PreTest; p != nil {
			out.PreTest = &pretest{estNum(p.W), p.DF, estNum(p.P)}
		}
		return estRows(env.Stdout, "json", nil, nil, out)
	}
	// table and csv: one row per estimate.
	head := []string{"aggregation", "group", "time", "e", "att", "se", "lower", "upper"}
	var rows [][]string
	num := func(v float64) string {
		if format == "csv" {
			return strconv.FormatFloat(v, 'g', -1, 64)
		}
		return strconv.FormatFloat(v, 'f', 5, 64)
	}
	z := r.CritVal
	if opts.CBand {
		// Overall effects use the pointwise value.
		z = didPointwise(opts.Alpha)
	}
	row := func(kind, g, t, e string, att, se, crit float64) {
		rows = append(rows, []string{kind, g, t, e, num(att), num(se), num(att - crit*se), num(att + crit*se)})
	}
	it := strconv.Itoa
	for _, c := range r.Cells {
		row("att_gt", it(c.Group), it(c.Time), it(c.Time-c.Group), c.ATT, c.SE, r.CritVal)
	}
	row("simple", "", "", "", r.Simple.ATT, r.Simple.SE, z)
	row("dynamic", "", "", "", r.Dynamic.Overall.ATT, r.Dynamic.Overall.SE, z)
	for _, e := range r.Dynamic.By {
		row("dynamic", "", "", it(e.Key), e.ATT, e.SE, r.Dynamic.CritVal)
	}
	row("group", "", "", "", r.Group.Overall.ATT, r.Group.Overall.SE, z)
	for _, e := range r.Group.By {
		row("group", it(e.Key), "", "", e.ATT, e.SE, r.Group.CritVal)
	}
	row("calendar", "", "", "", r.Calendar.Overall.ATT, r.Calendar.Overall.SE, z)
	for _, e := range r.Calendar.By {
		row("calendar", "", it(e.Key), "", e.ATT, e.SE, r.Calendar.CritVal)
	}
	if err := estRows(env.Stdout, format, head, rows, nil); err != nil {
		return err
	}
	if format == "table" {
		if w := didWindow(opts); w != "" {
			if _, err := fmt.Fprintf(env.Stdout, "\nDynamic aggregation restricted to %s.\n", w); err != nil {
				return err
			}
		}
		if weights != "" {
			if _, err := fmt.Fprintf(env.Stdout, "Sampling weights: %s.\n", weights); err != nil {
				return err
			}
		}
	}
	if p := r.PreTest; p != nil && format == "table" {
		_, err := fmt.Fprintf(env.Stdout, "\nPre-test of parallel trends (all pre-treatment ATT(g,t) = 0): W = %.4f, df = %d, p = %.5f\n", p.W, p.DF, p.P)
		return err
	}
	return nil
}

// didWindow describes the restriction of the dynamic aggregation, "" if
// none: "balance_e = 1, -2 ≤ e ≤ 2".
func didWindow(opts econ.CSOptions) string {
	var parts []string
	if opts.BalanceE != nil {
		parts = append(parts, fmt.Sprintf("cohorts observed %d or more periods after treatment (balance_e = %d)", *opts.BalanceE, *opts.BalanceE))
	}
	switch {
	case opts.MinE != nil && opts.MaxE != nil:
		parts = append(parts, fmt.Sprintf("%d ≤ e ≤ %d", *opts.MinE, *opts.MaxE))
	case opts.MinE != nil:
		parts = append(parts, fmt.Sprintf("e ≥ %d", *opts.MinE))
	case opts.MaxE != nil:
		parts = append(parts, fmt.Sprintf("e ≤ %d", *opts.MaxE))
	}
	return strings.Join(parts, ", ")
}

// didPointwise is z_{1−α/2} (α = 0.05 when 0).
func didPointwise(alpha float64) float64 {
	if alpha == 0 {
		alpha = 0.05
	}
	return distuv.UnitNormal.Quantile(1 - alpha/2)
}
