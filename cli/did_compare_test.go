package cli

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// `cityimpact did --compare-twfe` on mpdta: the ATT row holds TWFE's
// coefficient on D = 1{year ≥ first.treat > 0} — fixest 0.12.2,
// feols(lemp ~ D | countyreal + year, mpdta): −0.0365489366740674
// (SE 0.013265155429339, clustered by countyreal), run by hand in R —
// beside the CS simple and dynamic overall effects of the same run.
func TestDIDCompareTWFE(t *testing.T) {
	args := []string{"did", "--data", "../econ/testdata/cs/mpdta.csv", "--outcome", "lemp", "--unit", "countyreal",
		"--time", "year", "--cohort", "first.treat", "--compare-twfe"}
	code, out, errs := runCLI(t, append(args, "--format", "json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Simple  struct{ ATT, SE float64 }
		Dynamic struct {
			Overall struct{ ATT, SE float64 }
		}
		Compare struct {
			Titles       []string
			Estimators   []string
			VCov         []string
			Coefficients []struct {
				Name  string
				Cells []*struct{ Estimate, SE float64 }
			}
		} `json:"compare_twfe"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	c := res.Compare
	if len(c.Titles) != 3 || len(c.Coefficients) == 0 || c.Coefficients[0].Name != "ATT" || c.VCov[0] != "cluster(countyreal)" {
		t.Fatalf("compare_twfe: %+v", c)
	}
	att := c.Coefficients[0].Cells
	if math.Abs(att[0].Estimate-(-0.0365489366740674)) > 1e-9 || math.Abs(att[0].SE-0.013265155429339) > 1e-9 {
		t.Errorf("TWFE %v (%v); fixest −0.0365489366740674 (0.013265155429339)", att[0].Estimate, att[0].SE)
	}
	if att[1].Estimate != res.Simple.ATT || att[1].SE != res.Simple.SE || att[2].Estimate != res.Dynamic.Overall.ATT {
		t.Errorf("CS cells %+v %+v; simple %+v, dynamic %+v", att[1], att[2], res.Simple, res.Dynamic.Overall)
	}
	code, out, _ = runCLI(t, args...)
	if code != 0 || !strings.Contains(out, "TWFE beside Callaway–Sant'Anna") || !strings.Contains(out, "-0.037***") || !strings.Contains(out, "CS dynamic") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
	code, _, errs = runCLI(t, append(args, "--format", "csv")...)
	if code != ExitUser || !strings.Contains(errs, "--compare-twfe") {
		t.Errorf("csv: exit %d, %q", code, errs)
	}
	// Repeated cross-sections: cohort instead of unit effects.
	code, out, errs = runCLI(t, append(args, "--sample", "rcs", "--format", "json")...)
	if code != 0 || !strings.Contains(out, `"first.treat"`) {
		t.Errorf("rcs: exit %d %s\n%s", code, errs, out)
	}
}
