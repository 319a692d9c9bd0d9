package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cityimpact/cityimpact/econ"
	"github.com/cityimpact/cityimpact/panel"
)

func init() {
	register(&command{
		name:    "estimate",
		summary: "fixed-effects regressions, DID, event studies, placebo tests and subgroup effects on a CSV file or a stored dataset",
		run:     runEstimate,
	})
}

const estimateUsage = `estimate (--data FILE.csv | --dataset NAME[@VERSION] [--db FILE]) --formula F [flags]

Models use fixest's formula syntax: 'y ~ x1 + log(x2) + i(period, treat, ref = 5) | unit + year'.
Staggered adoption: 'y ~ x1 + sunab(cohort, year) | unit + year' (Sun & Abraham, as fixest);
its cells are reported by relative period ("year::-3"), or as "ATT" with --agg att.
--data reads a plain wide CSV: the first row holds the column names, columns whose
every non-empty cell is a number are numeric, all others are categorical (factors);
empty cells and NA are missing. --dataset reads the yearly panel of a stored
dataset (columns unit, period, year, t, province, region, tier, every indicator and,
per policy P, the 0/1 column P and the first treated year P_cohort,
10000 for never-treated units).

Modes (default: estimate the formula; repeat --formula for models side by side):
  --event-study   leads and lags relative to adoption: the formula gives the outcome,
                  controls and extra fixed effects; needs --cohort, --time, --unit
  --placebo N     N permutations of the treatment --treat (adoption from --cohort,
                  --time, --unit), with --seed; permutation p-value
  --by COL        effect of --treat by subgroup COL, with a test of equal effects
  --fake-shift S  placebo adoption S periods early on pre-treatment rows (--treat, --cohort, --time)
  --leave-out COL --treat re-estimated without each level of COL in turn
  --exclude COL=v1,v2  the model without those rows (same JSON as the default)
  --bacon         Goodman-Bacon decomposition of --treat's TWFE coefficient on a balanced
                  panel (--unit, --time); JSON {"twfe","by_type":[..],"pairs":[..]}

Output: --format json (default) prints {"coefficients":{NAME:{"estimate","se","t",
"p","ci_low","ci_high"}},"nobs","r2","r2_within","vcov"} for one model; table, md,
latex, csv and xlsx (with --out) print a regression table.`

const estimateExample = `cityimpact estimate --data panel.csv --formula 'y ~ treat | unit + year' --cluster unit
  cityimpact estimate --data panel.csv --formula 'y ~ x | unit + year' --event-study --cohort first_year --time year --unit unit --format table
  cityimpact estimate --dataset demo --formula 'digital_econ_share ~ smart_city_pilot | unit + year' --placebo 1000 --seed 1 --treat smart_city_pilot --cohort smart_city_pilot_cohort --time year --unit unit`

type estList []string

func (s *estList) String() string     { return strings.Join(*s, "; ") }
func (s *estList) Set(v string) error { *s = append(*s, v); return nil }

type estimateFlags struct {
	data, dataset, db         string
	formulas                  estList
	cluster, vcov, format     string
	out                       string
	eventStudy                bool
	cohort, time, unit, treat string
	ref, lo, hi               int
	never                     string
	placebo                   int
	seed                      uint64
	mode                      string
	by                        string
	fakeShift, leaveOut       string
	exclude                   string
	level                     float64
	agg                       string
	bacon                     bool
}

func runEstimate(env *Env, args []string) error {
	fs := newFlags(env, "estimate", estimateUsage, estimateExample)
	var o estimateFlags
	fs.StringVar(&o.data, "data", "", "wide CSV file with a header row")
	fs.StringVar(&o.dataset, "dataset", "", "stored dataset NAME[@VERSION] instead of --data")
	fs.StringVar(&o.db, "db", "", "store file for --dataset (default $CITYIMPACT_DB or "+DefaultDB+")")
	fs.Var(&o.formulas, "formula", "model formula, fixest syntax (repeat for several models)")
	fs.StringVar(&o.cluster, "cluster", "", "cluster variables, comma-separated (one or two)")
	fs.StringVar(&o.vcov, "vcov", "default", "variance: default (cluster by the first fixed effect), iid, hc1, cluster, twoway, nw or dk (nw/dk need --unit and --time)")
	fs.StringVar(&o.format, "format", "json", "output: json, table, md, latex, csv or xlsx")
	fs.StringVar(&o.out, "out", "", "write the output to this file instead of standard output (required for xlsx)")
	fs.BoolVar(&o.eventStudy, "event-study", false, "event study on time relative to adoption")
	fs.StringVar(&o.cohort, "cohort", "", "column with each unit's first treated period (empty/NA: never treated)")
	fs.StringVar(&o.time, "time", "", "numeric time column (e.g. year)")
	fs.StringVar(&o.unit, "unit", "", "unit column")
	fs.StringVar(&o.treat, "treat", "", "0/1 treatment column for --placebo and --by")
	fs.IntVar(&o.ref, "ref", -1, "event study: reference relative period (negative)")
	fs.IntVar(&o.lo, "bin-lo", 0, "event study: pool relative periods below this (negative; 0 = no binning)")
	fs.IntVar(&o.hi, "bin-hi", 0, "event study: pool relative periods above this (positive; 0 = no binning)")
	fs.StringVar(&o.never, "never", "", "cohort values meaning never treated, comma-separated (e.g. 0)")
	fs.IntVar(&o.placebo, "placebo", 0, "number of placebo permutations")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed for --placebo (printed in the output)")
	fs.StringVar(&o.mode, "placebo-mode", "units", "what --placebo reassigns: units, timing or both")
	fs.StringVar(&o.by, "by", "", "subgroup column (e.g. region, tier, province) for heterogeneous effects of --treat")
	fs.StringVar(&o.fakeShift, "fake-shift", "", "fake-timing placebo: adoption moved this many periods earlier, comma-separated (e.g. 1,2,3), pre-treatment rows only; needs --treat, --cohort, --time")
	fs.StringVar(&o.leaveOut, "leave-out", "", "re-estimate leaving out each level of this column in turn (units, provinces, years); reports --treat")
	fs.StringVar(&o.exclude, "exclude", "", "estimate without rows whose COL is one of the values: COL=v1,v2 (e.g. year=2020,2021)")
	fs.Float64Var(&o.level, "level", 0.95, "confidence level of intervals")
	fs.StringVar(&o.agg, "agg", "auto", "sunab() models: report the cells aggregated by relative period (period), to the ATT (att), by cohort (cohort), not at all (none); auto = period, or att for sunab(…, att = TRUE)")
	fs.BoolVar(&o.bacon, "bacon", false, "Goodman-Bacon decomposition of the TWFE coefficient of --treat (outcome: the formula's left-hand side); needs --treat, --unit, --time")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return userErrorf("unexpected argument %q (see --help)", rest[0])
	}
	if err := o.check(); err != nil {
		return err
	}
	opts, err := o.options()
	if err != nil {
		return err
	}
	frame, err := o.load(env)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch {
	case o.bacon:
		err = estimateBacon(&buf, frame, &o)
	case o.eventStudy:
		err = estimateEvent(&buf, frame, &o, opts)
	case o.placebo > 0:
		err = estimatePlacebo(&buf, frame, &o, opts)
	case o.by != "":
		err = estimateBy(&buf, frame, &o, opts)
	case o.fakeShift != "":
		err = estimateFake(&buf, frame, &o, opts)
	case o.leaveOut != "":
		err = estimateLeaveOut(&buf, frame, &o, opts)
	case o.exclude != "":
		err = estimateExclude(&buf, frame, &o, opts)
	default:
		err = estimateModels(&buf, frame, &o, opts)
	}
	if err != nil {
		return estimateError(err)
	}
	return estWriteOutput(env, o.out, buf.Bytes())
}

func (o *estimateFlags) check() error {
	if (o.data == "") == (o.dataset == "") {
		return userErrorf("give exactly one of --data FILE.csv and --dataset NAME")
	}
	if _, err := econ.ParseAgg(o.agg); err != nil {
		return userErrorf("--agg: unknown aggregation %q (want auto, period, att, cohort or none)", o.agg)
	}
	if len(o.formulas) == 0 {
		return userErrorf("--formula is required")
	}
	switch o.format {
	case "json", "table", "md", "latex", "csv", "xlsx":
	default:
		return userErrorf("--format: unknown format %q (want json, table, md, latex, csv or xlsx)", o.format)
	}
	if o.format == "xlsx" && o.out == "" {
		return userErrorf("--format xlsx needs --out FILE.xlsx")
	}
	modes := 0
	for _, on := range []bool{o.bacon, o.eventStudy, o.placebo > 0, o.by != "", o.fakeShift != "", o.leaveOut != "", o.exclude != ""} {
		if on {
			modes++
		}
	}
	if modes > 1 {
		return userErrorf("--bacon, --event-study, --placebo, --by, --fake-shift, --leave-out and --exclude are separate analyses; choose one")
	}
	if o.placebo < 0 {
		return userErrorf("--placebo %d: want a positive number of permutations", o.placebo)
	}
	if modes > 0 && len(o.formulas) > 1 {
		return userErrorf("--bacon, --event-study, --placebo, --by, --fake-shift, --leave-out and --exclude take one --formula")
	}
	need := func(what string, names ...string) error {
		vals := map[string]string{"cohort": o.cohort, "time": o.time, "unit": o.unit, "treat": o.treat}
		var miss []string
		for _, n := range names {
			if vals[n] == "" {
				miss = append(miss, "--"+n)
			}
		}
		if len(miss) > 0 {
			return userErrorf("%s needs %s", what, strings.Join(miss, ", "))
		}
		return nil
	}
	switch {
	case o.bacon:
		return need("--bacon", "treat", "time", "unit")
	case o.eventStudy:
		return need("--event-study", "cohort", "time", "unit")
	case o.placebo > 0:
		return need("--placebo", "treat", "cohort", "time", "unit")
	case o.by != "":
		return need("--by", "treat")
	case o.fakeShift != "":
		return need("--fake-shift", "treat", "cohort", "time")
	case o.leaveOut != "":
		return need("--leave-out", "treat")
	}
	return nil
}

func (o *estimateFlags) options() (econ.Options, error) {
	opts := econ.Options{Level: o.level}
	if o.level <= 0 || o.level >= 1 {
		return opts, userErrorf("--level %v: want a number between 0 and 1", o.level)
	}
	if o.cluster != "" {
		for _, c := range strings.Split(o.cluster, ",") {
			if c = strings.TrimSpace(c); c != "" {
				opts.Cluster = append(opts.Cluster, c)
			}
		}
	}
	switch o.vcov {
	case "default", "":
	case "iid":
		opts.VCov = econ.VCovIID
	case "hc1", "hetero":
		opts.VCov = econ.VCovHC1
	case "cluster":
		opts.VCov = econ.VCovCluster
	case "twoway":
		opts.VCov = econ.VCovTwoWay
	case "nw", "dk":
		if o.unit == "" || o.time == "" {
			return opts, userErrorf("--vcov %s needs --unit and --time (the panel keys)", o.vcov)
		}
		opts.VCov = econ.VCovNW
		if o.vcov == "dk" {
			opts.VCov = econ.VCovDK
		}
		opts.PanelID = []string{o.unit, o.time}
	default:
		return opts, userErrorf("--vcov: unknown variance %q (want default, iid, hc1, cluster, twoway, nw or dk)", o.vcov)
	}
	if len(opts.Cluster) > 0 && opts.VCov != econ.VCovDefault && opts.VCov != econ.VCovCluster {
		return opts, userErrorf("--cluster goes with --vcov cluster (or default), not %s", o.vcov)
	}
	return opts, nil
}

// estimateError turns estimation errors into user errors: they are all
// caused by the data, the formula or the flags. A formula error shows the
// formula with a caret under the offending column.
func estimateError(err error) error {
	var pe *econ.ParseError
	if errors.As(err, &pe) {
		return &UserError{fmt.Errorf("%w\n  %s\n  %s^", err, pe.Formula, strings.Repeat(" ", max(pe.Col-1, 0)))}
	}
	var ue *UserError
	if errors.As(err, &ue) {
		return err
	}
	return &UserError{err}
}

// load reads --data or --dataset into a frame.
func (o *estimateFlags) load(env *Env) (*econ.Frame, error) {
	if o.data != "" {
		return readWideCSVCols(o.data, o.needs)
	}
	name, ver, err := dataRef(o.dataset)
	if err != nil {
		return nil, err
	}
	s, err := dataOpenExisting(o.db)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	ps, err := s.Load(env.Ctx, name, ver)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, userErrorf("dataset %s has no panel", o.dataset)
	}
	return datasetFrame(ps[0])
}

// needs reports whether the analysis may use the column called name: it
// occurs in a formula's text or is named by a flag. Reading only those
// columns of a wide CSV is a superset of what the model reads.
func (o *estimateFlags) needs(name string) bool {
	for _, f := range o.formulas {
		if strings.Contains(f, name) {
			return true
		}
	}
	named := []string{o.cohort, o.time, o.unit, o.treat, o.by, o.leaveOut}
	named = append(named, strings.Split(o.cluster, ",")...)
	if col, _, ok := strings.Cut(o.exclude, "="); ok {
		named = append(named, col)
	}
	for _, c := range named {
		if strings.TrimSpace(c) == name {
			return true
		}
	}
	return false
}

// datasetFrame is econ.PanelFrame plus, per policy P, the 0/1 column P and
// P_cohort: the first treated year (yearly panels) or period index t
// (others). Never-treated units get NeverCohort (10000, fixest's convention
// in base_stagg): a cohort after the panel's end, which both the event
// study and sunab read as never treated, so they stay in the sample as
// controls (a NaN would drop their rows).
// NeverCohort is the P_cohort value of never-treated units in a stored
// dataset's frame.
const NeverCohort float64 = 10000

func datasetFrame(p *panel.Panel) (*econ.Frame, error) {
	f, err := econ.PanelFrame(p)
	if err != nil {
		return nil, err
	}
	nt := p.NPeriods()
	for _, pol := range p.Policies() {
		if err := f.AddFloat(pol, p.Dummy(pol)); err != nil {
			return nil, userErrorf("policy %q: %v", pol, err)
		}
		coh := make([]float64, p.Rows())
		for u, c := range p.Cohort(pol) {
			v := NeverCohort
			if c != math.MinInt {
				v = float64(c)
				if p.Freq == panel.Year {
					v = float64(p.Start.Year() + c)
				}
			}
			for t := range nt {
				coh[u*nt+t] = v
			}
		}
		if err := f.AddFloat(pol+"_cohort", coh); err != nil {
			return nil, userErrorf("policy %q: %v", pol, err)
		}
	}
	return f, nil
}

// estMaxCSVErrors caps the problems reported for one file.
const estMaxCSVErrors = 20

// writeOutput writes b to standard output, or atomically to path.
func estWriteOutput(env *Env, path string, b []byte) error {
	if path == "" || path == "-" {
		_, err := env.Stdout.Write(b)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return &UserError{err}
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	env.Logf("wrote %s", path)
	return nil
}

// estNum is a float that encodes NaN and ±Inf as null.
type estNum float64

func (v estNum) MarshalJSON() ([]byte, error) {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// modelJSON writes the interface JSON of one model, coefficients in model
// order: {"coefficients":{…},"nobs":…,"r2":…,"r2_within":…,"vcov":"…"}.
func modelJSON(w io.Writer, r *econ.Result) error {
	var b bytes.Buffer
	b.WriteString("{\n  \"coefficients\": {")
	for j, c := range r.Coefs {
		if j > 0 {
			b.WriteString(",")
		}
		name, _ := json.Marshal(c.Name)
		cb, err := json.Marshal(struct {
			Estimate estNum `json:"estimate"`
			SE       estNum `json:"se"`
			T        estNum `json:"t"`
			P        estNum `json:"p"`
			CILow    estNum `json:"ci_low"`
			CIHigh   estNum `json:"ci_high"`
		}{estNum(c.Estimate), estNum(c.SE), estNum(c.T), estNum(c.P), estNum(c.CILow), estNum(c.CIHigh)})
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "\n    %s: %s", name, cb)
	}
	r2, _ := json.Marshal(estNum(r.R2))
	r2w, _ := json.Marshal(estNum(r.R2Within))
	vc, _ := json.Marshal(r.VCovType)
	fmt.Fprintf(&b, "\n  },\n  \"nobs\": %d,\n  \"r2\": %s,\n  \"r2_within\": %s,\n  \"vcov\": %s\n}\n", r.NObs, r2, r2w, vc)
	_, err := w.Write(b.Bytes())
	return err
}

// writeTable renders a regression table in the chosen format.
func estTable(w io.Writer, format string, t *econ.Table) error {
	switch format {
	case "json":
		return t.WriteJSON(w)
	case "md":
		return t.WriteMarkdown(w)
	case "latex":
		return t.WriteLaTeX(w)
	case "csv":
		return t.WriteCSV(w)
	case "xlsx":
		return t.WriteXLSX(w)
	}
	return t.WriteText(w)
}

func estimateModels(w io.Writer, f *econ.Frame, o *estimateFlags, opts econ.Options) error {
	if len(o.formulas) == 1 {
		r, err := econ.Estimate(f, o.formulas[0], opts)
		if err == nil {
			r, err = sunabAggregate(r, o.agg)
		}
		if err != nil {
			return err
		}
		if o.format == "json" {
			return modelJSON(w, r)
		}
		return estTable(w, o.format, econ.NewTable([]*econ.Result{r}, econ.TableOptions{}))
	}
	rs, err := econ.EstimateMulti(f, o.formulas, opts)
	for k := range rs {
		if err == nil {
			rs[k], err = sunabAggregate(rs[k], o.agg)
		}
	}
	if err != nil {
		return err
	}
	return estTable(w, o.format, econ.NewTable(rs, econ.TableOptions{}))
}

func estNever(s string) ([]float64, error) {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		v, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return nil, userErrorf("--never: %q is not a number", p)
		}
		out = append(out, v)
	}
	return out, nil
}

func estimateEvent(w io.Writer, f *econ.Frame, o *estimateFlags, opts econ.Options) error {
	form, err := econ.ParseFormula(o.formulas[0])
	if err != nil {
		return err
	}
	never, err := estNever(o.never)
	if err != nil {
		return err
	}
	text := o.formulas[0]
	lhs, rhs, _ := strings.Cut(text, "~")
	rhs, _, _ = strings.Cut(rhs, "|")
	spec := econ.EventSpec{Outcome: strings.TrimSpace(lhs), Unit: o.unit, Time: o.time, Cohort: o.cohort,
		Never: never, Ref: o.ref, Lo: o.lo, Hi: o.hi}
	if rhs = strings.TrimSpace(rhs); rhs != "" && rhs != "1" {
		spec.Controls = []string{rhs}
	}
	for _, fe := range form.FE {
		if n := fe.Name(); n != o.unit && n != o.time {
			spec.FE = append(spec.FE, n)
		}
	}
	es, err := econ.EstimateEventStudy(f, spec, opts)
	if err != nil {
		return err
	}
	switch o.format {
	case "json":
		type wald struct {
			Q     int    `json:"q"`
			F     estNum `json:"f"`
			DF2   estNum `json:"df2"`
			PF    estNum `json:"p_f"`
			Chi2  estNum `json:"chi2"`
			PChi2 estNum `json:"p_chi2"`
		}
		type point struct {
			RelTime  int    `json:"rel_time"`
			Estimate estNum `json:"estimate"`
			SE       estNum `json:"se"`
			CILow    estNum `json:"ci_low"`
			CIHigh   estNum `json:"ci_high"`
			P        estNum `json:"p"`
			N        int    `json:"n"`
			Ref      bool   `json:"ref,omitempty"`
			Binned   bool   `json:"binned,omitempty"`
			Dropped  bool   `json:"dropped,omitempty"`
		}
		out := struct {
			Formula      string   `json:"formula"`
			Ref          int      `json:"ref"`
			Points       []point  `json:"points"`
			PreTrend     *wald    `json:"pre_trend"`
			NObs         int      `json:"nobs"`
			NeverTreated int      `json:"never_treated"`
			VCov         string   `json:"vcov"`
			Notes        []string `json:"notes,omitempty"`
		}{Formula: es.Formula, Ref: es.Spec.Ref, NObs: es.Fit.NObs, NeverTreated: es.NeverTreated, VCov: es.Fit.VCovType, Notes: es.Fit.Notes}
		for _, p := range es.Points {
			out.Points = append(out.Points, point{p.RelTime, estNum(p.Estimate), estNum(p.SE), estNum(p.CILow), estNum(p.CIHigh), estNum(p.P), p.N, p.Ref, p.Binned, p.Dropped})
		}
		if t := es.PreTrend; t != nil {
			out.PreTrend = &wald{t.Q, estNum(t.F), estNum(t.DF2), estNum(t.PF), estNum(t.Chi2), estNum(t.PChi2)}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "table", "csv":
		rows := [][]string{{"rel_time", "estimate", "se", "ci_low", "ci_high", "p", "n", "note"}}
		for _, p := range es.Points {
			note := ""
			switch {
			case p.Ref:
				note = "reference"
			case p.Dropped:
				note = "collinear"
			case p.Binned:
				note = "binned"
			}
			rows = append(rows, []string{strconv.Itoa(p.RelTime), estFmt(p.Estimate), estFmt(p.SE), estFmt(p.CILow), estFmt(p.CIHigh), estFmt(p.P), strconv.Itoa(p.N), note})
		}
		if o.format == "csv" {
			return writeRows(w, "csv", rows)
		}
		fmt.Fprintf(w, "event study: %s\n%d observations, %d never-treated units, vcov %s\n\n", es.Formula, es.Fit.NObs, es.NeverTreated, es.Fit.VCovType)
		if err := writeRows(w, "table", rows); err != nil {
			return err
		}
		if t := es.PreTrend; t != nil {
			fmt.Fprintf(w, "\npre-trends (all %d leads = 0): F(%d, %g) = %.4f, p = %.4g; chi2(%d) = %.4f, p = %.4g\n", t.Q, t.Q, t.DF2, t.F, t.PF, t.Q, t.Chi2, t.PChi2)
		}
		return nil
	}
	return estTable(w, o.format, econ.NewTable([]*econ.Result{es.Fit}, econ.TableOptions{}))
}

func estFmt(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 8, 64)
}

func estimatePlacebo(w io.Writer, f *econ.Frame, o *estimateFlags, opts econ.Options) error {
	never, err := estNever(o.never)
	if err != nil {
		return err
	}
	var mode econ.PlaceboMode
	switch o.mode {
	case "units":
		mode = econ.PermuteUnits
	case "timing":
		mode = econ.PermuteTiming
	case "both":
		mode = econ.PermuteBoth
	default:
		return userErrorf("--placebo-mode: unknown mode %q (want units, timing or both)", o.mode)
	}
	p, err := econ.Permute(f, econ.PlaceboSpec{Formula: o.formulas[0], Treat: o.treat, Unit: o.unit, Time: o.time, Cohort: o.cohort,
		Never: never, Mode: mode, Draws: o.placebo, Seed: o.seed}, opts)
	if err != nil {
		return err
	}
	switch o.format {
	case "json":
		draws := make([]estNum, len(p.Draws))
		for i, v := range p.Draws {
			draws[i] = estNum(v)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Treat    string   `json:"treat"`
			Estimate estNum   `json:"estimate"`
			P        estNum   `json:"p"`
			PLower   estNum   `json:"p_lower"`
			PUpper   estNum   `json:"p_upper"`
			Mean     estNum   `json:"mean"`
			SD       estNum   `json:"sd"`
			N        int      `json:"permutations"`
			Seed     uint64   `json:"seed"`
			Mode     string   `json:"mode"`
			Method   string   `json:"method"`
			Units    int      `json:"units"`
			Treated  int      `json:"treated_units"`
			Invalid  int      `json:"invalid_draws"`
			Draws    []estNum `json:"draws"`
		}{o.treat, estNum(p.Estimate), estNum(p.P), estNum(p.PLower), estNum(p.PUpper), estNum(p.Mean), estNum(p.SD),
			len(p.Draws), p.Seed, p.Mode.String(), p.Method, p.Units, p.Treated, p.Invalid, draws})
	case "csv":
		rows := [][]string{{"draw", "estimate"}}
		for i, v := range p.Draws {
			rows = append(rows, []string{strconv.Itoa(i + 1), estFmt(v)})
		}
		return writeRows(w, "csv", rows)
	case "table":
		fmt.Fprintf(w, "placebo: %d permutations of %s (%s, seed %d, %s)\n", len(p.Draws), o.treat, p.Mode, p.Seed, p.Method)
		fmt.Fprintf(w, "estimate %.6g; placebo mean %.4g, sd %.4g\n", p.Estimate, p.Mean, p.SD)
		fmt.Fprintf(w, "permutation p-value: two-sided %.4g, lower %.4g, upper %.4g\n", p.P, p.PLower, p.PUpper)
		fmt.Fprintf(w, "%d units, %d treated\n", p.Units, p.Treated)
		return nil
	}
	return userErrorf("--placebo prints json, table or csv, not %s", o.format)
}

func estimateBy(w io.Writer, f *econ.Frame, o *estimateFlags, opts econ.Options) error {
	h, err := econ.EstimateHeterogeneity(f, o.formulas[0], o.treat, o.by, opts)
	if err != nil {
		return err
	}
	if o.format == "json" {
		type coef struct {
			Estimate estNum `json:"estimate"`
			SE       estNum `json:"se"`
			T        estNum `json:"t"`
			P        estNum `json:"p"`
			CILow    estNum `json:"ci_low"`
			CIHigh   estNum `json:"ci_high"`
		}
		mk := func(c econ.Coef) coef {
			return coef{estNum(c.Estimate), estNum(c.SE), estNum(c.T), estNum(c.P), estNum(c.CILow), estNum(c.CIHigh)}
		}
		type group struct {
			Level string `json:"level"`
			Coef  *coef  `json:"coefficient"`
			NObs  int    `json:"nobs"`
			Error string `json:"error,omitempty"`
		}
		type diff struct {
			Level string `json:"level"`
			coef
		}
		out := struct {
			By          string  `json:"by"`
			Treat       string  `json:"treat"`
			Base        string  `json:"base"`
			Groups      []group `json:"groups"`
			Formula     string  `json:"pooled_formula"`
			Differences []diff  `json:"differences"`
			Test        any     `json:"equal_effects_test"`
		}{By: h.By, Treat: h.Treat, Base: h.Base, Formula: h.Formula}
		for _, g := range h.Groups {
			gj := group{Level: g.Level}
			if g.Err != nil {
				gj.Error = g.Err.Error()
			} else {
				c := mk(g.Coef)
				gj.Coef, gj.NObs = &c, g.Fit.NObs
			}
			out.Groups = append(out.Groups, gj)
		}
		for _, c := range h.Differences {
			lvl := strings.TrimSuffix(strings.TrimPrefix(c.Name, h.By+"::"), ":"+h.Treat)
			out.Differences = append(out.Differences, diff{lvl, mk(c)})
		}
		if t := h.Test; t != nil {
			out.Test = map[string]any{"q": t.Q, "f": estNum(t.F), "df2": estNum(t.DF2), "p_f": estNum(t.PF), "chi2": estNum(t.Chi2), "p_chi2": estNum(t.PChi2)}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	var models []*econ.Result
	var titles []string
	for _, g := range h.Groups {
		if g.Fit != nil {
			models = append(models, g.Fit)
			titles = append(titles, o.by+"="+g.Level)
		}
	}
	models = append(models, h.Pooled)
	titles = append(titles, "pooled")
	if err := estTable(w, o.format, econ.NewTable(models, econ.TableOptions{Titles: titles})); err != nil {
		return err
	}
	if t := h.Test; t != nil && (o.format == "table" || o.format == "md") {
		fmt.Fprintf(w, "\nequal effects across %s (base %s): F(%d, %g) = %.4f, p = %.4g; chi2(%d) = %.4f, p = %.4g\n", o.by, h.Base, t.Q, t.DF2, t.F, t.PF, t.Q, t.Chi2, t.PChi2)
	}
	return nil
}

// coefRow formats a coefficient for tabular output.
func coefRow(c econ.Coef) []string {
	return []string{estFmt(c.Estimate), estFmt(c.SE), estFmt(c.T), estFmt(c.P), estFmt(c.CILow), estFmt(c.CIHigh)}
}

type coefJSON struct {
	Estimate estNum `json:"estimate"`
	SE       estNum `json:"se"`
	T        estNum `json:"t"`
	P        estNum `json:"p"`
	CILow    estNum `json:"ci_low"`
	CIHigh   estNum `json:"ci_high"`
}

func coefOf(c econ.Coef) coefJSON {
	return coefJSON{estNum(c.Estimate), estNum(c.SE), estNum(c.T), estNum(c.P), estNum(c.CILow), estNum(c.CIHigh)}
}

// estRows writes header+rows as json (objects keyed by header), csv or table.
func estRows(w io.Writer, format string, head []string, rows [][]string, jsonValue any) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(jsonValue)
	case "csv", "table":
		return writeRows(w, format, append([][]string{head}, rows...))
	}
	return userErrorf("this analysis prints json, table or csv, not %s", format)
}

func estimateFake(w io.Writer, f *econ.Frame, o *estimateFlags, opts econ.Options) error {
	var shifts []int
	for _, p := range strings.Split(o.fakeShift, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		v, err := strconv.Atoi(p)
		if err != nil || v <= 0 {
			return userErrorf("--fake-shift: %q is not a positive whole number of periods", p)
		}
		shifts = append(shifts, v)
	}
	never, err := estNever(o.never)
	if err != nil {
		return err
	}
	res, err := econ.EstimateFakeTiming(f, econ.PlaceboSpec{Formula: o.formulas[0], Treat: o.treat, Time: o.time, Cohort: o.cohort, Never: never}, shifts, opts)
	if err != nil {
		return err
	}
	type item struct {
		Shift int `json:"shift"`
		coefJSON
		NObs int `json:"nobs"`
	}
	var js []item
	var rows [][]string
	for _, r := range res {
		js = append(js, item{r.Shift, coefOf(r.Coef), r.NObs})
		rows = append(rows, append(append([]string{strconv.Itoa(r.Shift)}, coefRow(r.Coef)...), strconv.Itoa(r.NObs)))
	}
	return estRows(w, o.format, []string{"shift", "estimate", "se", "t", "p", "ci_low", "ci_high", "nobs"}, rows,
		map[string]any{"treat": o.treat, "fake_timing": js})
}

func estimateLeaveOut(w io.Writer, f *econ.Frame, o *estimateFlags, opts econ.Options) error {
	res, err := econ.EstimateLeaveOut(f, o.formulas[0], o.treat, o.leaveOut, opts)
	if err != nil {
		return err
	}
	type item struct {
		Left string `json:"left_out"`
		coefJSON
		NObs  int    `json:"nobs"`
		Error string `json:"error,omitempty"`
	}
	var js []item
	var rows [][]string
	for _, r := range res {
		msg := ""
		if r.Err != nil {
			msg = r.Err.Error()
		}
		js = append(js, item{r.Level, coefOf(r.Coef), r.NObs, msg})
		rows = append(rows, append(append([]string{r.Level}, coefRow(r.Coef)...), strconv.Itoa(r.NObs), msg))
	}
	return estRows(w, o.format, []string{"left_out", "estimate", "se", "t", "p", "ci_low", "ci_high", "nobs", "error"}, rows,
		map[string]any{"treat": o.treat, "by": o.leaveOut, "leave_out": js})
}

func estimateExclude(w io.Writer, f *econ.Frame, o *estimateFlags, opts econ.Options) error {
	col, vals, ok := strings.Cut(o.exclude, "=")
	col = strings.TrimSpace(col)
	if !ok || col == "" || strings.TrimSpace(vals) == "" {
		return userErrorf("--exclude %q: want COL=v1,v2", o.exclude)
	}
	var levels []string
	for _, v := range strings.Split(vals, ",") {
		if v = strings.TrimSpace(v); v != "" {
			levels = append(levels, v)
		}
	}
	r, err := econ.EstimateExcluding(f, o.formulas[0], col, levels, opts)
	if err != nil {
		return err
	}
	if o.format == "json" {
		return modelJSON(w, r)
	}
	return estTable(w, o.format, econ.NewTable([]*econ.Result{r}, econ.TableOptions{}))
}
