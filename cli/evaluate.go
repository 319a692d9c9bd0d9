package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/cityimpact/cityimpact/evaluation"
	"github.com/cityimpact/cityimpact/report"
)

func init() {
	register(&command{name: "evaluate",
		summary: "run an evaluation spec: index, causal effects, city diagnoses; writes report.html, report.md, results.xlsx, results.json, tables.tex",
		run:     runEvaluate})
	register(&command{name: "init",
		summary: "write a commented evaluation spec to start from",
		run:     runInit})
}

// evalOutput is one file evaluate writes, with its writer.
type evalOutput struct {
	name  string
	write func(w io.Writer, r *evaluation.Results, s *evaluation.Spec) error
}

var evalOutputs = []evalOutput{
	{"results.json", func(w io.Writer, r *evaluation.Results, _ *evaluation.Spec) error {
		b, err := r.JSON()
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}},
	{"report.html", func(w io.Writer, r *evaluation.Results, s *evaluation.Spec) error {
		return report.HTML(w, r, report.HTMLOptions{MapFile: s.Resolve(s.Report.Map)})
	}},
	{"report.md", func(w io.Writer, r *evaluation.Results, s *evaluation.Spec) error {
		return report.Markdown(w, r, s.Report.Language)
	}},
	{"results.xlsx", func(w io.Writer, r *evaluation.Results, _ *evaluation.Spec) error {
		return report.XLSX(w, r)
	}},
	{"tables.tex", func(w io.Writer, r *evaluation.Results, _ *evaluation.Spec) error {
		return report.LaTeX(w, r)
	}},
}

func runEvaluate(env *Env, args []string) error {
	fs := newFlags(env, "evaluate", "evaluate SPEC.yaml [--out DIR] [--format table|json]",
		"cityimpact evaluate examples/demo/evaluation.yaml --out cityimpact-report")
	out := fs.String("out", "cityimpact-report", "output folder (created; files in it are replaced only when every output was written)")
	format := fs.String("format", "table", "what to print: table (a summary) or json (results.json)")
	workers := fs.Int("workers", 0, "goroutines (0: all cores); results do not depend on it")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return userErrorf("give one spec file (see cityimpact init)")
	}
	if err := checkFormat(*format, "table", "json"); err != nil {
		return err
	}
	spec, err := evaluation.ReadSpec(pos[0])
	if err != nil {
		return err
	}
	began := time.Now()
	res, err := evaluation.Run(env.Ctx, spec, evaluation.RunOptions{Version: Version, Workers: *workers,
		Logf: func(f string, a ...any) { env.Logf(f, a...) }})
	if err != nil {
		return evalError(err)
	}
	// Render every output in memory first: a failure leaves DIR untouched.
	rendered := make([][]byte, len(evalOutputs))
	for i, o := range evalOutputs {
		var b bytes.Buffer
		if err := o.write(&b, res, spec); err != nil {
			return fmt.Errorf("%s: %w", o.name, err)
		}
		rendered[i] = b.Bytes()
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return &UserError{err}
	}
	for i, o := range evalOutputs {
		if err := writeFileAtomic(filepath.Join(*out, o.name), rendered[i]); err != nil {
			return err
		}
	}
	if *format == "json" {
		_, err := env.Stdout.Write(rendered[0])
		return err
	}
	printEvaluation(env.Stdout, res, *out, time.Since(began))
	return nil
}

// evalError marks the errors a user can fix as user errors.
func evalError(err error) error {
	var uf interface{ UserFacing() bool }
	if errors.As(err, &uf) && uf.UserFacing() {
		return err
	}
	var pe *os.PathError
	if errors.As(err, &pe) || errors.Is(err, report.ErrAssetsMissing) {
		return &UserError{err}
	}
	return err
}

func printEvaluation(w io.Writer, r *evaluation.Results, out string, took time.Duration) {
	fmt.Fprintf(w, "%s\n", r.Title.En)
	if r.Synthetic {
		fmt.Fprintln(w, "SYNTHETIC DATA from the built-in generator: not real statistics")
	}
	fmt.Fprintf(w, "%d cities × %d periods (%s–%s); %s: %d treated, %d never treated\n",
		len(r.Units), len(r.Periods), r.Periods[0], r.Periods[len(r.Periods)-1], r.Policy.Name, r.Policy.Treated, r.Policy.Never)
	fmt.Fprintf(w, "index: %s weights, %s normalisation, %s aggregation; %d indicators dropped\n\n",
		r.Index.Method["weights"], r.Index.Method["normalise"], r.Index.Method["aggregate"], len(r.Data.Dropped))
	rows := [][]string{}
	for _, m := range r.Causal {
		if m.Error != "" {
			rows = append(rows, []string{m.Outcome, m.Method, "error: " + m.Error, "", ""})
			continue
		}
		for _, e := range m.Estimates {
			rows = append(rows, []string{m.Outcome, m.Method + " " + e.Term, estFmt(float64(e.Value)), estFmt(float64(e.SE)), estFmt(float64(e.P))})
		}
	}
	writeTable(w, []string{"outcome", "method", "estimate", "se", "p"}, rows)
	kinds := map[string]int{}
	for _, a := range r.Alerts {
		kinds[a.Kind]++
	}
	var ks []string
	for k, n := range kinds {
		ks = append(ks, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(ks)
	fmt.Fprintf(w, "\nalerts: %d (%s)\n", len(r.Alerts), strings.Join(ks, ", "))
	for _, g := range r.AlertGroups {
		if g.Systemic {
			fmt.Fprintf(w, "  systemic: %s %s in %d of %d cities\n", g.Code, g.Kind, g.Cities, g.Assessed)
		}
	}
	fmt.Fprintf(w, "done in %.1fs; wrote ", took.Seconds())
	for i, o := range evalOutputs {
		if i > 0 {
			fmt.Fprint(w, ", ")
		}
		fmt.Fprint(w, o.name)
	}
	fmt.Fprintf(w, "\nreport: %s\n", filepath.Join(out, "report.html"))
}

func runInit(env *Env, args []string) error {
	fs := newFlags(env, "init", "init [--template seed-2025] [--generate] [--out FILE]",
		"cityimpact init --generate --out evaluation.yaml")
	tmpl := fs.String("template", "seed-2025", "framework template the spec uses")
	gen := fs.Bool("generate", false, "use the built-in synthetic generator as the data source (runs as is)")
	out := fs.String("out", "", "write to FILE (refuses to overwrite) instead of standard output")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return userErrorf("unexpected argument %q", pos[0])
	}
	s, err := evaluation.SpecTemplate(*tmpl, *gen)
	if err != nil {
		return userErrorf("--template: %v", err)
	}
	if *out == "" {
		_, err := io.WriteString(env.Stdout, s)
		return err
	}
	if _, err := os.Stat(*out); err == nil {
		return userErrorf("%s exists; not overwriting it", *out)
	}
	if err := writeFileAtomic(*out, []byte(s)); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote %s; run: cityimpact evaluate %s --out DIR\n", *out, *out)
	return nil
}
