package econ

import (
	"fmt"
	"runtime"
	"strings"
)

// VCovType selects the variance estimator.
type VCovType int

const (
	// VCovDefault is fixest's default: clustered by the first fixed effect
	// when there are fixed effects, IID otherwise.
	VCovDefault VCovType = iota
	// VCovIID is the classical s²(X'WX)⁻¹ with s² = Σwe²/(n−K).
	VCovIID
	// VCovHC1 is White's heteroskedasticity-robust estimator with the HC1
	// factor n/(n−K) (fixest "hetero").
	VCovHC1
	// VCovCluster is cluster-robust, one-way or multi-way
	// (Cameron, Gelbach & Miller 2011) by the cluster variables given, or
	// by the first fixed effect if none are given (fixest vcov = "cluster").
	VCovCluster
	// VCovTwoWay clusters by the first two fixed effects (fixest
	// vcov = "twoway").
	VCovTwoWay
	// VCovNW is Newey–West with Bartlett weights: within each panel unit
	// over time when a unit is known (fixest vcov = "NW" with panel.id),
	// else over the time series (see [Options.Lag] and vcov_hac.go).
	VCovNW
	// VCovDK is Driscoll–Kraay (1998): Newey–West on the cross-sectional
	// sums of the scores per period, robust to correlation between units
	// in the same and nearby periods (fixest vcov = "DK").
	VCovDK
)

func (t VCovType) String() string {
	switch t {
	case VCovIID:
		return "iid"
	case VCovHC1:
		return "hc1"
	case VCovCluster:
		return "cluster"
	case VCovTwoWay:
		return "twoway"
	case VCovNW:
		return "nw"
	case VCovDK:
		return "dk"
	}
	return "default"
}

// FixefK says how fixed-effect coefficients count in the K of the small
// sample factor (n−1)/(n−K) (fixest ssc(fixef.K = …)).
type FixefK int

const (
	// FixefNested (the default, as fixest) counts all fixed-effect levels
	// except those of dimensions nested in a cluster variable; if every
	// dimension is nested, K = (number of coefficients) + 1. This equals
	// Stata's xtreg, fe vce(cluster …) when the unit effect is nested in
	// the clusters.
	FixefNested FixefK = iota
	// FixefFull counts all levels minus one reference per extra dimension
	// (Stata areg's convention: absorbed levels always count).
	FixefFull
	// FixefNone counts only the coefficients (fixest fixef.K = "none").
	FixefNone
)

// DFRule picks between fixest's "min" and "conventional" rules.
type DFRule int

const (
	// DFMin: for multi-way clustering, one factor Gmin/(Gmin−1) and a
	// t distribution with Gmin−1 degrees of freedom (fixest default).
	DFMin DFRule = iota
	// DFConventional: each term of the multi-way sum gets its own G/(G−1);
	// t degrees of freedom n−K.
	DFConventional
)

// SSC is the small-sample correction, fixest's ssc(). The zero value is
// fixest's default ssc(adj = TRUE, fixef.K = "nested", cluster.adj = TRUE,
// cluster.df = "min", t.df = "min", fixef.force_exact = FALSE).
//
// The variance is V = a · B M B with B = (X̃'WX̃)⁻¹, a = (n−1)/(n−K) unless
// NoAdj, times G/(G−1) for clustered estimators unless NoClusterAdj, and
// times n/(n−1) for HC1 (so HC1 is n/(n−K)). Stata's conventions: xtreg fe
// with vce(cluster) = the zero value when the unit effect is nested in the
// clusters; areg = FixefFull; reghdfe = FixefNested with exact redundancy
// counting (FixefExact).
type SSC struct {
	NoAdj        bool
	FixefK       FixefK
	NoClusterAdj bool
	ClusterDF    DFRule
	TDF          DFRule
	// FixefExact counts redundant fixed-effect levels exactly for two
	// dimensions (connected components of the bipartite level graph,
	// fixest fixef.force_exact) instead of one per extra dimension.
	FixefExact bool
}

// PSDRule says what to do with a multi-way clustered variance that is not
// positive semi-definite.
type PSDRule int

const (
	// PSDAuto (default, as fixest) replaces negative eigenvalues by zero
	// only when a diagonal element is negative, with a note.
	PSDAuto PSDRule = iota
	// PSDEigen always replaces negative eigenvalues by zero
	// (Cameron, Gelbach & Miller 2011, §2.3).
	PSDEigen
	// PSDNone leaves the matrix as computed.
	PSDNone
)

// SingletonRule says which singleton observations (alone in a
// fixed-effect group) are removed before estimation.
type SingletonRule int

const (
	// SingletonsKeep keeps them (fixest feols default, fixef.rm = "perfect").
	// They do not change coefficients but count in n and K.
	SingletonsKeep SingletonRule = iota
	// SingletonsOnce removes them in one pass (fixest fixef.rm = "singleton").
	SingletonsOnce
	// SingletonsIterate removes them until none are left (reghdfe default;
	// Correia 2015, "Singletons, cluster-robust standard errors and fixed
	// effects").
	SingletonsIterate
)

// Options control an estimation. The zero value gives fixest's defaults
// except for the demeaning tolerance (see Tol).
type Options struct {
	VCov VCovType
	// Cluster names the cluster variables for VCovCluster (for [Estimate];
	// [Fit] takes codes in the Design). Two names give two-way clustering.
	Cluster []string
	SSC     SSC
	PSD     PSDRule
	// Weights names a column of observation weights (for [Estimate]).
	Weights string
	// PanelID names the unit and time columns (fixest panel.id) used by
	// VCovNW, VCovDK and the lag/lead operators l() and f() of formulas;
	// nil means the panel keys of the Frame ([Frame.SetPanel]). [Fit]
	// takes the codes in Design.Unit and Design.Time instead.
	PanelID []string
	// Lag is the truncation lag L of VCovNW and VCovDK. Zero picks
	// fixest's default ⌊T^{1/4}⌋ with T the number of periods in the
	// sample; a negative value means L = 0 (no autocovariance terms).
	Lag int

	// Tol is the demeaning tolerance: iterations stop when no fixed-effect
	// coefficient moves by more than Tol·(|α| + sd(x)) in one sweep.
	// Default 1e-10, tighter than fixest's fixef.tol = 1e-6, so that
	// coefficients agree with the exact projection to about 1e-8 relative.
	Tol float64
	// MaxIter bounds the sweeps per column (default 10000, as fixest).
	MaxIter int
	// CollinTol: a regressor is dropped as collinear when the squared norm
	// of its part orthogonal to the fixed effects and the regressors before
	// it is below CollinTol times its squared norm (default 1e-10, fixest's
	// collin.tol).
	CollinTol  float64
	Singletons SingletonRule
	// Level of confidence intervals (default 0.95).
	Level float64
	// Workers bounds the goroutines demeaning columns (default GOMAXPROCS).
	Workers int
}

func (o *Options) defaults() {
	if o.Tol <= 0 {
		o.Tol = 1e-10
	}
	if o.MaxIter <= 0 {
		o.MaxIter = 10000
	}
	if o.CollinTol <= 0 {
		o.CollinTol = 1e-10
	}
	if o.Level <= 0 || o.Level >= 1 {
		o.Level = 0.95
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
}

// CollinearError reports that no regressor is left after removing those
// collinear with the fixed effects or with earlier regressors.
type CollinearError struct {
	Dropped []string
}

func (e *CollinearError) Error() string {
	return fmt.Sprintf("econ: all regressors are collinear with the fixed effects or each other: %s", strings.Join(e.Dropped, ", "))
}

// SampleError reports that too few observations remain to estimate.
type SampleError struct {
	N, K int
	Msg  string
}

func (e *SampleError) Error() string {
	return fmt.Sprintf("econ: %s (%d observations, %d parameters)", e.Msg, e.N, e.K)
}

// ConvergenceError reports that demeaning did not converge within MaxIter
// sweeps for the named variables.
type ConvergenceError struct {
	Vars    []string
	MaxIter int
}

func (e *ConvergenceError) Error() string {
	return fmt.Sprintf("econ: demeaning did not converge in %d iterations for %s", e.MaxIter, strings.Join(e.Vars, ", "))
}
