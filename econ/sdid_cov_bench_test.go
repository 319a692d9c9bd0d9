//go:build unix

package econ

import (
	"syscall"
	"testing"
)

// cpuSeconds is the process's user + system CPU time: the benchmarks
// report it per op (cpu-s/op) because wall time is noisy on a shared
// machine. With parallel workers it sums over threads, as R's
// proc.time()'s user + system does for single-threaded R.
func cpuSeconds(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// BenchmarkSyntheticDIDCovariates times synthetic DID on Proposition 99
// with the two covariates of testdata/synthdid/covariates.R (10,000
// iterations of synthdid's joint β and weight solver): California alone
// (no jackknife: one treated unit), and four treated states with the
// jackknife (39 refits of β with the weights fixed). R synthdid's times
// for the same fits are in covariates_mc.json (CPU seconds).
func BenchmarkSyntheticDIDCovariates(b *testing.B) {
	covs := []string{"retprice", "smooth"}
	for _, bc := range []struct {
		name    string
		treated []string
	}{{"california", []string{"California"}}, {"four_treated+jackknife", fourTreated}} {
		p, err := NewSynthPanel(readProp99Cov(b, bc.treated, 100), "PacksPerCapita")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			c0 := cpuSeconds(b)
			for b.Loop() {
				if _, err := SyntheticDID(p, SDIDOptions{Covariates: covs}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((cpuSeconds(b)-c0)/float64(b.N), "cpu-s/op")
		})
	}
}

// BenchmarkSDIDCovariatesFit times the joint β and weight fit alone
// (synthdid_estimate with X, no standard error) on four treated states,
// the fit covariates_mc.R times in R (cpu_sdid_covariates_fit).
func BenchmarkSDIDCovariatesFit(b *testing.B) {
	p, err := NewSynthPanel(readProp99Cov(b, fourTreated, 100), "PacksPerCapita")
	if err != nil {
		b.Fatal(err)
	}
	opts := SDIDOptions{Covariates: []string{"retprice", "smooth"}, MaxIter: 10000, MaxIterPreSparsify: 100}
	s, omega0, lambda0 := sdidPrepare(p, opts)
	d := sdidData{y: p.Y, x: [][]float64{p.X["retprice"], p.X["smooth"]}, N: p.N(), T: p.T(), n0: p.N0, t0: p.T0}
	b.ReportAllocs()
	c0 := cpuSeconds(b)
	for b.Loop() {
		s.estimate(d, omega0, lambda0)
	}
	b.ReportMetric((cpuSeconds(b)-c0)/float64(b.N), "cpu-s/op")
}

// BenchmarkSyntheticDIDBootstrap times 200 bootstrap draws (synthdid's
// vcov default) on four treated states, without and with the two
// covariates; each op includes the fit and its jackknife.
func BenchmarkSyntheticDIDBootstrap(b *testing.B) {
	for _, bc := range []struct {
		name string
		covs []string
	}{{"nocov", nil}, {"covariates=2", []string{"retprice", "smooth"}}} {
		p, err := NewSynthPanel(readProp99Cov(b, fourTreated, 100), "PacksPerCapita")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name+"/draws=200", func(b *testing.B) {
			b.ReportAllocs()
			c0 := cpuSeconds(b)
			for b.Loop() {
				if _, err := SyntheticDID(p, SDIDOptions{Covariates: bc.covs, Bootstrap: 200, Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((cpuSeconds(b)-c0)/float64(b.N), "cpu-s/op")
		})
	}
}
