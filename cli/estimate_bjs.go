package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cityimpact/cityimpact/econ"
)

// did-imputation is its own command: the estimate command dispatches its
// analyses in estimate.go, which this file does not edit.
func init() {
	register(&command{
		name:    "did-imputation",
		summary: "Borusyak–Jaravel–Spiess imputation DID: overall ATT, event-time horizons, conservative SEs, pre-trend test",
		run:     runDIDImputation,
	})
}

const didImputationUsage = `did-imputation --data FILE.csv --outcome Y --unit ID --time T --cohort G [flags]

Imputation estimator of Borusyak, Jaravel & Spiess (2024), as R's didimputation
and Stata's did_imputation: fixed effects (unit and period unless --fe says
otherwise) and --controls are fitted on untreated observations only (never
treated and not yet treated), Y(0) is imputed for treated cells and
tau_it = Y - Y(0) is averaged to the overall ATT and to each event-time horizon.
Standard errors are BJS's conservative clustered SEs (Theorem 3).

--weights COL weights the first-stage least squares and the averages of tau_it
(didimputation's wname); weights must be >= 0 (rows with 0 are dropped).
--fe lists every fixed effect of the Y(0) model, a column or an interaction
a^b (fixest syntax), e.g. --fe city,year,province^year; it replaces the default
unit + time. Treated cells whose Y(0) cannot be imputed (a missing control, or
a unit, period or fixed-effect level with no untreated observation) are dropped
with a note, as didimputation does; --strict makes them an error.
--se-weights didimputation reproduces didimputation 0.5.0's weighted SE, whose
weights v differ from those of the weighted estimator (the default).
--pretrends K adds their pre-trend test: leads -K..-1 regressed on untreated
observations with the same fixed effects, controls and weights, and a joint
Wald test F(K, G-1), G clusters (fixest::wald would use n-p). The cohort column
holds the first treated period; 0 or empty means never treated.`

const didImputationExample = `cityimpact did-imputation --data mpdta.csv --outcome lemp --unit countyreal --time year --cohort first.treat --horizons all --pretrends 3 --format json
  cityimpact did-imputation --data cities.csv --outcome gdp --unit city --time year --cohort pilot_year --weights pop --controls x1,x2 --fe city,year,province^year`

func runDIDImputation(env *Env, args []string) error {
	fs := newFlags(env, "did-imputation", didImputationUsage, didImputationExample)
	data := fs.String("data", "", "wide CSV `file` (header row of column names)")
	outcome := fs.String("outcome", "", "outcome `column`")
	unit := fs.String("unit", "", "unit identifier `column`")
	tcol := fs.String("time", "", "period `column` (integers)")
	cohort := fs.String("cohort", "", "first-treated period `column` (0 = never treated)")
	controls := fs.String("controls", "", "comma-separated time-varying control `columns` of the Y(0) model")
	horizons := fs.String("horizons", "all", "event-time horizons to report: all, none, or a comma-separated `list` such as 0,1,2")
	pretrends := fs.Int("pretrends", 0, "number of leads `K` in the pre-trend test (0: no test)")
	cluster := fs.String("cluster", "", "cluster `column` of the standard errors (default: --unit)")
	weights := fs.String("weights", "", "observation weight `column` (>= 0) of the first stage and the averages")
	fe := fs.String("fe", "", "comma-separated fixed-effect `terms` of the Y(0) model, columns or a^b interactions (default: --unit,--time)")
	seWeights := fs.String("se-weights", "estimator", "SE weights under --weights: estimator (BJS, exact for the weighted estimator) or didimputation (R didimputation 0.5.0) `mode`")
	strict := fs.Bool("strict", false, "treated cells that cannot be imputed are an error instead of dropped with a note")
	level := fs.Float64("level", 0.95, "confidence level of the normal intervals")
	format := fs.String("format", "table", "output format: table, json or csv")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return userErrorf("did-imputation: unexpected argument %q", fs.Arg(0))
	}
	for _, req := range []struct{ name, v string }{{"data", *data}, {"outcome", *outcome}, {"unit", *unit}, {"time", *tcol}, {"cohort", *cohort}} {
		if req.v == "" {
			return userErrorf("did-imputation: --%s is required", req.name)
		}
	}
	if err := checkFormat(*format, "table", "json", "csv"); err != nil {
		return err
	}
	if *pretrends < 0 {
		return userErrorf("did-imputation: --pretrends must be 0 or more, not %d", *pretrends)
	}
	if !(*level > 0 && *level < 1) {
		return userErrorf("did-imputation: --level must be between 0 and 1, not %v", *level)
	}
	spec := econ.ImputationSpec{Outcome: *outcome, Unit: *unit, Time: *tcol, Cohort: *cohort,
		Controls: splitCommaFlag(*controls), PreTrends: *pretrends, Cluster: *cluster,
		Weights: *weights, FixedEffects: splitCommaFlag(*fe), Strict: *strict}
	switch *seWeights {
	case "estimator":
	case "didimputation":
		spec.SEWeights = econ.SEWeightsDidimputation
	default:
		return userErrorf("did-imputation: --se-weights must be estimator or didimputation, not %q", *seWeights)
	}
	if *seWeights != "estimator" && *weights == "" {
		return userErrorf("did-imputation: --se-weights %s needs --weights", *seWeights)
	}
	for _, term := range spec.FixedEffects {
		for _, part := range strings.Split(term, "^") {
			if strings.TrimSpace(part) == "" {
				return userErrorf("did-imputation: --fe: %q is not a column or an interaction a^b", term)
			}
		}
	}
	switch h := strings.TrimSpace(*horizons); h {
	case "all":
		spec.AllHorizons = true
	case "none", "":
	default:
		for _, s := range strings.Split(h, ",") {
			v, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || v < 0 {
				return userErrorf("did-imputation: --horizons: %q is not an event time ≥ 0 (want all, none or a list such as 0,1,2)", s)
			}
			spec.Horizons = append(spec.Horizons, v)
		}
	}
	f, err := readWideCSV(*data)
	if err != nil {
		return err
	}
	r, err := econ.EstimateImputation(f, spec, econ.Options{Level: *level})
	if err != nil {
		var ie *econ.ImputationError
		if errors.As(err, &ie) {
			return &UserError{fmt.Errorf("%s: %w", *data, err)}
		}
		return &UserError{err}
	}
	return writeImputation(env, *format, r, spec)
}

// splitCommaFlag splits a comma-separated flag value, dropping blanks
// (shared by did-imputation and mediate).
func splitCommaFlag(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

type bjsEffectJSON struct {
	Term     string `json:"term"`
	H        *int   `json:"h,omitempty"`
	Estimate estNum `json:"estimate"`
	SE       estNum `json:"se"`
	CILow    estNum `json:"ci_low"`
	CIHigh   estNum `json:"ci_high"`
	N        int    `json:"n"`
}

// bjsControl is a first-stage control coefficient δ̂ (null when dropped
// as collinear).
type bjsControl struct {
	Name     string `json:"name"`
	Estimate estNum `json:"estimate"`
}

func bjsEffect(e econ.ImputationEffect) bjsEffectJSON {
	out := bjsEffectJSON{Term: e.Term, Estimate: estNum(e.Estimate), SE: estNum(e.SE),
		CILow: estNum(e.CILow), CIHigh: estNum(e.CIHigh), N: e.N}
	if e.Horizon >= 0 {
		h := e.Horizon
		out.H = &h
	}
	return out
}

// writeImputation prints r. JSON: {"overall":{…},"horizons":[{"term","h",
// "estimate","se","ci_low","ci_high","n"}],"pretrend":{"leads":[…],"f",
// "df1","df2","p","chi2","p_chi2"},"nobs",…,"controls":[{"name",
// "estimate"}],"notes":[…]}; table and csv print one row
// per effect (leads of the pre-trend test first, then the overall ATT and
// the horizons).
func writeImputation(env *Env, format string, r *econ.Imputation, spec econ.ImputationSpec) error {
	w := env.Stdout
	if format == "json" {
		type lead struct {
			E        int    `json:"e"`
			Estimate estNum `json:"estimate"`
			SE       estNum `json:"se"`
			P        estNum `json:"p"`
		}
		type pre struct {
			Leads []lead `json:"leads"`
			F     estNum `json:"f"`
			DF1   int    `json:"df1"`
			DF2   estNum `json:"df2"`
			P     estNum `json:"p"`
			Chi2  estNum `json:"chi2"`
			PChi2 estNum `json:"p_chi2"`
		}
		out := struct {
			Overall     bjsEffectJSON   `json:"overall"`
			Horizons    []bjsEffectJSON `json:"horizons"`
			PreTrend    *pre            `json:"pretrend,omitempty"`
			NObs        int             `json:"nobs"`
			NTreated    int             `json:"n_treated"`
			NUntreated  int             `json:"n_untreated"`
			NNotImputed int             `json:"n_not_imputed"`
			NMissing    int             `json:"n_missing"`
			Clusters    int             `json:"clusters"`
			Controls    []bjsControl    `json:"controls,omitempty"`
			Notes       []string        `json:"notes,omitempty"`
		}{Overall: bjsEffect(r.Overall), Horizons: []bjsEffectJSON{}, NObs: r.NObs, NTreated: r.NTreated,
			NUntreated: r.NUntreated, NNotImputed: r.NNotImputed, NMissing: r.NMissing, Clusters: r.Clusters, Notes: r.Notes}
		for _, h := range r.Horizons {
			out.Horizons = append(out.Horizons, bjsEffect(h))
		}
		for _, c := range r.Controls {
			out.Controls = append(out.Controls, bjsControl{Name: c.Name, Estimate: estNum(c.Estimate)})
		}
		if pt := r.PreTrend; pt != nil {
			p := &pre{F: estNum(pt.Wald.F), DF1: pt.Wald.Q, DF2: estNum(pt.Wald.DF2), P: estNum(pt.Wald.PF),
				Chi2: estNum(pt.Wald.Chi2), PChi2: estNum(pt.Wald.PChi2)}
			for _, c := range pt.Leads {
				e, _ := strconv.Atoi(c.Name)
				p.Leads = append(p.Leads, lead{E: e, Estimate: estNum(c.Estimate), SE: estNum(c.SE), P: estNum(c.P)})
			}
			out.PreTrend = p
		}
		return writeJSON(w, out)
	}
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	if format == "table" {
		g = func(v float64) string { return strconv.FormatFloat(v, 'f', 5, 64) }
	}
	header := []string{"term", "estimate", "se", "ci_low", "ci_high", "n"}
	var rows [][]string
	if pt := r.PreTrend; pt != nil {
		for _, c := range pt.Leads {
			rows = append(rows, []string{"pre " + c.Name, g(c.Estimate), g(c.SE), g(c.CILow), g(c.CIHigh), ""})
		}
	}
	for _, e := range append([]econ.ImputationEffect{r.Overall}, r.Horizons...) {
		term := e.Term
		if e.Horizon >= 0 {
			term = "h " + term
		}
		rows = append(rows, []string{term, g(e.Estimate), g(e.SE), g(e.CILow), g(e.CIHigh), strconv.Itoa(e.N)})
	}
	if format == "csv" {
		return writeCSV(w, header, rows)
	}
	if err := writeTable(w, header, rows); err != nil {
		return err
	}
	fes := spec.FixedEffects
	if len(fes) == 0 {
		fes = []string{spec.Unit, spec.Time}
	}
	fmt.Fprintf(w, "\nY(0) model on untreated observations: fixed effects %s", strings.Join(fes, " + "))
	if len(spec.Controls) > 0 {
		fmt.Fprintf(w, ", controls %s", strings.Join(spec.Controls, ", "))
	}
	if spec.Weights != "" {
		fmt.Fprintf(w, ", weights %s", spec.Weights)
		if spec.SEWeights == econ.SEWeightsDidimputation {
			fmt.Fprint(w, " (SEs with didimputation's weights)")
		}
	}
	fmt.Fprintf(w, "\n%d untreated and %d imputed treated observations, %d clusters", r.NUntreated, r.NTreated, r.Clusters)
	if r.NNotImputed > 0 {
		fmt.Fprintf(w, "; %d treated observations not imputable", r.NNotImputed)
	}
	fmt.Fprintln(w)
	if pt := r.PreTrend; pt != nil {
		fmt.Fprintf(w, "pre-trend test (leads -%d..-1 on untreated observations): F(%d, %g) = %.4f, p = %.4g\n",
			len(pt.Leads), pt.Wald.Q, pt.Wald.DF2, pt.Wald.F, pt.Wald.PF)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	return nil
}
