package composite

// Agreement with two peers built and run on this project's machine from
// their public sources: pymcdm 1.4.0 (Python, numpy; commit 76e77351,
// 2026-02-06) and COINr 1.1.14 (R; commit b9682034, 2025-04-04). The peers
// are not needed here: their outputs are committed under testdata/peers,
// written with 17 significant digits by the scripts beside them
// (pymcdm_peer.py, coinr_asem.R), which name the peer's version, commit and
// the date in their headers. testdata/peers/README.md says how to re-run
// them.

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// peerRel is |got − want| relative to |want|; where want is 0 it is |got|
// (an exact 0 must come out as 0 up to rounding of order 1e-16).
func peerRel(got, want float64) float64 {
	if got == want {
		return 0
	}
	d := math.Abs(got - want)
	if want != 0 {
		d /= math.Abs(want)
	}
	return d
}

// peerCheck compares got with want element-wise, fails above tol and
// returns the largest relative difference.
func peerCheck(t *testing.T, what string, got, want []float64, tol float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, peer has %d", what, len(got), len(want))
	}
	worst := 0.0
	for i := range want {
		if math.IsNaN(want[i]) != math.IsNaN(got[i]) {
			t.Errorf("%s[%d] = %v, peer %v", what, i, got[i], want[i])
			continue
		}
		if math.IsNaN(want[i]) {
			continue
		}
		r := peerRel(got[i], want[i])
		worst = max(worst, r)
		if !(r <= tol) {
			t.Errorf("%s[%d] = %.17g, peer %.17g (relative difference %.3g > %g)", what, i, got[i], want[i], r, tol)
		}
	}
	return worst
}

type pymcdmCase struct {
	Name, Source string
	Matrix       [][]float64
	Types        []int
	Weights      []float64
	WeightsFrom  string `json:"weights_from"`

	Entropy, Critic, Std []float64
	EntropyOfMinmaxError string `json:"entropy_of_minmax_error"`

	Minmax, Vector, Max, Sum, Linear [][]float64 // by column

	TopsisMinmax []float64 `json:"topsis_minmax"`
	TopsisVector []float64 `json:"topsis_vector"`
	RankMinmax   []float64 `json:"rank_minmax"`
	RankVector   []float64 `json:"rank_vector"`
}

// bestFirst converts composite's ranks (1 worst … m best) to pymcdm's
// rrankdata and COINr's order (1 best).
func bestFirst(r []float64) []float64 {
	out := make([]float64, len(r))
	m := 0
	for _, v := range r {
		if !math.IsNaN(v) {
			m++
		}
	}
	for i, v := range r {
		out[i] = float64(m+1) - v
	}
	return out
}

// TestPeerPymcdm checks weights, normalisations, TOPSIS and ranks against
// pymcdm 1.4.0 (github.com/kotbaton/pymcdm commit 76e77351) on its own
// examples (examples/MCDA_Example.ipynb's first matrix, test/test_mcdm.py
// TestTOPSIS from Opricovic & Tzeng 2004, examples/vans.csv) and on
// testdata/peers/generated_20x6.csv; reference numbers from
// testdata/peers/pymcdm_peer.py → pymcdm_out.json.
//
// The max, sum and linear normalisations are pymcdm's max_normalization,
// sum_normalization and linear_normalization (MaxNorm, SumNorm, Linear).
//
// Conventions that match: pymcdm's entropy_weights works on the values as
// given (no direction) = Entropy; critic_weights min-max normalises every
// column as benefit = CRITIC with FlipCost false; standard_deviation_weights
// uses ddof = 1 on the raw values = SD; minmax_normalization returns ones
// for a constant column = ConstantFill with Fill 1; TOPSIS(minmax) =
// TOPSISMinMax; TOPSIS(vector_normalization), whose cost form is
// 1 − x/‖x‖, gives the same distances as Hwang & Yoon's x/‖x‖ with the
// ideal at the minimum = TOPSISVector. One difference: pymcdm refuses
// entropy on data with a zero (sum_normalization needs positive values),
// where Entropy takes 0·ln 0 = 0; the JSON records pymcdm's message.
func TestPeerPymcdm(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "peers", "pymcdm_out.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Peer, Version, Commit, Numpy, Date, Script string
		Cases                                      []pymcdmCase
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Peer != "pymcdm" || len(doc.Cases) != 4 {
		t.Fatalf("unexpected reference file: peer %q, %d cases", doc.Peer, len(doc.Cases))
	}
	for _, c := range doc.Cases {
		t.Run(c.Name, func(t *testing.T) {
			m, k := len(c.Matrix), len(c.Types)
			x := make([][]float64, k)
			dirs := make([]Direction, k)
			for j := range x {
				x[j] = make([]float64, m)
				for i := range m {
					x[j][i] = c.Matrix[i][j]
				}
				dirs[j] = Direction(c.Types[j])
			}
			worst := map[string]float64{}

			w, err := Entropy(nil, x, EntropyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			worst["entropy"] = peerCheck(t, "entropy", w, c.Entropy, 1e-12)
			w, err = CRITIC(nil, x, CRITICOptions{Directions: dirs})
			if err != nil {
				t.Fatal(err)
			}
			worst["critic"] = peerCheck(t, "critic", w, c.Critic, 1e-12)
			w, err = SD(nil, x)
			if err != nil {
				t.Fatal(err)
			}
			worst["std"] = peerCheck(t, "std", w, c.Std, 1e-12)

			for j := range x {
				mm, err := Normaliser{Method: MinMax, Direction: dirs[j], OnConstant: ConstantFill, Fill: 1}.Apply(nil, x[j])
				if err != nil {
					t.Fatal(err)
				}
				worst["minmax"] = max(worst["minmax"], peerCheck(t, fmt.Sprintf("minmax col %d", j), mm, c.Minmax[j], 1e-12))
				vec, err := Normaliser{Method: Vector, Direction: dirs[j]}.Apply(nil, x[j])
				if err != nil {
					t.Fatal(err)
				}
				worst["vector"] = max(worst["vector"], peerCheck(t, fmt.Sprintf("vector col %d", j), vec, c.Vector[j], 1e-12))
				for _, nc := range []struct {
					name string
					m    NormMethod
					want []float64
				}{{"max", MaxNorm, c.Max[j]}, {"sum", SumNorm, c.Sum[j]}, {"linear", Linear, c.Linear[j]}} {
					got, err := Normaliser{Method: nc.m, Direction: dirs[j]}.Apply(nil, x[j])
					if err != nil {
						t.Fatal(err)
					}
					worst[nc.name] = max(worst[nc.name], peerCheck(t, fmt.Sprintf("%s col %d", nc.name, j), got, nc.want, 1e-12))
				}
			}

			// TOPSIS with pymcdm's weights (given, or its entropy weights).
			for _, tc := range []struct {
				name        string
				norm        TOPSISNorm
				score, rank []float64
			}{
				{"topsis_minmax", TOPSISMinMax, c.TopsisMinmax, c.RankMinmax},
				{"topsis_vector", TOPSISVector, c.TopsisVector, c.RankVector},
			} {
				s, err := TOPSIS(nil, x, c.Weights, dirs, TOPSISOptions{Norm: tc.norm})
				if err != nil {
					t.Fatal(err)
				}
				worst[tc.name] = peerCheck(t, tc.name, s, tc.score, 1e-12)
				r := make([]float64, m)
				Ranks(r, s, Benefit)
				peerCheck(t, tc.name+" ranks", bestFirst(r), tc.rank, 0)
			}

			if c.EntropyOfMinmaxError == "" {
				t.Errorf("pymcdm accepted zeros in entropy_weights; compare it with Entropy")
			}
			t.Logf("pymcdm %s (%s) %s, max relative difference: %v", doc.Version, doc.Commit[:8], c.Source, worst)
		})
	}
}

// peerTable reads a CSV written by a peer script: "#" lines, a header, rows.
// Empty cells are NaN. It returns the header and the rows keyed by the
// first column.
func peerTable(t testing.TB, name string) ([]string, map[string][]string, []string) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "peers", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var body strings.Builder
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if !strings.HasPrefix(sc.Text(), "#") {
			body.WriteString(sc.Text())
			body.WriteByte('\n')
		}
	}
	r := csv.NewReader(strings.NewReader(body.String()))
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	var order []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows[rec[0]] = rec
		order = append(order, rec[0])
	}
	return head, rows, order
}

func peerFloat(t testing.TB, s string) float64 {
	t.Helper()
	if s == "" || s == "NA" {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// peerColumn returns column col of a peer table in the order of units.
func peerColumn(t testing.TB, head []string, rows map[string][]string, units []string, col string) []float64 {
	t.Helper()
	j := -1
	for i, h := range head {
		if h == col {
			j = i
		}
	}
	if j < 0 {
		t.Fatalf("peer table has no column %q", col)
	}
	out := make([]float64, len(units))
	for i, u := range units {
		rec, ok := rows[u]
		if !ok {
			t.Fatalf("peer table has no unit %q", u)
		}
		out[i] = peerFloat(t, rec[j])
	}
	return out
}

// asemTree builds the ASEM index tree of COINr's ASEM_iMeta (written to
// testdata/peers/asem_meta.csv by coinr_asem.R): children in iMeta order,
// directions from iMeta and weights from the column named weight ("Weight",
// iMeta's, or "WeightAlt", the unequal set of the weighted build).
func asemTree(t testing.TB, weight string) (*Node, []string) {
	head, rows, order := peerTable(t, "asem_meta.csv")
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	nodes := map[string]*Node{}
	var root *Node
	var leaves []string
	for _, code := range order {
		rec := rows[code]
		n := &Node{Code: code, Weight: peerFloat(t, rec[col[weight]]), HasWeight: true, Floor: math.NaN()}
		if rec[col["Level"]] == "1" {
			n.Direction = Direction(peerFloat(t, rec[col["Direction"]]))
			leaves = append(leaves, code)
		} else {
			n.Children = []*Node{}
		}
		nodes[code] = n
	}
	for _, code := range order {
		p := rows[code][col["Parent"]]
		if p == "" {
			root = nodes[code]
			continue
		}
		nodes[p].Children = append(nodes[p].Children, nodes[code])
	}
	return root, leaves
}

// TestPeerCOINrASEM builds COINr's own example index, ASEM (51 countries,
// 49 indicators in 8 pillars, 2 sub-indices, 1 index, 64 missing values),
// as COINr 1.1.14 (github.com/bluefoxr/COINr commit b9682034) does with
// Normalise(n_minmax, l_u = c(0, 100)) and Aggregate(a_amean) using
// ASEM_iMeta's weights, and compares every node's score and the ranks of
// every aggregate (testdata/peers/coinr_asem.R → coinr_asem_index.csv,
// coinr_asem_ranks.csv), and COINr's n_zscore (coinr_asem_zscore.csv).
//
// Conventions: COINr scales min-max onto [0, 100], Compute onto [0, 1]
// (scores are compared ×100; the weighted mean is linear so nothing else
// changes); a_amean re-weights over the indicators present, as
// MissingReweight; COINr ranks ties by "min", composite by the mean rank
// (ASEM has no ties in any aggregate, so the ranks must be equal).
func TestPeerCOINrASEM(t *testing.T) {
	root, leaves := asemTree(t, "Weight")
	rhead, rrows, units := peerTable(t, "asem_raw.csv")
	d := &Data{Units: units, Periods: []string{"2018"}, Values: map[string][]float64{}}
	for _, code := range leaves {
		d.Values[code] = peerColumn(t, rhead, rrows, units, code)
	}
	x, err := Compute(root, d, IndexOptions{Normalise: MinMax, Weighting: WeightExpert, Aggregate: AggLinear})
	if err != nil {
		t.Fatal(err)
	}
	ihead, irows, _ := peerTable(t, "coinr_asem_index.csv")
	khead, krows, _ := peerTable(t, "coinr_asem_ranks.csv")
	worstScore, worstLeaf := 0.0, 0.0
	ranksChecked := 0
	for node, code := range x.Codes {
		want := peerColumn(t, ihead, irows, units, code)
		got := make([]float64, len(units))
		for i := range got {
			got[i] = 100 * x.Score[node][i]
		}
		r := peerCheck(t, "score "+code, got, want, 1e-12)
		if x.IsIndicator[node] {
			worstLeaf = max(worstLeaf, r)
			continue
		}
		worstScore = max(worstScore, r)
		wantRank := peerColumn(t, khead, krows, units, code)
		rk := make([]float64, len(units))
		Ranks(rk, x.Score[node], Benefit)
		peerCheck(t, "rank "+code, bestFirst(rk), wantRank, 0)
		ranksChecked++
	}
	peerCheck(t, "Index.Rank", x.Rank, peerColumn(t, khead, krows, units, "Index"), 0)
	if ranksChecked != 11 {
		t.Errorf("checked the ranks of %d aggregates, want 11", ranksChecked)
	}

	zhead, zrows, _ := peerTable(t, "coinr_asem_zscore.csv")
	worstZ := 0.0
	for _, code := range leaves {
		z, err := Normaliser{Method: ZScore, Direction: asemDirection(root, code)}.Apply(nil, d.Values[code])
		if err != nil {
			t.Fatal(err)
		}
		// 1e-10: a z-score near 0 is a difference of nearly equal numbers, so
		// its relative error is larger than the data's (3.6e-13 at worst here).
		worstZ = max(worstZ, peerCheck(t, "zscore "+code, z, peerColumn(t, zhead, zrows, units, code), 1e-10))
	}
	t.Logf("COINr 1.1.14 (b9682034) ASEM: max relative difference: normalised indicators %.3g, aggregates %.3g, z-scores %.3g; ranks of 11 aggregates equal",
		worstLeaf, worstScore, worstZ)
}

func asemDirection(n *Node, code string) Direction {
	if n.Code == code {
		return n.Direction
	}
	for _, c := range n.Children {
		if d := asemDirection(c, code); d != 0 {
			return d
		}
	}
	return 0
}

// TestPeerCOINrNormalisers checks COINr 1.1.14's normalisation functions
// (commit b9682034), called on ASEM's raw columns with ASEM_iMeta's
// directions and targets by testdata/peers/coinr_asem.R: n_dist2targ
// (DistanceToTarget, uncapped), n_goalposts with the 10% and 90% quantiles
// as goalposts and scale 100 (Goalposts), and n_rank and n_prank of
// direction·x (Rank and Percentile). COINr ranks ties by R's
// ties.method = "min"; composite by the mean rank unless Normaliser.Ties is
// TiesMin. ASEM has ties in 24 of its 49 indicators, so the default must
// differ from COINr there and TiesMin must agree exactly.
func TestPeerCOINrNormalisers(t *testing.T) {
	mhead, mrows, codes := peerTable(t, "asem_meta.csv")
	mcol := map[string]int{}
	for i, h := range mhead {
		mcol[h] = i
	}
	rhead, rrows, units := peerTable(t, "asem_raw.csv")
	ghead, grows, _ := peerTable(t, "coinr_asem_goalposts_params.csv")
	gcol := map[string]int{}
	for i, h := range ghead {
		gcol[h] = i
	}
	tables := map[string]func(code string) []float64{}
	for _, name := range []string{"dist2targ", "goalposts", "rank", "prank"} {
		h, r, _ := peerTable(t, "coinr_asem_"+name+".csv")
		tables[name] = func(code string) []float64 { return peerColumn(t, h, r, units, code) }
	}
	worst := map[string]float64{}
	leaves, averageDiffers := 0, 0
	for _, code := range codes {
		rec := mrows[code]
		if rec[mcol["Level"]] != "1" {
			continue
		}
		leaves++
		dir := Direction(peerFloat(t, rec[mcol["Direction"]]))
		x := peerColumn(t, rhead, rrows, units, code)
		g := grows[code]
		for _, c := range []struct {
			name string
			n    Normaliser
			tol  float64
		}{
			{"dist2targ", Normaliser{Method: DistanceToTarget, Direction: dir, Target: peerFloat(t, rec[mcol["Target"]])}, 1e-12},
			{"goalposts", Normaliser{Method: Goalposts, Direction: dir, Lo: peerFloat(t, g[gcol["lo"]]), Hi: peerFloat(t, g[gcol["hi"]]), Scale: peerFloat(t, g[gcol["scale"]])}, 1e-12},
			{"rank", Normaliser{Method: Rank, Direction: dir, Ties: TiesMin}, 0},
			{"prank", Normaliser{Method: Percentile, Direction: dir, Ties: TiesMin}, 1e-15},
		} {
			got, err := c.n.Apply(nil, x)
			if err != nil {
				t.Fatalf("%s %s: %v", c.name, code, err)
			}
			worst[c.name] = max(worst[c.name], peerCheck(t, c.name+" "+code, got, tables[c.name](code), c.tol))
		}
		avg, err := Normaliser{Method: Rank, Direction: dir}.Apply(nil, x)
		if err != nil {
			t.Fatal(err)
		}
		want := tables["rank"](code)
		for i := range avg {
			if !math.IsNaN(avg[i]) && avg[i] != want[i] {
				averageDiffers++
				break
			}
		}
	}
	if leaves != 49 {
		t.Fatalf("%d indicators in asem_meta.csv, want 49", leaves)
	}
	if averageDiffers != 24 {
		t.Errorf("mean-rank ties differ from COINr's in %d indicators, want the 24 with ties", averageDiffers)
	}
	t.Logf("COINr 1.1.14 (b9682034) ASEM normalisers, max relative difference: %v", worst)
}

// TestPeerCOINrASEMWeighted repeats the ASEM build with unequal weights
// (1, 2, 3, … down iMeta's rows: asem_meta.csv's WeightAlt), which COINr's
// a_amean rescales to sum 1 over the children present, as Compute's expert
// weights with MissingReweight do (coinr_asem.R → coinr_asem_index_weighted.csv).
func TestPeerCOINrASEMWeighted(t *testing.T) {
	root, leaves := asemTree(t, "WeightAlt")
	rhead, rrows, units := peerTable(t, "asem_raw.csv")
	d := &Data{Units: units, Periods: []string{"2018"}, Values: map[string][]float64{}}
	for _, code := range leaves {
		d.Values[code] = peerColumn(t, rhead, rrows, units, code)
	}
	x, err := Compute(root, d, IndexOptions{Normalise: MinMax, Weighting: WeightExpert, Aggregate: AggLinear})
	if err != nil {
		t.Fatal(err)
	}
	head, rows, _ := peerTable(t, "coinr_asem_index_weighted.csv")
	worst := 0.0
	for node, code := range x.Codes {
		got := make([]float64, len(units))
		for i := range got {
			got[i] = 100 * x.Score[node][i]
		}
		worst = max(worst, peerCheck(t, "score "+code, got, peerColumn(t, head, rows, units, code), 1e-12))
	}
	t.Logf("COINr 1.1.14 (b9682034) ASEM, unequal weights: max relative difference %.3g", worst)
}
