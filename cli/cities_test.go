package cli

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

// Zhejiang has 11 prefecture-level cities (GB/T 2260, 330100–331100).
func TestCitiesProvinceCSV(t *testing.T) {
	code, out, errs := runCLI(t, "cities", "--province", "浙江", "--format", "csv")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 12 || recs[0][0] != "code" || recs[1][0] != "330100" {
		t.Errorf("got %d records, first %v", len(recs), recs[:min(2, len(recs))])
	}
}

// 297 cities by default, 337 divisions with --autonomous; 34 cities in the
// NBS northeast (Liaoning 14, Jilin 8, Heilongjiang 12).
func TestCitiesCounts(t *testing.T) {
	for _, tc := range []struct {
		args []string
		rows int
	}{
		{nil, 297},
		{[]string{"--autonomous"}, 337},
		{[]string{"--region", "northeast"}, 34},
		{[]string{"--kind", "league,area"}, 10},
	} {
		code, out, errs := runCLI(t, append([]string{"cities"}, append(tc.args, "--format", "json")...)...)
		if code != ExitOK {
			t.Errorf("%v: exit %d: %s", tc.args, code, errs)
			continue
		}
		var rows []citiesRow
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if len(rows) != tc.rows {
			t.Errorf("%v: %d rows; want %d", tc.args, len(rows), tc.rows)
		}
	}
}

func TestCitiesLookup(t *testing.T) {
	code, out, errs := runCLI(t, "cities", "lookup", "杭州", "--format", "csv", "110100", "Suzhou, Anhui")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	recs, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
	var got []string
	for _, r := range recs[1:] {
		got = append(got, r[1])
	}
	if strings.Join(got, " ") != "330100 110000 341300" {
		t.Errorf("codes %v; want 330100 110000 341300", got)
	}

	code, out, errs = runCLI(t, "cities", "lookup", "杭州", "Suzhou", "杭洲", "延边")
	if code != ExitUser {
		t.Errorf("exit %d; want %d", code, ExitUser)
	}
	if !strings.Contains(out, "330100") {
		t.Errorf("resolved names not printed: %q", out)
	}
	if n := strings.Count(errs, "\n"); n != 3 {
		t.Errorf("%d error lines; want 3:\n%s", n, errs)
	}
}

func TestCitiesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--region", "south"},
		{"--grouping", "three", "--region", "northeast"},
		{"--province", "Atlantis"},
		{"--kind", "district"},
		{"--format", "xml"},
		{"extra"},
		{"lookup"},
		{"--nosuch"},
	} {
		if code, _, errs := runCLI(t, append([]string{"cities"}, args...)...); code != ExitUser || errs == "" {
			t.Errorf("%v: exit %d, stderr %q; want exit %d with a message", args, code, errs, ExitUser)
		}
	}
	if code, _, _ := runCLI(t, "cities", "--help"); code != ExitOK {
		t.Errorf("--help: exit %d", code)
	}
}

func TestCitiesProvinces(t *testing.T) {
	code, out, _ := runCLI(t, "cities", "provinces", "--format", "csv")
	if code != ExitOK || strings.Count(out, "\n") != 32 {
		t.Errorf("exit %d, %d lines; want 32", code, strings.Count(out, "\n"))
	}
}
