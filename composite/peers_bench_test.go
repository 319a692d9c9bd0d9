package composite

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// peerBenchSizes are the side-by-side sizes of docs/PERFORMANCE.md
// ("Side by side with pymcdm / COINr"): 290 cities × 16 years × 40
// indicators pooled (4,640 rows), and 100,000 rows × 40.
var peerBenchSizes = []struct{ rows, k int }{
	{290 * 16, 40},
	{100000, 40},
}

// peerBenchMatrix returns a positive rows × k matrix (uniform on
// [0.01, 1.01), PCG seeded by the size) and its directions (every third
// column a cost).
func peerBenchMatrix(rows, k int) ([][]float64, []Direction) {
	rng := rand.New(rand.NewPCG(uint64(rows), uint64(k)))
	x := make([][]float64, k)
	for j := range x {
		x[j] = make([]float64, rows)
	}
	for i := range rows { // row-major draw order, as the file is written
		for j := range k {
			x[j][i] = 0.01 + rng.Float64()
		}
	}
	dirs := make([]Direction, k)
	for j := range dirs {
		dirs[j] = Benefit
		if j%3 == 2 {
			dirs[j] = Cost
		}
	}
	return x, dirs
}

// peerPipeline is the side-by-side task: entropy weights of the raw
// matrix, TOPSIS with min-max normalisation (pymcdm's default) and the
// ranks of the scores.
func peerPipeline(x [][]float64, dirs []Direction, w, score, rank []float64) error {
	if _, err := Entropy(w, x, EntropyOptions{}); err != nil {
		return err
	}
	if _, err := TOPSIS(score, x, w, dirs, TOPSISOptions{Norm: TOPSISMinMax}); err != nil {
		return err
	}
	Ranks(rank, score, Benefit)
	return nil
}

// writePeerBench writes x row-major as little-endian float64 to
// dir/peer_R_K.bin and the pipeline's scores to dir/peer_R_K.scores.bin,
// for testdata/peers/pymcdm_bench.py.
func writePeerBench(dir string, x [][]float64, score []float64) error {
	rows, k := len(x[0]), len(x)
	buf := make([]byte, 0, rows*k*8)
	for i := range rows {
		for j := range k {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x[j][i]))
		}
	}
	base := filepath.Join(dir, fmt.Sprintf("peer_%d_%d", rows, k))
	if err := os.WriteFile(base+".bin", buf, 0o644); err != nil {
		return err
	}
	buf = buf[:0]
	for _, v := range score {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
	}
	return os.WriteFile(base+".scores.bin", buf, 0o644)
}

// BenchmarkPeerPipeline times entropy weights + TOPSIS (min-max) + ranks.
// With COMPOSITE_PEER_BENCH_DIR set it also writes the matrices and scores
// there, for the peer's side of the comparison.
func BenchmarkPeerPipeline(b *testing.B) {
	for _, s := range peerBenchSizes {
		b.Run(fmt.Sprintf("rows=%d/indicators=%d", s.rows, s.k), func(b *testing.B) {
			x, dirs := peerBenchMatrix(s.rows, s.k)
			w := make([]float64, s.k)
			score := make([]float64, s.rows)
			rank := make([]float64, s.rows)
			if dir := os.Getenv("COMPOSITE_PEER_BENCH_DIR"); dir != "" {
				if err := peerPipeline(x, dirs, w, score, rank); err != nil {
					b.Fatal(err)
				}
				if err := writePeerBench(dir, x, score); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := peerPipeline(x, dirs, w, score, rank); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// peerIndexTree is a flat two-level tree over k indicators: 5 dimensions
// of k/5 indicators under the goal, weights 1, every third indicator a cost
// (as peerBenchMatrix), named i1…ik and D1…D5 as in coinr_bench.R.
func peerIndexTree(k int) *Node {
	root := &Node{Code: "Index", Weight: 1, HasWeight: true, Floor: math.NaN()}
	for g := range 5 {
		dim := &Node{Code: fmt.Sprintf("D%d", g+1), Weight: 1, HasWeight: true, Floor: math.NaN()}
		for j := g * k / 5; j < (g+1)*k/5; j++ {
			dir := Benefit
			if j%3 == 2 {
				dir = Cost
			}
			dim.Children = append(dim.Children, &Node{Code: fmt.Sprintf("i%d", j+1), Direction: dir, Weight: 1, HasWeight: true, Floor: math.NaN()})
		}
		root.Children = append(root.Children, dim)
	}
	return root
}

// BenchmarkPeerIndex times Compute as COINr builds an index (min-max
// normalisation, weighted arithmetic mean at every node, ranks): on COINr's
// ASEM example (51 × 49, 4 levels) and on the side-by-side matrices taken
// as units of one period under peerIndexTree. With COMPOSITE_PEER_BENCH_DIR
// set it writes the goal's scores (on [0, 1]) to peer_R_K.index.bin.
func BenchmarkPeerIndex(b *testing.B) {
	opt := IndexOptions{Normalise: MinMax, Weighting: WeightExpert, Aggregate: AggLinear}
	b.Run("ASEM", func(b *testing.B) {
		root, leaves := asemTree(b, "Weight")
		head, rows, units := peerTable(b, "asem_raw.csv")
		d := &Data{Units: units, Periods: []string{"2018"}, Values: map[string][]float64{}}
		for _, code := range leaves {
			d.Values[code] = peerColumn(b, head, rows, units, code)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Compute(root, d, opt); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, s := range peerBenchSizes {
		b.Run(fmt.Sprintf("rows=%d/indicators=%d", s.rows, s.k), func(b *testing.B) {
			x, _ := peerBenchMatrix(s.rows, s.k)
			d := &Data{Units: make([]string, s.rows), Periods: []string{"1"}, Values: map[string][]float64{}}
			for i := range d.Units {
				d.Units[i] = fmt.Sprintf("u%d", i+1)
			}
			for j := range x {
				d.Values[fmt.Sprintf("i%d", j+1)] = x[j]
			}
			root := peerIndexTree(s.k)
			if dir := os.Getenv("COMPOSITE_PEER_BENCH_DIR"); dir != "" {
				ix, err := Compute(root, d, opt)
				if err != nil {
					b.Fatal(err)
				}
				buf := make([]byte, 0, 8*s.rows)
				for _, v := range ix.Score[0] {
					buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
				}
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("peer_%d_%d.index.bin", s.rows, s.k)), buf, 0o644); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compute(root, d, opt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
