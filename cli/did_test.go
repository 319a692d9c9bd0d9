package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `cityimpact did` on did's mpdta (econ/testdata/cs): the interface JSON
// of issue 6, with numbers printed in did's README (bcallaway11/did
// @71ba8a5 : README.md lines 138 and 214): ATT(2004,2004) = −0.0105 and
// the dynamic overall ATT −0.0772. econ's TestCSMPDTAPublished checks the
// rest.
func TestDIDCommand(t *testing.T) {
	code, out, errs := runCLI(t, "did", "--data", "../econ/testdata/cs/mpdta.csv", "--outcome", "lemp",
		"--unit", "countyreal", "--time", "year", "--cohort", "first.treat", "--boot", "0", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	type est struct{ ATT, SE *float64 }
	var res struct {
		ATTgt []struct {
			Group, Time int
			ATT, SE     float64
		} `json:"att_gt"`
		Simple  est `json:"simple"`
		Dynamic struct {
			Overall est `json:"overall"`
			By      []struct {
				E       *int `json:"e"`
				ATT, SE float64
			} `json:"by"`
		} `json:"dynamic"`
		Group struct {
			Overall est `json:"overall"`
			By      []struct {
				Group *int `json:"group"`
			} `json:"by"`
		} `json:"group"`
		Calendar struct {
			Overall est `json:"overall"`
			By      []struct {
				Time *int `json:"time"`
			} `json:"by"`
		} `json:"calendar"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(res.ATTgt) != 12 || res.ATTgt[0].Group != 2004 || res.ATTgt[0].Time != 2004 || math.Abs(res.ATTgt[0].ATT+0.0105) > 5e-5 || res.ATTgt[0].SE <= 0 {
		t.Errorf("att_gt: %+v", res.ATTgt)
	}
	if res.Simple.ATT == nil || res.Simple.SE == nil || res.Dynamic.Overall.ATT == nil || math.Abs(*res.Dynamic.Overall.ATT+0.0772) > 5e-5 {
		t.Errorf("simple/dynamic: %s", out)
	}
	if len(res.Dynamic.By) != 7 || res.Dynamic.By[0].E == nil || *res.Dynamic.By[0].E != -3 ||
		len(res.Group.By) != 3 || res.Group.By[0].Group == nil || *res.Group.By[0].Group != 2004 ||
		len(res.Calendar.By) != 4 || res.Calendar.By[0].Time == nil || *res.Calendar.By[0].Time != 2004 ||
		res.Group.Overall.SE == nil || res.Calendar.Overall.SE == nil {
		t.Errorf("aggregations: %s", out)
	}
}

func TestDIDCommandErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noNever := write("nonever.csv", "id,t,y,g\na,1,1,2\na,2,2,2\nb,1,1,3\nb,2,1,3\nb,3,4,3\na,3,3,2\n")
	badPeriod := write("bad.csv", "id,t,y,g\na,1,1,0\na,x,2,0\n")
	missing := write("miss.csv", "id,t,y,g\na,1,1,0\na,2,,0\nb,1,1,2\nb,2,3,2\n")
	flags := func(p string, extra ...string) []string {
		return append([]string{"did", "--data", p, "--outcome", "y", "--unit", "id", "--time", "t", "--cohort", "g"}, extra...)
	}
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"no never":   {flags(noNever), "never-treated"},
		"boot":       {flags(noNever, "--boot", "999"), "not yet supported"},
		"covariates": {flags(noNever, "--covariates", "x", "--method", "dr"), "not yet supported"},
		"period":     {flags(badPeriod), "t"},
		"missing":    {flags(missing), "missing outcome"},
		"no column":  {append(flags(missing), "--outcome", "zz"), "zz"},
		"control":    {flags(missing, "--control", "sometimes"), "--control"},
	} {
		code, _, errs := runCLI(t, c.args...)
		if code != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 mentioning %q", name, code, errs, c.want)
		}
	}
	// Not-yet-treated controls make the panel without never-treated units usable.
	if code, _, errs := runCLI(t, append(flags(noNever), "--control", "notyet")...); code != 0 {
		t.Errorf("notyet: exit %d: %s", code, errs)
	}
}
