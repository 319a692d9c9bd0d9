package cli

import (
	"fmt"
	"math"
	"strconv"

	"github.com/cityimpact/cityimpact/econ"
)

func init() {
	register(&command{
		name:    "mediate",
		summary: "mechanism analysis: D → M, stepwise mediation with Sobel/Aroian and a cluster-bootstrap CI of a·b, moderation D×Z",
		run:     runMediate,
	})
}

const mediateUsage = `mediate --data FILE.csv --outcome Y --treat D (--mediator M | --moderator Z) [flags]

Mechanism analysis in the fixed-effects / DID setting. With --mediator: the
three regressions of the stepwise approach, all with the same --fe, --controls
and clustering (each equals fixest's feols): total effect Y ~ D, D → M
(M ~ D), and Y ~ D + M; the indirect effect a·b with Sobel and Aroian SEs, the
share mediated, and a percentile CI of a·b from a seeded cluster bootstrap
(--boot draws; 0 for none). With --moderator: Y ~ D + D:Z + Z, the
heterogeneity test.

Caveat (Jiang Ting 2022, China Industrial Economics): a DID identifies D → Y and
D → M; the step Y ~ D + M, and so a·b and the share, is causal only if M is as
good as random given D and the controls. Report D → M as the channel evidence
and prefer the moderation test with a pre-determined Z.`

const mediateExample = `cityimpact mediate --data panel.csv --outcome gdp --treat did --mediator patents --fe city,year --controls pop --boot 999 --seed 1 --format json`

// mediateCaveat is printed with every mediation table and in the JSON.
const mediateCaveat = "the mediator step (Y on D and M) is descriptive unless M is exogenous given D and the controls; report D → M (a) as the channel evidence (Jiang Ting 2022, 中国工业经济)"

func runMediate(env *Env, args []string) error {
	fs := newFlags(env, "mediate", mediateUsage, mediateExample)
	data := fs.String("data", "", "wide CSV `file` (header row of column names)")
	outcome := fs.String("outcome", "", "outcome `column` Y")
	treat := fs.String("treat", "", "treatment `column` D (e.g. treat × post)")
	mediator := fs.String("mediator", "", "mediator `column` M")
	moderator := fs.String("moderator", "", "moderator `column` Z for the interaction test Y ~ D + D:Z + Z")
	controls := fs.String("controls", "", "comma-separated numeric control `columns`")
	fe := fs.String("fe", "", "comma-separated fixed-effect `columns`, e.g. city,year")
	cluster := fs.String("cluster", "", "cluster `column` (default: the first fixed effect, as fixest)")
	boot := fs.Int("boot", 999, "cluster-bootstrap draws for the CI of a·b (0: none)")
	seed := fs.Uint64("seed", 1, "bootstrap seed")
	level := fs.Float64("level", 0.95, "confidence level")
	format := fs.String("format", "table", "output format: table, json or csv")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return userErrorf("mediate: unexpected argument %q", fs.Arg(0))
	}
	for _, req := range []struct{ name, v string }{{"data", *data}, {"outcome", *outcome}, {"treat", *treat}} {
		if req.v == "" {
			return userErrorf("mediate: --%s is required", req.name)
		}
	}
	if *mediator == "" && *moderator == "" {
		return userErrorf("mediate: give --mediator M (stepwise mediation) or --moderator Z (interaction test), or both")
	}
	if err := checkFormat(*format, "table", "json", "csv"); err != nil {
		return err
	}
	if *boot < 0 {
		return userErrorf("mediate: --boot must be 0 or more, not %d", *boot)
	}
	if !(*level > 0 && *level < 1) {
		return userErrorf("mediate: --level must be between 0 and 1, not %v", *level)
	}
	opts := econ.Options{Level: *level}
	if *cluster != "" {
		opts.Cluster = []string{*cluster}
	}
	f, err := readWideCSV(*data)
	if err != nil {
		return err
	}
	ctrl, fes := splitCommaFlag(*controls), splitCommaFlag(*fe)
	var res mediateResult
	if *mediator != "" {
		spec := econ.MediationSpec{Outcome: *outcome, Treat: *treat, Mediator: *mediator, Controls: ctrl, FE: fes}
		if res.med, err = econ.EstimateMediation(f, spec, opts); err != nil {
			return &UserError{err}
		}
		if *boot > 0 {
			if res.boot, err = econ.BootstrapMediation(f, spec, opts, econ.MediationBoot{Reps: *boot, Seed: *seed}); err != nil {
				return &UserError{err}
			}
		}
	}
	if *moderator != "" {
		spec := econ.ModerationSpec{Outcome: *outcome, Treat: *treat, Moderator: *moderator, Controls: ctrl, FE: fes}
		if res.mod, err = econ.EstimateModeration(f, spec, opts); err != nil {
			return &UserError{err}
		}
	}
	return res.write(env, *format, *level)
}

type mediateResult struct {
	med  *econ.Mediation
	boot *econ.MediationBootstrap
	mod  *econ.Moderation
}

type medCoefJSON struct {
	Estimate estNum `json:"estimate"`
	SE       estNum `json:"se"`
	P        estNum `json:"p"`
}

func toMedCoefJSON(c econ.Coef) medCoefJSON {
	return medCoefJSON{estNum(c.Estimate), estNum(c.SE), estNum(c.P)}
}

// write prints the results. JSON: {"mediation":{"c","a","b","c_prime":
// {"estimate","se","p"},"indirect","sobel":{"se","z","p"},"aroian":{…},
// "share","nobs","vcov","caveat"},"bootstrap":{"reps","seed","cluster",
// "se","ci_low","ci_high","p","failed"},"moderation":{"treat",
// "interaction","moderator":{…}|null,"nobs"}}; table and csv print one
// row per quantity.
func (r mediateResult) write(env *Env, format string, level float64) error {
	w := env.Stdout
	if format == "json" {
		type test struct {
			SE estNum `json:"se"`
			Z  estNum `json:"z"`
			P  estNum `json:"p"`
		}
		type med struct {
			C        medCoefJSON `json:"c"`
			A        medCoefJSON `json:"a"`
			B        medCoefJSON `json:"b"`
			CPrime   medCoefJSON `json:"c_prime"`
			Indirect estNum      `json:"indirect"`
			Sobel    test        `json:"sobel"`
			Aroian   test        `json:"aroian"`
			Share    estNum      `json:"share"`
			NObs     int         `json:"nobs"`
			VCov     string      `json:"vcov"`
			Caveat   string      `json:"caveat"`
		}
		type boot struct {
			Reps    int     `json:"reps"`
			Seed    uint64  `json:"seed"`
			Cluster string  `json:"cluster"`
			Level   float64 `json:"level"`
			SE      estNum  `json:"se"`
			CILow   estNum  `json:"ci_low"`
			CIHigh  estNum  `json:"ci_high"`
			P       estNum  `json:"p"`
			Failed  int     `json:"failed"`
		}
		type mod struct {
			Treat       medCoefJSON  `json:"treat"`
			Interaction medCoefJSON  `json:"interaction"`
			Moderator   *medCoefJSON `json:"moderator"`
			NObs        int          `json:"nobs"`
		}
		var out struct {
			Mediation  *med  `json:"mediation,omitempty"`
			Bootstrap  *boot `json:"bootstrap,omitempty"`
			Moderation *mod  `json:"moderation,omitempty"`
		}
		if m := r.med; m != nil {
			out.Mediation = &med{C: toMedCoefJSON(m.C), A: toMedCoefJSON(m.A), B: toMedCoefJSON(m.B), CPrime: toMedCoefJSON(m.CPrime),
				Indirect: estNum(m.Indirect), Sobel: test{estNum(m.SobelSE), estNum(m.SobelZ), estNum(m.SobelP)},
				Aroian: test{estNum(m.AroianSE), estNum(m.AroianZ), estNum(m.AroianP)},
				Share:  estNum(m.Share), NObs: m.NObs, VCov: m.Total.VCovType, Caveat: mediateCaveat}
		}
		if b := r.boot; b != nil {
			out.Bootstrap = &boot{Reps: b.Reps, Seed: b.Seed, Cluster: b.Cluster, Level: level, SE: estNum(b.SE),
				CILow: estNum(b.CILow), CIHigh: estNum(b.CIHigh), P: estNum(b.P), Failed: b.Failed}
		}
		if m := r.mod; m != nil {
			out.Moderation = &mod{Treat: toMedCoefJSON(m.Treat), Interaction: toMedCoefJSON(m.Interaction), NObs: m.Model.NObs}
			if m.Moderator != nil {
				c := toMedCoefJSON(*m.Moderator)
				out.Moderation.Moderator = &c
			}
		}
		return writeJSON(w, out)
	}
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	if format == "table" {
		g = func(v float64) string {
			if math.IsNaN(v) {
				return ""
			}
			return strconv.FormatFloat(v, 'f', 5, 64)
		}
	}
	nan := math.NaN()
	header := []string{"quantity", "estimate", "se", "p", "ci_low", "ci_high"}
	var rows [][]string
	add := func(name string, est, se, p, lo, hi float64) {
		rows = append(rows, []string{name, g(est), g(se), g(p), g(lo), g(hi)})
	}
	coef := func(name string, c econ.Coef) { add(name, c.Estimate, c.SE, c.P, c.CILow, c.CIHigh) }
	if m := r.med; m != nil {
		coef("c (total, Y~D)", m.C)
		coef("a (D→M)", m.A)
		coef("b (M in Y~D+M)", m.B)
		coef("c' (direct)", m.CPrime)
		add("a·b Sobel", m.Indirect, m.SobelSE, m.SobelP, nan, nan)
		add("a·b Aroian", m.Indirect, m.AroianSE, m.AroianP, nan, nan)
		if b := r.boot; b != nil {
			add(fmt.Sprintf("a·b bootstrap (%d, seed %d)", b.Reps, b.Seed), b.Indirect, b.SE, b.P, b.CILow, b.CIHigh)
		}
		add("share mediated a·b/c", m.Share, nan, nan, nan, nan)
	}
	if m := r.mod; m != nil {
		coef("D (moderation)", m.Treat)
		coef(m.Interaction.Name, m.Interaction)
		if m.Moderator != nil {
			coef(m.Moderator.Name, *m.Moderator)
		}
	}
	if format == "csv" {
		return writeCSV(w, header, rows)
	}
	if err := writeTable(w, header, rows); err != nil {
		return err
	}
	if m := r.med; m != nil {
		fmt.Fprintf(w, "\n%d observations, %s\nnote: %s\n", m.NObs, m.Total.VCovType, mediateCaveat)
	}
	return nil
}
