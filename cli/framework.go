package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/cityimpact/cityimpact/framework"
)

func init() {
	register(&command{
		name:    "framework",
		summary: "list, show, validate and export indicator frameworks (list|show|validate|export)",
		run:     runFramework,
	})
}

const frameworkUsage = `framework list [--format table|json|csv]
       cityimpact framework show [--format tree|json] NAME|FILE
       cityimpact framework validate [--format text|json] FILE|NAME...
       cityimpact framework export [--out FILE] [--force] NAME|FILE`

func runFramework(env *Env, args []string) error {
	if len(args) == 0 {
		fs := newFlags(env, "framework", frameworkUsage, "cityimpact framework export seed-2025 --out my-framework.yaml")
		fs.Usage()
		return userErrorf("missing subcommand: list, show, validate or export")
	}
	switch args[0] {
	case "list":
		return runFrameworkList(env, args[1:])
	case "show":
		return runFrameworkShow(env, args[1:])
	case "validate":
		return runFrameworkValidate(env, args[1:])
	case "export":
		return runFrameworkExport(env, args[1:])
	case "-h", "-help", "--help", "help":
		newFlags(env, "framework", frameworkUsage, "cityimpact framework export seed-2025 --out my-framework.yaml").Usage()
		return errHelp
	}
	return userErrorf("unknown subcommand %q (want list, show, validate or export)", args[0])
}

// fwOpen loads a built-in template by name or a framework file. A file
// wins over a template of the same name.
func fwOpen(arg string) (*framework.Framework, error) {
	if _, err := os.Stat(arg); err != nil && framework.IsTemplate(arg) {
		return framework.Template(arg)
	}
	f, err := framework.LoadFile(arg)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, userErrorf("%s: no such file or built-in framework (built in: %s)", arg, strings.Join(framework.Templates(), ", "))
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, &UserError{err}
	}
	return f, err
}

type fwListRow struct {
	Code       string `json:"code"`
	NameZh     string `json:"name_zh"`
	NameEn     string `json:"name_en"`
	Edition    string `json:"edition"`
	Dimensions int    `json:"dimensions"`
	Indicators int    `json:"indicators"`
	Warnings   int    `json:"warnings"`
}

func runFrameworkList(env *Env, args []string) error {
	fs := newFlags(env, "framework list", "framework list [--format table|json|csv]", "cityimpact framework list --format csv")
	format := fs.String("format", "table", "output format: table, json or csv")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return userErrorf("unexpected argument %q", pos[0])
	}
	if err := checkFormat(*format, "table", "json", "csv"); err != nil {
		return err
	}
	var rows []fwListRow
	for _, name := range framework.Templates() {
		f, err := framework.Template(name)
		if err != nil {
			return err // a broken built-in template is a bug: exit 2
		}
		warn := 0
		for _, p := range f.Problems {
			if p.Severity == framework.SeverityWarning {
				warn++
			}
		}
		rows = append(rows, fwListRow{Code: f.Code, NameZh: f.NameZh, NameEn: f.NameEn, Edition: f.Edition,
			Dimensions: len(f.Goal.Children), Indicators: len(f.Leaves()), Warnings: warn})
	}
	if *format == "json" {
		return writeJSON(env.Stdout, rows)
	}
	header := []string{"code", "indicators", "dimensions", "name_zh", "name_en"}
	if *format == "csv" {
		header = []string{"code", "name_zh", "name_en", "edition", "dimensions", "indicators", "warnings"}
	}
	var table [][]string
	for _, r := range rows {
		if *format == "csv" {
			table = append(table, []string{r.Code, r.NameZh, r.NameEn, r.Edition, strconv.Itoa(r.Dimensions), strconv.Itoa(r.Indicators), strconv.Itoa(r.Warnings)})
		} else {
			table = append(table, []string{r.Code, strconv.Itoa(r.Indicators), strconv.Itoa(r.Dimensions), r.NameZh, r.NameEn})
		}
	}
	if *format == "csv" {
		return writeCSV(env.Stdout, header, table)
	}
	return writeTable(env.Stdout, header, table)
}

func runFrameworkShow(env *Env, args []string) error {
	fs := newFlags(env, "framework show", "framework show [--format tree|json] NAME|FILE", "cityimpact framework show seed-2025")
	format := fs.String("format", "tree", "output format: tree (indented text) or json")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return userErrorf("want one framework name or file (built in: %s)", strings.Join(framework.Templates(), ", "))
	}
	if err := checkFormat(*format, "tree", "table", "json"); err != nil {
		return err
	}
	f, err := fwOpen(pos[0])
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSON(env.Stdout, f)
	}
	return fwTree(env.Stdout, f)
}

// fwTree writes the framework as an indented tree: code, zh / en names,
// then for dimensions the weight (and its normalised local share), for
// indicators unit, direction, frequency/aggregation, target and floor.
func fwTree(w io.Writer, f *framework.Framework) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s\n", f.Code, fwNames(f.NameZh, f.NameEn))
	var meta []string
	if f.Edition != "" {
		meta = append(meta, "edition "+f.Edition)
	}
	meta = append(meta, fmt.Sprintf("%d dimensions, %d indicators", len(f.Goal.Children), len(f.Leaves())))
	fmt.Fprintf(&b, "(%s)\n\n", strings.Join(meta, "; "))
	var rec func(n *framework.Node, depth int)
	rec = func(n *framework.Node, depth int) {
		b.WriteString(strings.Repeat("  ", depth))
		b.WriteString(n.Code)
		b.WriteString("  ")
		b.WriteString(fwNames(n.NameZh, n.NameEn))
		var attrs []string
		if n.Weight != nil {
			a := "weight " + fwNum(*n.Weight)
			if lw, ok := f.LocalWeight(n.Code); ok && lw != *n.Weight {
				a += fmt.Sprintf(" (%.4g)", lw)
			}
			attrs = append(attrs, a)
		}
		if n.IsIndicator() && n != f.Goal {
			if n.Unit != "" {
				attrs = append(attrs, "["+n.Unit+"]")
			}
			dir := string(n.Direction)
			if n.Direction != framework.Higher && n.Direction != framework.Lower {
				dir = "direction " + fwNames(dir, "missing")
			}
			attrs = append(attrs, dir, string(n.Freq())+"/"+string(n.Agg()))
			if n.Target != nil {
				attrs = append(attrs, "target "+fwTarget(n.Target))
			}
			if n.Floor != nil {
				attrs = append(attrs, "floor "+fwNum(*n.Floor))
			}
			if n.Class != "" {
				attrs = append(attrs, string(n.Class))
			}
		} else if len(n.Children) == 0 {
			attrs = append(attrs, "(no indicators yet)")
		}
		if len(attrs) > 0 {
			b.WriteString("  ")
			b.WriteString(strings.Join(attrs, "  "))
		}
		b.WriteString("\n")
		for _, c := range n.Children {
			rec(c, depth+1)
		}
	}
	rec(f.Goal, 0)
	_, err := io.WriteString(w, b.String())
	return err
}

func fwNames(zh, en string) string {
	switch {
	case zh != "" && en != "":
		return zh + " / " + en
	case zh != "":
		return zh
	}
	return en
}

func fwNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func fwTarget(t *framework.Target) string {
	if t.Groups == nil {
		return fwNum(t.Value)
	}
	parts := make([]string, len(t.Groups))
	for i, g := range t.Groups {
		parts[i] = g.Group + "=" + fwNum(g.Value)
	}
	return strings.Join(parts, ",")
}

func runFrameworkValidate(env *Env, args []string) error {
	fs := newFlags(env, "framework validate", "framework validate [--format text|json] FILE|NAME...",
		"cityimpact framework validate my-framework.yaml")
	format := fs.String("format", "text", "output format: text (file:line: path: message, one per line) or json")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return userErrorf("want at least one framework file (or built-in name) to validate")
	}
	if err := checkFormat(*format, "text", "json"); err != nil {
		return err
	}
	type result struct {
		File       string              `json:"file"`
		OK         bool                `json:"ok"`
		Indicators int                 `json:"indicators"`
		Problems   []framework.Problem `json:"problems"`
		Omitted    int                 `json:"omitted,omitempty"`
	}
	var results []result
	failed := 0
	for _, arg := range pos {
		r := result{File: arg, Problems: []framework.Problem{}}
		f, err := fwOpen(arg)
		var ve *framework.ValidationError
		switch {
		case errors.As(err, &ve):
			r.Problems, r.Omitted = ve.Problems, ve.Omitted
			failed++
		case err != nil:
			return err
		default:
			r.OK, r.Indicators, r.Problems, r.Omitted = true, len(f.Leaves()), append(r.Problems, f.Problems...), f.Omitted
		}
		results = append(results, r)
		if *format == "text" {
			var b strings.Builder
			for _, p := range r.Problems {
				b.WriteString(p.String())
				b.WriteString("\n")
			}
			if r.Omitted > 0 {
				fmt.Fprintf(&b, "%s: %d more problems not shown\n", arg, r.Omitted)
			}
			if _, err := io.WriteString(env.Stdout, b.String()); err != nil {
				return err
			}
			if r.OK {
				warn := 0
				for _, p := range r.Problems {
					if p.Severity == framework.SeverityWarning {
						warn++
					}
				}
				env.Logf("%s: ok, %d indicators, %d warnings listed", arg, r.Indicators, warn)
			}
		}
	}
	if *format == "json" {
		if err := writeJSON(env.Stdout, results); err != nil {
			return err
		}
	}
	if failed > 0 {
		return userErrorf("%d of %d framework files have errors", failed, len(pos))
	}
	return nil
}

func runFrameworkExport(env *Env, args []string) error {
	fs := newFlags(env, "framework export", "framework export [--out FILE] [--force] NAME|FILE",
		"cityimpact framework export seed-2025 --out my-framework.yaml")
	out := fs.String("out", "", "write to this file instead of standard output")
	force := fs.Bool("force", false, "overwrite --out if it exists")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return userErrorf("want one framework name or file (built in: %s)", strings.Join(framework.Templates(), ", "))
	}
	var data []byte
	if _, statErr := os.Stat(pos[0]); statErr != nil && framework.IsTemplate(pos[0]) {
		data, err = framework.TemplateSource(pos[0]) // with its comments, for editing
	} else {
		var f *framework.Framework
		if f, err = fwOpen(pos[0]); err == nil {
			data, err = f.Marshal() // a user's file in canonical form
		}
	}
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := env.Stdout.Write(data)
		return err
	}
	if err := fwWriteFile(*out, data, *force); err != nil {
		return err
	}
	env.Logf("wrote %s; check it after editing with: cityimpact framework validate %s", *out, *out)
	return nil
}

// fwWriteFile writes data to name atomically (a temporary file in the same
// directory, then a rename), refusing to replace an existing file unless
// force.
func fwWriteFile(name string, data []byte, force bool) error {
	if _, err := os.Stat(name); err == nil && !force {
		return userErrorf("--out %s: file exists (use --force to overwrite)", name)
	}
	if err := writeFileAtomic(name, data); err != nil {
		return &UserError{fmt.Errorf("--out %s: %w", name, err)}
	}
	return nil
}
