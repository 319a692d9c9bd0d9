package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/cityimpact/cityimpact/econ"
)

// estimateBacon runs the Goodman-Bacon decomposition (econ.Bacon) of the
// TWFE coefficient of --treat: the outcome is the left-hand side of
// --formula (a plain column), the panel keys --unit and --time. JSON:
// {"twfe":..,"by_type":[{"type","weight","estimate","pairs"}],
// "pairs":[{"type","treated","control","estimate","weight"}]}; table and
// csv print the pairs (the plot data: weight on x, estimate on y).
func estimateBacon(w io.Writer, f *econ.Frame, o *estimateFlags) error {
	fm, err := econ.ParseFormula(o.formulas[0])
	if err != nil {
		return err
	}
	if fm.LHS == nil || fm.LHS.Kind != econ.ExprVar {
		return userErrorf("--bacon: the left-hand side of --formula must be a plain outcome column, not %s", fm.LHS)
	}
	r, err := econ.Bacon(f, econ.BaconSpec{Outcome: fm.LHS.Name, Treat: o.treat, Unit: o.unit, Time: o.time})
	if err != nil {
		return err
	}
	switch o.format {
	case "json":
		type pair struct {
			Type     string  `json:"type"`
			Treated  string  `json:"treated"`
			Control  string  `json:"control"`
			Estimate float64 `json:"estimate"`
			Weight   float64 `json:"weight"`
		}
		type sum struct {
			Type     string  `json:"type"`
			Weight   float64 `json:"weight"`
			Estimate float64 `json:"estimate"`
			Pairs    int     `json:"pairs"`
		}
		out := struct {
			TWFE   float64 `json:"twfe"`
			ByType []sum   `json:"by_type"`
			Pairs  []pair  `json:"pairs"`
		}{TWFE: r.TWFE}
		for _, s := range r.ByType {
			out.ByType = append(out.ByType, sum{s.Type, s.Weight, s.Estimate, s.Pairs})
		}
		for _, p := range r.Pairs {
			out.Pairs = append(out.Pairs, pair{p.Type, p.Treated, p.Control, p.Estimate, p.Weight})
		}
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	case "csv":
		fmt.Fprintln(w, "type,treated,control,estimate,weight")
		for _, p := range r.Pairs {
			fmt.Fprintf(w, "%s,%s,%s,%s,%s\n", p.Type, p.Treated, p.Control,
				strconv.FormatFloat(p.Estimate, 'g', -1, 64), strconv.FormatFloat(p.Weight, 'g', -1, 64))
		}
		return nil
	case "table":
		fmt.Fprintf(w, "TWFE estimate %.6g\n\n%-26s %8s %10s %6s\n", r.TWFE, "type", "weight", "estimate", "pairs")
		for _, s := range r.ByType {
			fmt.Fprintf(w, "%-26s %8.5f %10.5f %6d\n", s.Type, s.Weight, s.Estimate, s.Pairs)
		}
		fmt.Fprintf(w, "\n%-26s %8s %8s %10s %8s\n", "type", "treated", "control", "estimate", "weight")
		for _, p := range r.Pairs {
			fmt.Fprintf(w, "%-26s %8s %8s %10.5f %8.5f\n", p.Type, p.Treated, p.Control, p.Estimate, p.Weight)
		}
		return nil
	}
	return userErrorf("--bacon prints json, table or csv, not %s", o.format)
}
