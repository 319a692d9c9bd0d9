package econ

import (
	"errors"
	"math"
	"testing"
)

// FuzzFit builds small designs from bytes (values, NaNs, FE codes with
// singletons and missing codes, weights, clusters) and checks that Fit
// never panics and that a successful fit has finite estimates.
func FuzzFit(f *testing.F) {
	f.Add([]byte{3, 1, 2, 9, 4, 4, 1, 200, 7, 3, 3, 0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, uint8(2), uint8(1))
	f.Add([]byte{255, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}, uint8(1), uint8(3))
	f.Fuzz(func(t *testing.T, b []byte, nfe, mode uint8) {
		const width = 6 // bytes per row: y, x1, x2, fe1, fe2, weight
		n := len(b) / width
		if n == 0 || n > 200 {
			return
		}
		val := func(c byte) float64 {
			switch c {
			case 255:
				return math.NaN()
			case 254:
				return math.Inf(1)
			}
			return float64(int(c)-100) / 7
		}
		d := &Design{YName: "y", XNames: []string{"x1", "x2"}, X: [][]float64{make([]float64, n), make([]float64, n)},
			Y: make([]float64, n), Intercept: mode&1 == 1}
		q := int(nfe % 3)
		for k := range q {
			d.FE = append(d.FE, make([]int32, n))
			d.FENames = append(d.FENames, string(rune('a'+k)))
		}
		if mode&2 != 0 {
			d.Weights = make([]float64, n)
		}
		for i := range n {
			r := b[i*width : (i+1)*width]
			d.Y[i], d.X[0][i], d.X[1][i] = val(r[0]), val(r[1]), val(r[2])
			for k := range q {
				d.FE[k][i] = int32(r[3+k]%8) - 1 // -1 = missing
			}
			if d.Weights != nil {
				d.Weights[i] = float64(r[5]%5) / 2 // includes zero
			}
		}
		opts := Options{Singletons: SingletonRule(mode >> 2 % 3), VCov: VCovType(mode >> 4 % 4), MaxIter: 500}
		if opts.VCov == VCovCluster {
			d.Cluster = [][]int32{make([]int32, n)}
			d.ClusterNames = []string{"c"}
			for i := range n {
				d.Cluster[0][i] = int32(b[i*width] % 4)
			}
		}
		r, err := Fit(d, opts)
		if err != nil {
			var ce *CollinearError
			var se *SampleError
			var ve *ConvergenceError
			_ = errors.As(err, &ce) || errors.As(err, &se) || errors.As(err, &ve)
			return
		}
		for _, c := range r.Coefs {
			if math.IsNaN(c.Estimate) || math.IsInf(c.Estimate, 0) {
				t.Fatalf("non-finite estimate %v for %s", c.Estimate, c.Name)
			}
		}
		if r.NObs+r.NMissing+r.NSingletons != n {
			t.Fatalf("rows: %d used + %d missing + %d singletons != %d", r.NObs, r.NMissing, r.NSingletons, n)
		}
	})
}
