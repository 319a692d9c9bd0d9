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
(--boot draws; 0 for none). With several mediators (--mediator M1,M2 in causal
order) the serial model D → M1 → M2 → Y (Hayes model 6): M1 ~ D, M2 ~ D + M1,
Y ~ D + M1 + M2, each specific indirect effect (a1·b1, a1·d21·b2, a2·b2) and
their total with delta-method SEs and bootstrap percentile CIs. With --moderator: Y ~ D + D:Z + Z, the
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
	mediator := fs.String("mediator", "", "mediator `column` M, or comma-separated M1,M2,… in causal order for the serial model D → M1 → M2 → Y")
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
	meds := splitCommaFlag(*mediator)
	if len(meds) > 1 {
		spec := econ.SerialMediationSpec{Outcome: *outcome, Treat: *treat, Mediators: meds, Controls: ctrl, FE: fes}
		if res.serial, err = econ.EstimateSerialMediation(f, spec, opts); err != nil {
			return &UserError{err}
		}
		if *boot > 0 {
			if res.serialBoot, err = econ.BootstrapSerialMediation(f, spec, opts, econ.MediationBoot{Reps: *boot, Seed: *seed}); err != nil {
				return &UserError{err}
			}
		}
	} else if *mediator != "" {
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
	med        *econ.Mediation
	boot       *econ.MediationBootstrap
	serial     *econ.SerialMediation
	serialBoot *econ.SerialMediationBootstrap
	mod        *econ.Moderation
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
			Mediation  *med           `json:"mediation,omitempty"`
			Serial     *serialMedJSON `json:"serial,omitempty"`
			Bootstrap  *boot          `json:"bootstrap,omitempty"`
			Moderation *mod           `json:"moderation,omitempty"`
		}
		if m := r.serial; m != nil {
			out.Serial = toSerialJSON(m, r.serialBoot, level)
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
	if m := r.serial; m != nil {
		coef("c (total, Y~D)", m.C)
		for j, a := range m.A {
			coef(fmt.Sprintf("a%d (D→M%d)", j+1, j+1), a)
			for l, d := range m.D[j] {
				coef(fmt.Sprintf("d%d%d (M%d→M%d)", j+1, l+1, l+1, j+1), d)
			}
		}
		for j, b := range m.B {
			coef(fmt.Sprintf("b%d (M%d in Y~D+M)", j+1, j+1), b)
		}
		coef("c' (direct)", m.CPrime)
		effs := append(append([]econ.IndirectEffect(nil), m.Paths...), m.TotalIndirect)
		for i, e := range effs {
			add(e.Name+" delta", e.Estimate, e.SE, e.P, nan, nan)
			if b := r.serialBoot; b != nil {
				be := b.Effects[i]
				add(fmt.Sprintf("%s bootstrap (%d, seed %d)", e.Name, b.Reps, b.Seed), be.Estimate, be.SE, be.P, be.CILow, be.CIHigh)
			}
		}
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
	if m := r.serial; m != nil {
		fmt.Fprintf(w, "\n%d observations, %s; mediators in causal order: ", m.NObs, m.Total.VCovType)
		for j, s := range m.Steps {
			if j > 0 {
				fmt.Fprint(w, ", ")
			}
			fmt.Fprintf(w, "M%d = %s", j+1, s.YName)
		}
		fmt.Fprintf(w, "\nnote: %s\n", mediateCaveat)
	}
	return nil
}

// serialMedJSON is the "serial" object of `mediate --format json` with
// several mediators: the path coefficients (d[j][l] is the effect of
// mediator l+1 on mediator j+1), each indirect effect with its
// delta-method and (with --boot) bootstrap inference, and the total
// indirect effect.
type serialMedJSON struct {
	Mediators     []string        `json:"mediators"`
	C             medCoefJSON     `json:"c"`
	CPrime        medCoefJSON     `json:"c_prime"`
	A             []medCoefJSON   `json:"a"`
	B             []medCoefJSON   `json:"b"`
	D             [][]medCoefJSON `json:"d"`
	Paths         []serialEffJSON `json:"paths"`
	TotalIndirect serialEffJSON   `json:"total_indirect"`
	NObs          int             `json:"nobs"`
	VCov          string          `json:"vcov"`
	Bootstrap     *serialBootJSON `json:"bootstrap,omitempty"`
	Caveat        string          `json:"caveat"`
}

type serialEffJSON struct {
	Name     string  `json:"name"`
	Path     []int   `json:"path,omitempty"` // 1-based mediator indices
	Estimate estNum  `json:"estimate"`
	SE       estNum  `json:"se"`
	Z        estNum  `json:"z"`
	P        estNum  `json:"p"`
	BootSE   *estNum `json:"boot_se,omitempty"`
	BootLow  *estNum `json:"boot_ci_low,omitempty"`
	BootHigh *estNum `json:"boot_ci_high,omitempty"`
	BootP    *estNum `json:"boot_p,omitempty"`
}

type serialBootJSON struct {
	Reps    int     `json:"reps"`
	Seed    uint64  `json:"seed"`
	Cluster string  `json:"cluster"`
	Level   float64 `json:"level"`
	Failed  int     `json:"failed"`
}

func toSerialJSON(m *econ.SerialMediation, b *econ.SerialMediationBootstrap, level float64) *serialMedJSON {
	out := &serialMedJSON{C: toMedCoefJSON(m.C), CPrime: toMedCoefJSON(m.CPrime), NObs: m.NObs, VCov: m.Total.VCovType, Caveat: mediateCaveat}
	for j := range m.A {
		out.Mediators = append(out.Mediators, m.Steps[j].YName)
		out.A = append(out.A, toMedCoefJSON(m.A[j]))
		out.B = append(out.B, toMedCoefJSON(m.B[j]))
		row := []medCoefJSON{}
		for _, d := range m.D[j] {
			row = append(row, toMedCoefJSON(d))
		}
		out.D = append(out.D, row)
	}
	if b != nil {
		out.Bootstrap = &serialBootJSON{Reps: b.Reps, Seed: b.Seed, Cluster: b.Cluster, Level: level, Failed: b.Failed}
	}
	eff := func(i int, e econ.IndirectEffect) serialEffJSON {
		j := serialEffJSON{Name: e.Name, Estimate: estNum(e.Estimate), SE: estNum(e.SE), Z: estNum(e.Z), P: estNum(e.P)}
		for _, p := range e.Path {
			j.Path = append(j.Path, p+1)
		}
		if b != nil {
			be := b.Effects[i]
			se, lo, hi, p := estNum(be.SE), estNum(be.CILow), estNum(be.CIHigh), estNum(be.P)
			j.BootSE, j.BootLow, j.BootHigh, j.BootP = &se, &lo, &hi, &p
		}
		return j
	}
	for i, e := range m.Paths {
		out.Paths = append(out.Paths, eff(i, e))
	}
	out.TotalIndirect = eff(len(m.Paths), m.TotalIndirect)
	return out
}
