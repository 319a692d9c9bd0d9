//go:build unix

package econ

import "testing"

// BenchmarkStaggeredSDID times staggered synthetic DID on 300 generated
// cities × 16 years with the demo's pilot batches: the point estimates with
// the jackknife, and with 200 bootstrap draws (no placebo: the demo has
// more pilot than never-treated cities). cpu-s/op is user + system
// CPU time summed over threads.
func BenchmarkStaggeredSDID(b *testing.B) {
	d, _ := demoStaggeredData(b, 300)
	for _, c := range []struct {
		name string
		opts SDIDOptions
	}{
		{"demo300x16/sdid+jackknife", SDIDOptions{}},
		{"demo300x16/sdid+bootstrap200", SDIDOptions{Bootstrap: 200, Seed: 1}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			c0 := cpuSeconds(b)
			for b.Loop() {
				if _, err := StaggeredSDID(d, "", c.opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((cpuSeconds(b)-c0)/float64(b.N), "cpu-s/op")
		})
	}
}
