package econ

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// nistData is one NIST StRD linear least-squares data set with its
// certified values (https://www.itl.nist.gov/div898/strd/lls/lls.shtml;
// files in testdata/nist/ from gretl-project/gretl @7745c2c tests/, see
// testdata/README.md).
type nistData struct {
	y, x    []float64 // x: first predictor column
	xs      [][]float64
	est, sd []float64
	resSD   float64
	r2      float64
}

var (
	reLines = regexp.MustCompile(`Data\s+\(lines\s+(\d+)\s+to\s+(\d+)\)`)
	reParam = regexp.MustCompile(`^\s*B(\d+)\s+(\S+)\s+(\S+)\s*$`)
	reRSD   = regexp.MustCompile(`^\s*Standard Deviation\s+(\S+)`)
	reR2    = regexp.MustCompile(`^\s*R-Squared\s+(\S+)`)
)

func readNIST(t *testing.T, name string) *nistData {
	t.Helper()
	fh, err := os.Open("testdata/nist/" + name + ".dat")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var lines []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), "\r"))
	}
	d := &nistData{}
	from, to := 0, 0
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	for _, l := range lines {
		if m := reLines.FindStringSubmatch(l); m != nil && from == 0 {
			from, _ = strconv.Atoi(m[1])
			to, _ = strconv.Atoi(m[2])
		}
		if m := reParam.FindStringSubmatch(l); m != nil {
			d.est = append(d.est, num(m[2]))
			d.sd = append(d.sd, num(m[3]))
		}
		if m := reRSD.FindStringSubmatch(l); m != nil {
			d.resSD = num(m[1])
		}
		if m := reR2.FindStringSubmatch(l); m != nil {
			d.r2 = num(m[1])
		}
	}
	for _, l := range lines[from-1 : to] {
		f := strings.Fields(l)
		d.y = append(d.y, num(f[0]))
		if d.xs == nil {
			d.xs = make([][]float64, len(f)-1)
		}
		for j := range d.xs {
			d.xs[j] = append(d.xs[j], num(f[j+1]))
		}
	}
	return d
}

// lre is NIST's log relative error, −log10(|got − cert| / |cert|), capped
// at 15 (log absolute error when cert = 0).
func lre(got, cert float64) float64 {
	e := math.Abs(got - cert)
	if cert != 0 {
		e /= math.Abs(cert)
	}
	if e == 0 {
		return 15
	}
	return math.Min(15, -math.Log10(e))
}

// TestNIST fits each StRD linear regression and checks the log relative
// error (LRE) of every estimate and standard error against the certified
// values. Required: LRE ≥ 9 everywhere except Filip and Wampler5, the two
// numerical traps, whose achieved LRE is logged and held to what the QR
// solver reaches (see minLRE).
func TestNIST(t *testing.T) {
	cases := []struct {
		name      string
		degree    int // polynomial degree in the single x; 0: use columns as given
		intercept bool
		minLRE    float64
		collin    float64 // CollinTol override
	}{
		{"Norris", 1, true, 9, 0},
		{"Pontius", 2, true, 9, 0},
		{"NoInt1", 0, false, 9, 0},
		{"NoInt2", 0, false, 9, 0},
		{"Longley", 0, true, 9, 0},
		{"Wampler1", 5, true, 9, 0},
		{"Wampler2", 5, true, 9, 0},
		{"Wampler3", 5, true, 9, 0},
		{"Wampler4", 5, true, 9, 0},
		// Wampler5: huge residuals relative to the signal; QR plus refinement
		// of the augmented system reaches LRE ≥ 12 (estimates 15, SEs 12.2).
		{"Wampler5", 5, true, 9, 0},
		// Filip: degree-10 polynomial, so ill-conditioned that with the
		// default CollinTol x^10 is declared collinear (as R's lm does). With
		// CollinTol lowered the solver reaches LRE 7.6 on estimates and 7.2
		// on SEs (the SEs come from R⁻¹, whose error grows with cond(X)):
		// only about 7 digits are trustworthy, and the test holds it to that.
		{"Filip", 10, true, 7, 1e-30},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			nd := readNIST(t, c.name)
			d := &Design{Y: nd.y, YName: "y", Intercept: c.intercept}
			if c.degree > 0 {
				for p := 1; p <= c.degree; p++ {
					col := make([]float64, len(nd.y))
					for i, x := range nd.xs[0] {
						col[i] = math.Pow(x, float64(p))
					}
					d.X = append(d.X, col)
					d.XNames = append(d.XNames, fmt.Sprintf("x^%d", p))
				}
			} else {
				for j, x := range nd.xs {
					d.X = append(d.X, x)
					d.XNames = append(d.XNames, fmt.Sprintf("x%d", j+1))
				}
			}
			r, err := Fit(d, Options{VCov: VCovIID, CollinTol: c.collin})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Coefs) != len(nd.est) {
				t.Fatalf("%d coefficients (collinear: %v); want %d", len(r.Coefs), r.Collinear, len(nd.est))
			}
			worstE, worstS := 15.0, 15.0
			for j, cf := range r.Coefs {
				le, ls := lre(cf.Estimate, nd.est[j]), lre(cf.SE, nd.sd[j])
				worstE, worstS = math.Min(worstE, le), math.Min(worstS, ls)
				if le < c.minLRE || ls < c.minLRE {
					t.Errorf("B%d = %.15g (se %.15g); certified %.15g (%.15g): LRE %.1f, %.1f < %v",
						j, cf.Estimate, cf.SE, nd.est[j], nd.sd[j], le, ls, c.minLRE)
				}
			}
			lsig, lr2 := lre(r.Sigma, nd.resSD), lre(r.R2, nd.r2)
			if lsig < c.minLRE || lr2 < c.minLRE {
				t.Errorf("residual SD %.15g, R² %.15g; certified %.15g, %.15g: LRE %.1f, %.1f", r.Sigma, r.R2, nd.resSD, nd.r2, lsig, lr2)
			}
			t.Logf("%s: min LRE estimates %.1f, SEs %.1f, residual SD %.1f, R² %.1f", c.name, worstE, worstS, lsig, lr2)
		})
	}
}
