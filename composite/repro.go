package composite

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"
)

// MethodRecord is the complete, reproducible record of an index's method
// choices: every field of [IndexOptions] that can change a number, with
// the defaults a zero value stands for filled in, so that a result states
// how it was made even when the caller set nothing. It marshals to JSON
// deterministically (maps with sorted keys, no NaN or infinities). Workers
// is left out: results do not depend on it.
type MethodRecord struct {
	Normalise   string            `json:"normalise"`
	NormaliseAt map[string]string `json:"normalise_at,omitempty"`
	Scope       string            `json:"scope"` // "pooled" or "period"
	Ties        string            `json:"ties"`  // rank ties: "average" or "min"
	Winsor      string            `json:"winsor"`

	Weighting    string            `json:"weighting"`
	WeightingAt  map[string]string `json:"weighting_at,omitempty"`
	WeightScope  string            `json:"weight_scope"` // "pooled" or "period"
	Flat         bool              `json:"flat"`
	EntropyShift float64           `json:"entropy_shift"`
	Combine      string            `json:"combine"`
	Alpha        float64           `json:"alpha"`

	AHPMethod        string  `json:"ahp_method"`
	AHPRI            string  `json:"ahp_ri"`
	AHPMaxCR         float64 `json:"ahp_max_cr"` // −1: check disabled
	AHPReciprocalTol float64 `json:"ahp_reciprocal_tol"`
	// AHPNodes counts the experts' matrices per node; AHPSHA256 is the
	// SHA-256 of the matrices' canonical JSON ("" when none are given).
	AHPNodes  map[string]int `json:"ahp_experts,omitempty"`
	AHPSHA256 string         `json:"ahp_sha256,omitempty"`

	Aggregate   string            `json:"aggregate"`
	AggregateAt map[string]string `json:"aggregate_at,omitempty"`
	Rho         float64           `json:"gra_rho"`
	Missing     string            `json:"missing"`

	// Grades lists the bands as "NAME≥MIN" (the last "NAME" when it takes
	// everything below), on GradesOn, veto capping at GradeVetoCap.
	Grades       []string `json:"grades"`
	GradesOn     string   `json:"grades_on"`
	GradeVetoCap string   `json:"grade_veto_cap"`
}

// Record returns o's [MethodRecord] with defaults filled in.
func (o IndexOptions) Record() MethodRecord {
	r := MethodRecord{
		Normalise: o.Normalise.String(), Scope: "pooled", Ties: "average", Winsor: "none",
		Weighting: o.Weighting.String(), WeightScope: "pooled", Flat: o.Flat, EntropyShift: o.EntropyShift,
		Combine: o.Combine.String(), Alpha: o.Alpha,
		AHPMethod: "eigenvector", AHPRI: o.AHPOptions.RI.String(), AHPMaxCR: o.AHPOptions.MaxCR, AHPReciprocalTol: o.AHPOptions.ReciprocalTol,
		Aggregate: o.Aggregate.String(), Rho: o.Rho, Missing: o.Missing.String(),
	}
	if o.PerPeriod {
		r.Scope = "period"
	}
	if o.Ties == TiesMin {
		r.Ties = "min"
	}
	if o.WeightsPerPeriod {
		r.WeightScope = "period"
	}
	switch w := o.Winsor; w.Method {
	case WinsorQuantile:
		r.Winsor = "quantile " + ftoa(w.Lo) + "," + ftoa(w.Hi)
	case WinsorIQR:
		k := w.K
		if k == 0 {
			k = 1.5
		}
		r.Winsor = "iqr " + ftoa(k)
	}
	if r.Alpha == 0 {
		r.Alpha = 0.5
	}
	if o.AHPOptions.Method == AHPGeometricMean {
		r.AHPMethod = "geometric-mean"
	}
	switch {
	case r.AHPMaxCR == 0:
		r.AHPMaxCR = 0.10
	case r.AHPMaxCR < 0:
		r.AHPMaxCR = -1
	}
	if r.AHPReciprocalTol == 0 {
		r.AHPReciprocalTol = 0.03
	}
	if r.Rho == 0 {
		r.Rho = 0.5
	}
	r.NormaliseAt = recordMap(o.NormaliseAt)
	r.WeightingAt = recordMap(o.WeightingAt)
	r.AggregateAt = recordMap(o.AggregateAt)
	if len(o.AHP) > 0 {
		r.AHPNodes = map[string]int{}
		for code, ms := range o.AHP {
			r.AHPNodes[code] = len(ms)
		}
		b, err := json.Marshal(o.AHP) // sorted keys; judgements are finite
		if err == nil {
			sum := sha256.Sum256(b)
			r.AHPSHA256 = hex.EncodeToString(sum[:])
		}
	}
	g := o.Grades
	if g == nil {
		g = DefaultGrades()
	}
	r.GradesOn = g.On
	if r.GradesOn == "" {
		r.GradesOn = "score"
	}
	for _, b := range g.Bands {
		if math.IsInf(b.Min, -1) {
			r.Grades = append(r.Grades, b.Name)
		} else {
			r.Grades = append(r.Grades, b.Name+"≥"+ftoa(b.Min))
		}
	}
	r.GradeVetoCap = g.VetoCap
	if r.GradeVetoCap == "" && len(g.Bands) > 0 {
		r.GradeVetoCap = g.Bands[len(g.Bands)-1].Name
	}
	return r
}

func recordMap[M ~map[string]V, V interface{ String() string }](m M) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v.String()
	}
	return out
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// UncertaintyRecord is the reproducible record of an uncertainty analysis:
// the seed and every choice of [UncertaintyOptions] that can change a
// number, defaults filled in against the index analysed.
type UncertaintyRecord struct {
	Replicates     int      `json:"replicates"`
	Seed           uint64   `json:"seed"`
	Period         string   `json:"period"`
	Noise          string   `json:"weight_noise"` // "uniform", "dirichlet" or "none"
	Spread         float64  `json:"spread,omitempty"`
	Concentration  float64  `json:"concentration,omitempty"`
	Normalisations []string `json:"normalisations"`
	Aggregations   []string `json:"aggregations"`
	MissingRules   []string `json:"missing_rules"`
}

// Record returns o's [UncertaintyRecord] for the index x (whose own
// choices stand in for nil alternative lists and whose last period for
// Period −1).
func (o UncertaintyOptions) Record(x *Index) UncertaintyRecord {
	r := UncertaintyRecord{Replicates: o.Replicates, Seed: o.Seed, Noise: "none"}
	t := o.Period
	if t < 0 || t >= len(x.Periods) {
		t = len(x.Periods) - 1
	}
	if t >= 0 {
		r.Period = x.Periods[t]
	}
	switch {
	case o.Noise == NoiseDirichlet && o.Concentration > 0:
		r.Noise, r.Concentration = "dirichlet", o.Concentration
	case o.Noise == NoiseUniform && o.Spread > 0:
		r.Noise, r.Spread = "uniform", o.Spread
	}
	r.Normalisations = []string{x.opt.Normalise.String()}
	if o.Normalisations != nil {
		r.Normalisations = r.Normalisations[:0]
		for _, m := range o.Normalisations {
			r.Normalisations = append(r.Normalisations, m.String())
		}
	}
	r.Aggregations = []string{x.opt.Aggregate.String()}
	if o.Aggregations != nil {
		r.Aggregations = r.Aggregations[:0]
		for _, m := range o.Aggregations {
			r.Aggregations = append(r.Aggregations, m.String())
		}
	}
	r.MissingRules = []string{x.opt.Missing.String()}
	if o.MissingRules != nil {
		r.MissingRules = r.MissingRules[:0]
		for _, m := range o.MissingRules {
			r.MissingRules = append(r.MissingRules, m.String())
		}
	}
	return r
}

// Record returns the [MethodRecord] of the options x was computed with.
func (x *Index) Record() MethodRecord { return x.opt.Record() }
