package evaluation

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/cityimpact/cityimpact/framework"
)

// runSeedVariant runs the 60-unit demo (2010–2025) on seed-2025 with the
// target_from of each listed indicator replaced (0 removes it), written
// to a framework file, with extra spec lines.
func runSeedVariant(t *testing.T, from map[string]int, extra string) *Results {
	t.Helper()
	fw, err := framework.Template("seed-2025")
	if err != nil {
		t.Fatal(err)
	}
	for code, y := range from {
		n := fw.Find(code)
		if n == nil || n.Target == nil {
			t.Fatalf("seed-2025 has no target for %s", code)
		}
		n.TargetFrom = y
	}
	b, err := fw.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "fw.yaml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(dir, "s.yaml")
	s, err := ParseSpec([]byte("schema: 1\ndata: {generate: {seed: 1, units: 60}}\nframework: {file: fw.yaml}\n"+
		"index: {uncertainty: -1}\ncausal: {methods: [twfe]}\npolicy: {outcomes: [goal]}\n"+extra), spec)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), s, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// firstFailure returns, per indicator, the earliest first period of a
// consecutive failure over all cities, and the number of failures.
func firstFailure(res *Results) (map[string]string, map[string]int) {
	first, count := map[string]string{}, map[string]int{}
	for _, d := range res.Cities {
		for _, f := range d.Failures {
			if p, ok := first[f.Code]; !ok || f.Periods[0] < p {
				first[f.Code] = f.Periods[0]
			}
			count[f.Code]++
		}
	}
	return first, count
}

// missedEverywhere reports whether every assessed city raised the
// consecutive-failure alert of indicator code.
func missedEverywhere(res *Results, code string) bool {
	for _, g := range res.AlertGroups {
		if g.Code == code && g.Kind == "consecutive_below_target" {
			return g.Cities == g.Assessed && g.Assessed > len(res.Cities)/2
		}
	}
	return false
}

// TestTargetFromMovesFirstAssessedYear: an indicator's target_from moves
// the first year its target is judged to the later of target_from and the
// spec's rule (the trend window 2021–2025 by default, or
// peers.targets_from), and removes the target from the attainment rate of
// earlier years only.
func TestTargetFromMovesFirstAssessedYear(t *testing.T) {
	// Undated, data sharing (78%) is missed from the start of the trend
	// window; from 2023 on, no failure may start before 2023, and the
	// cities failing in 2023–2025 are still alerted.
	undated := runSeedVariant(t, map[string]int{"data_sharing_rate": 0, "desensitisation_rate": 0, "agefriendly_terminals": 0}, "")
	f0, n0 := firstFailure(undated)
	if f0["data_sharing_rate"] != "2021" || f0["desensitisation_rate"] != "2021" || !missedEverywhere(undated, "desensitisation_rate") {
		t.Fatalf("undated: first failures %v (counts %v); want data sharing and desensitisation from 2021, the latter everywhere", f0, n0)
	}
	dated := runSeedVariant(t, map[string]int{"data_sharing_rate": 2023, "desensitisation_rate": 0, "agefriendly_terminals": 0}, "")
	f1, n1 := firstFailure(dated)
	if f1["data_sharing_rate"] != "2023" || n1["data_sharing_rate"] == 0 || n1["data_sharing_rate"] > n0["data_sharing_rate"] {
		t.Errorf("data sharing from 2023: first failure %q in %d cities (undated %q in %d); want 2023 in 1..%d",
			f1["data_sharing_rate"], n1["data_sharing_rate"], f0["data_sharing_rate"], n0["data_sharing_rate"], n0["data_sharing_rate"])
	}
	if f1["desensitisation_rate"] != "2021" || n1["satisfaction"] != n0["satisfaction"] {
		t.Errorf("other indicators changed: %v %v; undated %v %v", f1, n1, f0, n0)
	}
	// The later of the two: target_from 2023 under targets_from 2024
	// starts at 2024; target_from 2025 under targets_from 2022 at 2025.
	later := runSeedVariant(t, map[string]int{"data_sharing_rate": 2023, "desensitisation_rate": 2025}, "peers: {targets_from: 2024, consecutive: 1}\n")
	f2, n2 := firstFailure(later)
	if f2["data_sharing_rate"] != "2024" || f2["desensitisation_rate"] != "2025" || !missedEverywhere(later, "desensitisation_rate") {
		t.Errorf("targets_from 2024: first failures %v (counts %v); want data sharing 2024, desensitisation 2025 in every city", f2, n2)
	}
	earlier := runSeedVariant(t, map[string]int{"desensitisation_rate": 2025}, "peers: {targets_from: 2022}\n")
	if f3, _ := firstFailure(earlier); f3["desensitisation_rate"] != "" || f3["satisfaction"] != "2022" {
		t.Errorf("targets_from 2022: first failures %v; want none for desensitisation (in force only in 2025, one period), satisfaction from 2022", f3)
	}
	for _, g := range earlier.AlertGroups {
		if g.Code == "desensitisation_rate" || g.Code == "agefriendly_terminals" {
			t.Errorf("alert group %v for a target in force in one period only", g)
		}
	}
	// Attainment: with desensitisation and age-friendly terminals dated
	// 2025 (both 100% targets missed everywhere on the demo), attainment
	// in 2024 rises or stays and in 2025 is unchanged.
	T := len(undated.Periods)
	seed := runSeedVariant(t, nil, "")
	rose := 0
	for u := range undated.Units {
		a24, b24 := float64(undated.Index.Attainment[u*T+T-2]), float64(seed.Index.Attainment[u*T+T-2])
		a25, b25 := float64(undated.Index.Attainment[u*T+T-1]), float64(seed.Index.Attainment[u*T+T-1])
		if b24 < a24 || !(a25 == b25 || math.IsNaN(a25) && math.IsNaN(b25)) {
			t.Errorf("unit %d: attainment 2024 %v → %v, 2025 %v → %v; want 2024 not lower, 2025 equal", u, a24, b24, a25, b25)
		}
		if b24 > a24 {
			rose++
		}
	}
	if rose == 0 {
		t.Error("dating two missed targets raised no city's 2024 attainment")
	}
	// results.json names the year.
	for _, n := range seed.Framework.Nodes {
		want := 0
		if n.Code == "desensitisation_rate" || n.Code == "agefriendly_terminals" {
			want = 2025
		}
		if n.TargetFrom != want {
			t.Errorf("NodeInfo %s: target_from %d; want %d", n.Code, n.TargetFrom, want)
		}
	}
}
