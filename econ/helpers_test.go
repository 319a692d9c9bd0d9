package econ

import (
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"
)

// readFrame loads a CSV with a header row: columns whose every non-NA cell
// parses as a number become float columns, unless listed in asFactor.
func readFrame(t testing.TB, path string, asFactor ...string) *Frame {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head, rows := recs[0], recs[1:]
	f := NewFrame(len(rows))
	for j, name := range head {
		isFac := false
		for _, a := range asFactor {
			isFac = isFac || a == name
		}
		vals := make([]float64, len(rows))
		strs := make([]string, len(rows))
		numeric := true
		for i, r := range rows {
			strs[i] = r[j]
			if r[j] == "NA" || r[j] == "" {
				vals[i] = math.NaN()
				continue
			}
			v, err := strconv.ParseFloat(r[j], 64)
			if err != nil {
				numeric = false
			}
			vals[i] = v
		}
		if numeric && !isFac {
			err = f.AddFloat(name, vals)
		} else {
			err = f.AddStrings(name, strs)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// relErr is |got − want| / |want| (absolute when want = 0).
func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// roundsTo reports whether got rounds to want at want's printed precision:
// |got − want| ≤ half a unit in the last printed digit (plus a hair).
func roundsTo(got, want float64, decimals int) bool {
	return math.Abs(got-want) <= 0.5*math.Pow(10, -float64(decimals))*(1+1e-9)
}

func mustCoef(t *testing.T, r *Result, name string) Coef {
	t.Helper()
	c, ok := r.Coef(name)
	if !ok {
		names := []string{}
		for _, c := range r.Coefs {
			names = append(names, c.Name)
		}
		t.Fatalf("no coefficient %q; have %v", name, names)
	}
	return c
}
