package composite

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Qualitative inputs (the seed's 专家访谈与公众问卷, §4.1.1): expert scoring
// over Delphi rounds and public questionnaires. Both reduce to indicator
// values that carry their own data-quality code: expert judgements are
// [Estimated], survey results [SurveyExtrapolated].

// ErrOutsideScale: a Likert answer that is not an integer 1…Scale.
var ErrOutsideScale = errors.New("answer is not an integer on the scale")

// Concordance is Kendall's coefficient of concordance W of m raters over n
// subjects and its chi-square test.
type Concordance struct {
	W      float64 `json:"w"`
	ChiSq  float64 `json:"chi_sq"`  // m(n − 1)W
	DF     int     `json:"df"`      // n − 1
	P      float64 `json:"p_value"` // upper tail of χ²(n − 1)
	Items  int     `json:"items"`   // n: subjects complete for every rater
	Raters int     `json:"raters"`  // m
	// Dropped counts subjects left out because a rater did not score them.
	Dropped int `json:"dropped"`
	// Ties reports whether some rater gave equal scores; TieCorrected
	// whether W was corrected for them.
	Ties         bool `json:"ties"`
	TieCorrected bool `json:"tie_corrected"`
}

// KendallW returns Kendall's coefficient of concordance of the raters in
// scores: scores[j][i] is rater j's score of subject i (columns are raters,
// rows subjects), NaN for no score. Subjects without a score from every
// rater are left out (listwise, as R irr::kendall and DescTools::KendallW).
// Each rater's scores are ranked, ties sharing their mean rank; with R_i
// the rank sum of subject i and T_j = Σ (t³ − t) over rater j's tie groups
// of size t (Kendall 1948, Rank Correlation Methods, ch. 6):
//
//	W = 12 Σ_i (R_i − m(n+1)/2)² / (m²(n³ − n) − c·m Σ_j T_j),   c = 1 if correct else 0
//	χ² = m(n − 1)W  on n − 1 degrees of freedom.
//
// It returns an error wrapping [ErrTooFewRows] for fewer than two raters or
// two complete subjects, and [ErrZeroVariance] when every rater ties every
// subject (the corrected denominator is 0). It panics on ragged columns.
func KendallW(scores [][]float64, correct bool) (Concordance, error) {
	m := len(scores)
	if m == 0 {
		return Concordance{}, fmt.Errorf("kendall: %w: no raters", ErrTooFewRows)
	}
	nAll := len(scores[0])
	for _, c := range scores {
		if len(c) != nAll {
			panic("composite: column length mismatch")
		}
	}
	var keep []int
	for i := range nAll {
		ok := true
		for j := range m {
			if v := scores[j][i]; math.IsNaN(v) || math.IsInf(v, 0) {
				ok = false
				break
			}
		}
		if ok {
			keep = append(keep, i)
		}
	}
	n := len(keep)
	c := Concordance{Items: n, Raters: m, Dropped: nAll - n, DF: n - 1, TieCorrected: correct}
	if m < 2 || n < 2 {
		return c, fmt.Errorf("kendall: %w: %d raters, %d complete subjects (need 2 each)", ErrTooFewRows, m, n)
	}
	R := make([]float64, n)
	v := make([]float64, n)
	r := make([]float64, n)
	idx := make([]int, n)
	var T float64
	for j := range m {
		for k, i := range keep {
			v[k] = scores[j][i]
		}
		t := midranks(r, v, idx)
		if t > 0 {
			c.Ties = true
		}
		T += t
		for k := range R {
			R[k] += r[k]
		}
	}
	mf, nf := float64(m), float64(n)
	mean := mf * (nf + 1) / 2
	var S float64
	for _, x := range R {
		S += (x - mean) * (x - mean)
	}
	den := mf * mf * (nf*nf*nf - nf)
	if correct {
		den -= mf * T
	}
	if den <= 0 {
		return c, fmt.Errorf("kendall: %w: every rater gave every subject the same score", ErrZeroVariance)
	}
	c.W = 12 * S / den
	c.ChiSq = mf * (nf - 1) * c.W
	c.P = distuv.ChiSquared{K: nf - 1}.Survival(c.ChiSq)
	return c, nil
}

// midranks stores in r the ranks (1-based, ascending) of v, ties sharing
// their mean rank, and returns Σ (t³ − t) over tie groups. idx is scratch
// of len(v).
func midranks(r, v []float64, idx []int) float64 {
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	var T float64
	for a := 0; a < len(idx); {
		b := a + 1
		for b < len(idx) && v[idx[b]] == v[idx[a]] {
			b++
		}
		rank := float64(a+b+1) / 2 // mean of a+1 … b
		for k := a; k < b; k++ {
			r[idx[k]] = rank
		}
		if t := float64(b - a); t > 1 {
			T += t*t*t - t
		}
		a = b
	}
	return T
}

// ExpertScore is one expert's score of one item in one Delphi round, as a
// long-format record.
type ExpertScore struct {
	Round  int
	Expert string
	Item   string
	Score  float64
}

// StopRule selects when a Delphi consultation has reached consensus.
type StopRule int

const (
	// StopEither stops when the concordance rule or the CV rule holds
	// (the default).
	StopEither StopRule = iota
	// StopConcordance: W ≥ MinW, significant at Alpha, and |ΔW| < MaxWChange
	// since the previous round (so never in the first round): agreement
	// reached and stable (Schmidt 1997).
	StopConcordance
	// StopCV: every item's coefficient of variation ≤ MaxCV.
	StopCV
	// StopBoth needs both rules.
	StopBoth
)

var stopRuleNames = [...]string{"either", "concordance", "cv", "both"}

// String returns the rule's name, e.g. "either".
func (s StopRule) String() string { return enumName(stopRuleNames[:], s, "stoprule") }

// ParseStopRule reads a rule name as String writes it.
func ParseStopRule(s string) (StopRule, error) {
	if i := slices.Index(stopRuleNames[:], s); i >= 0 {
		return StopRule(i), nil
	}
	return 0, fmt.Errorf("unknown Delphi stop rule %q (want either, concordance, cv or both)", s)
}

// DelphiOptions configure [Delphi]. Zero fields take the documented
// defaults; [DelphiOptions.Defaults] returns them filled in.
type DelphiOptions struct {
	Rule StopRule
	// MinW is the least W for agreement; 0 means 0.5, "moderate agreement"
	// in Schmidt's (1997) reading of W (0.7 strong), Decision Sciences
	// 28(3):763–774.
	MinW float64
	// MaxWChange is ε, the largest change of W between consecutive rounds
	// that counts as stable; 0 means 0.05.
	MaxWChange float64
	// Alpha is the significance level W must reach in its chi-square test;
	// 0 means 0.05, a negative value drops the test.
	Alpha float64
	// MaxCV bounds each item's coefficient of variation SD/mean; 0 means
	// 0.25, the threshold of most Chinese Delphi indicator studies.
	MaxCV float64
	// NoTieCorrection computes W without the correction for tied scores
	// (by default W is corrected, as experts score on a scale and tie).
	NoTieCorrection bool
}

// Defaults returns o with every zero field set to its default.
func (o DelphiOptions) Defaults() DelphiOptions {
	if o.MinW == 0 {
		o.MinW = 0.5
	}
	if o.MaxWChange == 0 {
		o.MaxWChange = 0.05
	}
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	if o.MaxCV == 0 {
		o.MaxCV = 0.25
	}
	return o
}

// ItemStats summarise the scores one item received in one round. SD is the
// sample standard deviation (n − 1), CV = SD/mean (NaN when the mean is 0 or
// n < 2), quartiles are Hyndman & Fan type 7 (R's default).
type ItemStats struct {
	Item   string  `json:"item"`
	N      int     `json:"n"`
	Mean   float64 `json:"mean"`
	Median float64 `json:"median"`
	SD     float64 `json:"sd"`
	CV     float64 `json:"cv"`
	Q1     float64 `json:"q1"`
	Q3     float64 `json:"q3"`
	IQR    float64 `json:"iqr"`
}

// DelphiRound is the analysis of one round.
type DelphiRound struct {
	Round       int         `json:"round"`
	Experts     int         `json:"experts"`
	Concordance Concordance `json:"concordance"`
	// WChange is W minus the previous round's W (NaN in the first round).
	WChange float64     `json:"w_change"`
	MaxCV   float64     `json:"max_cv"`
	Items   []ItemStats `json:"items"` // in DelphiResult.Items order
	// AgreementMet and CVMet report the two rules; Stop the configured
	// combination.
	AgreementMet bool `json:"agreement_met"`
	CVMet        bool `json:"cv_met"`
	Stop         bool `json:"stop"`
}

// DelphiResult is the analysis of a Delphi consultation.
type DelphiResult struct {
	Items   []string      `json:"items"` // sorted
	Rounds  []DelphiRound `json:"rounds"`
	Options DelphiOptions `json:"-"`
	// StopRound is the first round meeting the stop rule, 0 if none; the
	// final round is the last one given either way.
	StopRound int `json:"stop_round"`
	// Notes explain the outcome in words (no consensus, dropped items).
	Notes []string `json:"notes,omitempty"`
}

// Final returns the last round's item statistics: the values that become
// indicator values (quality [Estimated]) or expert weights.
func (r *DelphiResult) Final() []ItemStats { return r.Rounds[len(r.Rounds)-1].Items }

// RecordError locates a problem in the Index-th (0-based) record passed to
// [Delphi]; callers map it to a file line.
type RecordError struct {
	Index int
	Err   error
}

func (e *RecordError) Error() string { return fmt.Sprintf("record %d: %v", e.Index, e.Err) }
func (e *RecordError) Unwrap() error { return e.Err }

// Delphi analyses expert scores over rounds: per round Kendall's W of the
// experts over the items (with its chi-square test), per item mean, median,
// SD, CV and IQR, and the stop rule of opt. Rounds are analysed in
// ascending order; an expert who skipped an item leaves it out of that
// round's W (listwise) but not of its statistics. Bad records (non-finite
// score, a round below 1, duplicate round/expert/item) come back as [*RecordError]s joined
// with errors.Join, at most 20; a round with fewer than two experts or two
// items is an error.
func Delphi(recs []ExpertScore, opt DelphiOptions) (*DelphiResult, error) {
	opt = opt.Defaults()
	type key struct {
		round        int
		expert, item string
	}
	seen := make(map[key]int, len(recs))
	var errs []error
	itemSet := map[string]bool{}
	roundSet := map[int]bool{}
	for i, rc := range recs {
		if len(errs) >= 20 {
			break
		}
		if math.IsNaN(rc.Score) || math.IsInf(rc.Score, 0) {
			errs = append(errs, &RecordError{i, fmt.Errorf("score is not a finite number")})
			continue
		}
		if rc.Round < 1 {
			errs = append(errs, &RecordError{i, fmt.Errorf("round %d: rounds are numbered from 1", rc.Round)})
			continue
		}
		k := key{rc.Round, rc.Expert, rc.Item}
		if p, dup := seen[k]; dup {
			errs = append(errs, &RecordError{i, fmt.Errorf("expert %q scored item %q twice in round %d (also record %d)", rc.Expert, rc.Item, rc.Round, p)})
			continue
		}
		seen[k] = i
		itemSet[rc.Item] = true
		roundSet[rc.Round] = true
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("delphi: %w: no scores", ErrTooFewRows)
	}
	res := &DelphiResult{Options: opt}
	for it := range itemSet {
		res.Items = append(res.Items, it)
	}
	sort.Strings(res.Items)
	itemIdx := map[string]int{}
	for i, it := range res.Items {
		itemIdx[it] = i
	}
	var rounds []int
	for r := range roundSet {
		rounds = append(rounds, r)
	}
	sort.Ints(rounds)
	prevW := math.NaN()
	for _, rd := range rounds {
		expIdx := map[string]int{}
		var experts []string
		for _, rc := range recs {
			if rc.Round == rd {
				if _, ok := expIdx[rc.Expert]; !ok {
					expIdx[rc.Expert] = -1
					experts = append(experts, rc.Expert)
				}
			}
		}
		sort.Strings(experts)
		for j, e := range experts {
			expIdx[e] = j
		}
		cols := make([][]float64, len(experts))
		for j := range cols {
			cols[j] = make([]float64, len(res.Items))
			for i := range cols[j] {
				cols[j][i] = math.NaN()
			}
		}
		for _, rc := range recs {
			if rc.Round == rd {
				cols[expIdx[rc.Expert]][itemIdx[rc.Item]] = rc.Score
			}
		}
		conc, err := KendallW(cols, !opt.NoTieCorrection)
		if err != nil {
			return nil, fmt.Errorf("delphi: round %d: %w", rd, err)
		}
		if conc.Dropped > 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("round %d: %d of %d items not scored by every expert are left out of Kendall's W", rd, conc.Dropped, len(res.Items)))
		}
		dr := DelphiRound{Round: rd, Experts: len(experts), Concordance: conc, WChange: conc.W - prevW}
		buf := make([]float64, 0, len(experts))
		undefinedCV := false
		for i, it := range res.Items {
			buf = buf[:0]
			for j := range cols {
				if v := cols[j][i]; !math.IsNaN(v) {
					buf = append(buf, v)
				}
			}
			st := itemStats(it, buf)
			dr.Items = append(dr.Items, st)
			switch {
			case st.N == 0:
			case math.IsNaN(st.CV):
				undefinedCV = true
			case st.CV > dr.MaxCV:
				dr.MaxCV = st.CV
			}
		}
		if undefinedCV { // one scorer or a zero mean: the CV rule cannot hold
			dr.MaxCV = math.NaN()
		}
		dr.CVMet = dr.MaxCV <= opt.MaxCV
		dr.AgreementMet = conc.W >= opt.MinW && (opt.Alpha < 0 || conc.P < opt.Alpha) && math.Abs(dr.WChange) < opt.MaxWChange
		switch opt.Rule {
		case StopEither:
			dr.Stop = dr.AgreementMet || dr.CVMet
		case StopConcordance:
			dr.Stop = dr.AgreementMet
		case StopCV:
			dr.Stop = dr.CVMet
		case StopBoth:
			dr.Stop = dr.AgreementMet && dr.CVMet
		default:
			panic("composite: unknown stop rule")
		}
		if dr.Stop && res.StopRound == 0 {
			res.StopRound = rd
		}
		prevW = conc.W
		res.Rounds = append(res.Rounds, dr)
	}
	if res.StopRound == 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("no round met the stop rule (%s); the last round's scores are used but consensus is not established", opt.Rule))
	}
	return res, nil
}

func itemStats(item string, v []float64) ItemStats {
	st := ItemStats{Item: item, N: len(v), Mean: math.NaN(), Median: math.NaN(), SD: math.NaN(), CV: math.NaN(), Q1: math.NaN(), Q3: math.NaN(), IQR: math.NaN()}
	if len(v) == 0 {
		return st
	}
	s := slices.Clone(v)
	slices.Sort(s)
	var sum float64
	for _, x := range s {
		sum += x
	}
	st.Mean = sum / float64(len(s))
	st.Median = QuantileSorted(s, 0.5)
	st.Q1, st.Q3 = QuantileSorted(s, 0.25), QuantileSorted(s, 0.75)
	st.IQR = st.Q3 - st.Q1
	if len(s) > 1 {
		var ss float64
		for _, x := range s {
			ss += (x - st.Mean) * (x - st.Mean)
		}
		st.SD = math.Sqrt(ss / float64(len(s)-1))
		if st.Mean != 0 {
			st.CV = st.SD / math.Abs(st.Mean)
		}
	}
	return st
}

// ExpertWeights returns the final round's mean scores of the named items
// normalised to sum to 1, as subjective weights of those items (framework
// nodes or criteria). An item without scores, or a negative or all-zero
// mean, is an error.
func (r *DelphiResult) ExpertWeights(items []string) ([]float64, error) {
	fin := r.Final()
	w := make([]float64, len(items))
	var sum float64
	for k, it := range items {
		i := slices.Index(r.Items, it)
		if i < 0 || fin[i].N == 0 {
			return nil, fmt.Errorf("delphi: item %q has no scores in the final round", it)
		}
		if fin[i].Mean < 0 {
			return nil, fmt.Errorf("delphi: item %q: %w", it, ErrNegative)
		}
		w[k] = fin[i].Mean
		sum += w[k]
	}
	if !(sum > 0) {
		return nil, fmt.Errorf("delphi: %w", ErrDegenerate)
	}
	for k := range w {
		w[k] /= sum
	}
	return w, nil
}

// Interval selects the confidence interval of a proportion.
type Interval int

const (
	// IntervalWald is the normal approximation p ± z√(p(1−p)/n) (default).
	IntervalWald Interval = iota
	// IntervalWilson is Wilson's (1927) score interval, better for small n
	// or shares near 0 or 1 (Newcombe 1998, Stat Med 17:857–872, method 3).
	IntervalWilson
)

// String returns "wald" or "wilson".
func (i Interval) String() string {
	if i == IntervalWilson {
		return "wilson"
	}
	return "wald"
}

// LikertOptions configure [Likert]. Zero fields take the documented
// defaults; [LikertOptions.Defaults] fills them in.
type LikertOptions struct {
	// Scale is the number of points, answers 1…Scale (5 or 7 usually);
	// 0 means 5.
	Scale int
	// TopBox is how many top points count as satisfied; 0 means 2
	// (top-2-box: 4–5 on a 5-point scale, 6–7 on a 7-point one).
	TopBox int
	// Confidence is the level of the margins of error; 0 means 0.95.
	Confidence float64
	// Population, if positive, is the number of people sampled from: the
	// margins are multiplied by the finite-population correction
	// √((N − n)/(N − 1)) (Cochran 1977, Sampling Techniques, §2.6). Zero
	// means an infinite population.
	Population float64
	// Interval is the interval of the top-box share (Wald by default).
	Interval Interval
	// MinN is the sample size below which Satisfaction.LowN is set;
	// 0 means 30.
	MinN int
}

// Defaults returns o with every zero field set to its default.
func (o LikertOptions) Defaults() LikertOptions {
	if o.Scale == 0 {
		o.Scale = 5
	}
	if o.TopBox == 0 {
		o.TopBox = 2
	}
	if o.Confidence == 0 {
		o.Confidence = 0.95
	}
	if o.MinN == 0 {
		o.MinN = 30
	}
	return o
}

// Satisfaction summarises the answers to one Likert item.
type Satisfaction struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"` // sample SD (n − 1); NaN for n = 1
	// MeanMOE is the margin of error of the mean, z·SD/√n·FPC.
	MeanMOE float64 `json:"mean_moe"`
	// Top is the top-box share; TopMOE its margin of error (for Wilson, the
	// half-width of the interval) and TopLo, TopHi the interval, in [0, 1].
	Top    float64 `json:"top_box"`
	TopMOE float64 `json:"top_box_moe"`
	TopLo  float64 `json:"top_box_lo"`
	TopHi  float64 `json:"top_box_hi"`
	// FPC is the finite-population correction applied (1 if none).
	FPC float64 `json:"fpc"`
	// LowN reports n < MinN: the margins are wide and the normal
	// approximation doubtful.
	LowN bool `json:"low_n"`
}

// Likert summarises answers on a Likert scale: n, mean, SD, the mean's
// margin of error, the top-box share and its interval. NaN answers are
// skipped (no answer). An answer that is not an integer 1…Scale returns a
// [*ColumnError] (Column 0) wrapping [ErrOutsideScale] at its row; no answer
// at all returns [ErrAllMissing]; a Population smaller than n is an error.
// With z the (1 + Confidence)/2 normal quantile, p the top-box share and
// f = √((N − n)/(N − 1)) (1 without Population):
//
//	mean MOE = z·s/√n·f,   Wald: p ± z√(p(1−p)/n)·f
//	Wilson on n' = n/f²:   (p + z²/2n' ± z√(p(1−p)/n' + z²/4n'²)) / (1 + z²/n')
//
// The Wilson interval with a finite population uses the effective sample
// size n' (Kish 1965, Survey Sampling, §2.5); with f = 0 (a census) every
// margin is 0.
func Likert(answers []float64, opt LikertOptions) (Satisfaction, error) {
	opt = opt.Defaults()
	if opt.Scale < 2 || opt.TopBox < 1 || opt.TopBox >= opt.Scale || !(opt.Confidence > 0 && opt.Confidence < 1) {
		panic("composite: bad Likert options")
	}
	s := Satisfaction{Mean: math.NaN(), SD: math.NaN(), MeanMOE: math.NaN(), Top: math.NaN(), TopMOE: math.NaN(), TopLo: math.NaN(), TopHi: math.NaN(), FPC: 1}
	var sum float64
	var top int
	cut := float64(opt.Scale - opt.TopBox + 1)
	for i, v := range answers {
		if math.IsNaN(v) {
			continue
		}
		if v != math.Trunc(v) || v < 1 || v > float64(opt.Scale) {
			return s, &ColumnError{Method: "likert", Column: 0, Row: i, Err: fmt.Errorf("%w: %v not in 1…%d", ErrOutsideScale, v, opt.Scale)}
		}
		s.N++
		sum += v
		if v >= cut {
			top++
		}
	}
	if s.N == 0 {
		return s, &ColumnError{Method: "likert", Column: 0, Row: -1, Err: ErrAllMissing}
	}
	n := float64(s.N)
	if opt.Population > 0 {
		if opt.Population < n {
			return s, fmt.Errorf("likert: population %g smaller than the sample (%d answers)", opt.Population, s.N)
		}
		if opt.Population > 1 {
			s.FPC = math.Sqrt((opt.Population - n) / (opt.Population - 1))
		} else {
			s.FPC = 0
		}
	}
	s.LowN = s.N < opt.MinN
	s.Mean = sum / n
	if s.N > 1 {
		var ss float64
		for _, v := range answers {
			if !math.IsNaN(v) {
				ss += (v - s.Mean) * (v - s.Mean)
			}
		}
		s.SD = math.Sqrt(ss / (n - 1))
	}
	z := distuv.UnitNormal.Quantile(0.5 + opt.Confidence/2)
	s.MeanMOE = z * s.SD / math.Sqrt(n) * s.FPC
	p := float64(top) / n
	s.Top = p
	switch opt.Interval {
	case IntervalWald:
		s.TopMOE = z * math.Sqrt(p*(1-p)/n) * s.FPC
		s.TopLo, s.TopHi = math.Max(0, p-s.TopMOE), math.Min(1, p+s.TopMOE)
	case IntervalWilson:
		if s.FPC == 0 {
			s.TopMOE, s.TopLo, s.TopHi = 0, p, p
			break
		}
		ne := n / (s.FPC * s.FPC)
		z2 := z * z
		d := 1 + z2/ne
		c := (p + z2/(2*ne)) / d
		s.TopMOE = z / d * math.Sqrt(p*(1-p)/ne+z2/(4*ne*ne))
		s.TopLo, s.TopHi = math.Max(0, c-s.TopMOE), math.Min(1, c+s.TopMOE)
	default:
		panic("composite: unknown interval")
	}
	return s, nil
}
