package cli

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/cityimpact/cityimpact/econ"
	"github.com/cityimpact/cityimpact/ingest"
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
(att_gt + aggte, bstrap = FALSE): ATT(g,t) for every cohort g and period t on a
balanced panel, and the simple, dynamic (event-study), group and calendar
aggregations, with analytic influence-function standard errors.
The cohort column holds the first treated period; 0 means never treated.
Not yet supported: --covariates/--method, --boot > 0.`

const didExample = `cityimpact did --data mpdta.csv --outcome lemp --unit countyreal --time year --cohort first.treat --format json`

func runDID(env *Env, args []string) error {
	fs := newFlags(env, "did", didUsage, didExample)
	data := fs.String("data", "", "wide CSV `file` (header row of column names)")
	outcome := fs.String("outcome", "", "outcome `column`")
	unit := fs.String("unit", "", "unit identifier `column`")
	tcol := fs.String("time", "", "period `column` (integers)")
	cohort := fs.String("cohort", "", "first-treated period `column` (0 = never treated)")
	control := fs.String("control", "never", "comparison units: never (never treated) or notyet (not yet treated)")
	base := fs.String("base", "varying", "base period: varying or universal")
	covs := fs.String("covariates", "", "covariate `columns` (not yet supported)")
	method := fs.String("method", "", "dr, ipw or reg with covariates (not yet supported)")
	boot := fs.Int("boot", 0, "multiplier bootstrap draws; 0 gives analytic SEs (only 0 supported)")
	fs.Int64("seed", 1, "bootstrap seed")
	format := fs.String("format", "table", "output format: table, json or csv")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return userErrorf("did: unexpected argument %q", fs.Arg(0))
	}
	for _, req := range []struct{ name, v string }{{"data", *data}, {"outcome", *outcome}, {"unit", *unit}, {"time", *tcol}, {"cohort", *cohort}} {
		if req.v == "" {
			return userErrorf("did: --%s is required", req.name)
		}
	}
	if *covs != "" || *method != "" {
		return userErrorf("did: --covariates and --method are not yet supported (only the unconditional estimator is)")
	}
	if *boot != 0 {
		return userErrorf("did: --boot %d is not yet supported: use --boot 0 for analytic standard errors", *boot)
	}
	var opts econ.CSOptions
	switch *control {
	case "never":
	case "notyet":
		opts.Control = econ.CSNotYetTreated
	default:
		return userErrorf("did: --control must be never or notyet, not %q", *control)
	}
	switch *base {
	case "varying":
	case "universal":
		opts.Base = econ.CSUniversal
	default:
		return userErrorf("did: --base must be varying or universal, not %q", *base)
	}
	switch *format {
	case "table", "json", "csv":
	default:
		return userErrorf("did: --format must be table, json or csv, not %q", *format)
	}
	f, err := readWideCSV(*data)
	if err != nil {
		return err
	}
	d, err := didColumns(f, *data, *outcome, *unit, *tcol, *cohort)
	if err != nil {
		return err
	}
	r, err := econ.CallawaySantAnna(d, opts)
	if err != nil {
		return &UserError{err}
	}
	return didWrite(env, *format, r)
}

// didColumns takes the four columns out of f, collecting up to
// estMaxCSVErrors problems with their CSV line.
func didColumns(f *econ.Frame, path, outcome, unit, tcol, cohort string) (econ.CSData, error) {
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
	if x, ok := f.Float(unit); ok {
		d.Unit = make([]string, n)
		for i, v := range x {
			if math.IsNaN(v) {
				add(i+2, unit, errors.New("missing unit"))
			}
			d.Unit[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
	} else if fc, ok := f.Factor(unit); ok {
		d.Unit = make([]string, n)
		for i, c := range fc.Codes {
			if c < 0 {
				add(i+2, unit, errors.New("missing unit"))
				continue
			}
			d.Unit[i] = fc.Levels[c]
		}
	} else {
		add(1, unit, errors.New("no such column"))
	}
	if len(problems) > 0 {
		return d, &UserError{errors.Join(problems...)}
	}
	return d, nil
}

type didEst struct {
	ATT estNum `json:"att"`
	SE  estNum `json:"se"`
}

func didWrite(env *Env, format string, r *econ.CS) error {
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
		}
		type aggG struct {
			Overall didEst `json:"overall"`
			By      []byG  `json:"by"`
		}
		type aggT struct {
			Overall didEst `json:"overall"`
			By      []byT  `json:"by"`
		}
		out := struct {
			ATTgt    []cell `json:"att_gt"`
			Simple   didEst `json:"simple"`
			Dynamic  aggE   `json:"dynamic"`
			Group    aggG   `json:"group"`
			Calendar aggT   `json:"calendar"`
		}{ATTgt: []cell{}}
		for _, c := range r.Cells {
			out.ATTgt = append(out.ATTgt, cell{c.Group, c.Time, estNum(c.ATT), estNum(c.SE)})
		}
		est := func(e econ.CSEffect) didEst { return didEst{estNum(e.ATT), estNum(e.SE)} }
		out.Simple = est(r.Simple)
		out.Dynamic.Overall = est(r.Dynamic.Overall)
		for _, e := range r.Dynamic.By {
			out.Dynamic.By = append(out.Dynamic.By, byE{e.Key, estNum(e.ATT), estNum(e.SE)})
		}
		out.Group.Overall = est(r.Group.Overall)
		for _, e := range r.Group.By {
			out.Group.By = append(out.Group.By, byG{e.Key, estNum(e.ATT), estNum(e.SE)})
		}
		out.Calendar.Overall = est(r.Calendar.Overall)
		for _, e := range r.Calendar.By {
			out.Calendar.By = append(out.Calendar.By, byT{e.Key, estNum(e.ATT), estNum(e.SE)})
		}
		return estRows(env.Stdout, "json", nil, nil, out)
	}
	// table and csv: one row per estimate.
	head := []string{"aggregation", "group", "time", "e", "att", "se"}
	var rows [][]string
	num := func(v float64) string {
		if format == "csv" {
			return strconv.FormatFloat(v, 'g', -1, 64)
		}
		return strconv.FormatFloat(v, 'f', 5, 64)
	}
	it := strconv.Itoa
	for _, c := range r.Cells {
		rows = append(rows, []string{"att_gt", it(c.Group), it(c.Time), it(c.Time - c.Group), num(c.ATT), num(c.SE)})
	}
	rows = append(rows, []string{"simple", "", "", "", num(r.Simple.ATT), num(r.Simple.SE)})
	rows = append(rows, []string{"dynamic", "", "", "", num(r.Dynamic.Overall.ATT), num(r.Dynamic.Overall.SE)})
	for _, e := range r.Dynamic.By {
		rows = append(rows, []string{"dynamic", "", "", it(e.Key), num(e.ATT), num(e.SE)})
	}
	rows = append(rows, []string{"group", "", "", "", num(r.Group.Overall.ATT), num(r.Group.Overall.SE)})
	for _, e := range r.Group.By {
		rows = append(rows, []string{"group", it(e.Key), "", "", num(e.ATT), num(e.SE)})
	}
	rows = append(rows, []string{"calendar", "", "", "", num(r.Calendar.Overall.ATT), num(r.Calendar.Overall.SE)})
	for _, e := range r.Calendar.By {
		rows = append(rows, []string{"calendar", "", it(e.Key), "", num(e.ATT), num(e.SE)})
	}
	return estRows(env.Stdout, format, head, rows, nil)
}
