package demo

import (
	"fmt"
	"math"
	"slices"

	"github.com/cityimpact/cityimpact/panel"
)

// Policy is the policy name of the generated treatments.
const Policy = "smart_city_pilot"

// ReferenceUnits is the panel size batch sizes refer to: the 297 cities at
// prefecture level and above (4 municipalities and 293 prefecture-level
// cities) of DefaultUnits. For n units every batch size is scaled by
// n/ReferenceUnits and rounded.
const ReferenceUnits = 297

// Batch is one wave of pilots. Size counts pilots at the scale of
// ReferenceUnits cities; CountyShare of them are county-level pilots, which
// treat no prefecture-level unit unless Options.CountyTreatsPrefecture.
type Batch struct {
	Year        int     `json:"year"`
	Size        int     `json:"size"`
	CountyShare float64 `json:"county_share,omitempty"`
	Label       string  `json:"label"` // e.g. "batch 1"
}

// DefaultBatches returns the national smart-city pilot batches as the
// literature codes them (see /work/shared/pilots.md): batch 1 announced
// January 2013 and coded 2012 (37 prefecture-level cities), batch 2 coded
// 2013 (about 40), batch 3 coded batch3Year, 2014 or 2015 (about 30), and
// the seed's 2024 batch of 100 new pilots, 42% of them county-level.
func DefaultBatches(batch3Year int) []Batch {
	return []Batch{
		{Year: 2012, Size: 37, Label: "batch 1"},
		{Year: 2013, Size: 40, Label: "batch 2"},
		{Year: batch3Year, Size: 30, Label: "batch 3"},
		{Year: 2024, Size: 100, CountyShare: 0.42, Label: "batch 4 (2024)"},
	}
}

// EffectScale says how an Effect's Size is measured.
type EffectScale string

const (
	// InUnits: Size is in the indicator's own units (percentage points,
	// hours, counts …).
	InUnits EffectScale = "units"
	// InSD: Size is a multiple of the indicator's cross-unit standard
	// deviation of the untreated outcome in the base year (the year before
	// the first batch, or the indicator's first year if later).
	InSD EffectScale = "sd"
)

// Effect is the true effect of the pilot on one indicator. Size > 0 is an
// improvement: the value moves in the indicator's good direction (up for
// "+" indicators, down for "−" ones). The effect on unit i, adopting in
// year A, at time τ years after the start of year A−Anticipation is
//
//	δ_i(τ) = Direction · Size · R[region_i] · T[tier_i] · C[A] · f(τ),
//	f(τ) = 0 for τ ≤ 0,  min(1, τ/Ramp) for τ > 0 (1 if Ramp ≤ 0)
//
// where missing multipliers are 1. Annual "last" values are observed at
// the end of the year (τ = e+1 for event time e), monthly values at the
// end of each month. If Profile is set it replaces f: the effect in event
// year e (counted from e = −Anticipation) is Profile[e+Anticipation], the
// last entry holding for later years, so fading or delayed effects can be
// given (e.g. {0.2, 0.6, 1, 0.8, 0.5}); monthly values take their year's
// entry. The treated outcome is the untreated one plus δ,
// clipped to the valid range and rounded, so the realised effect (reported
// in Truth) can be smaller than δ near a bound.
type Effect struct {
	Indicator string             `json:"indicator"`
	Size      float64            `json:"size"`
	Scale     EffectScale        `json:"scale"`
	Ramp      float64            `json:"ramp_years"`
	Profile   []float64          `json:"profile,omitempty"`
	Region    map[string]float64 `json:"region,omitempty"`
	Tier      map[string]float64 `json:"tier,omitempty"`
	Cohort    map[int]float64    `json:"cohort,omitempty"`
}

// DefaultEffectIndicators are the indicators the pilot affects by default:
// the channels the seed's transmission model (§1.2.2) runs through.
var DefaultEffectIndicators = []string{
	"data_sharing_rate", "ai_scenarios", "online_service_rate", "digital_econ_share",
	"invention_patents", "event_response_time", "event_discovery_rate", "satisfaction",
}

// DefaultEffects returns effects of size sd standard deviations on
// DefaultEffectIndicators with a three-year ramp-up and heterogeneity:
// larger in the east and in larger cities, and larger for earlier cohorts.
func DefaultEffects(sd float64) []Effect {
	out := make([]Effect, 0, len(DefaultEffectIndicators))
	for _, code := range DefaultEffectIndicators {
		out = append(out, Effect{
			Indicator: code, Size: sd, Scale: InSD, Ramp: 3,
			Region: map[string]float64{"east": 1.25, "central": 1.0, "northeast": 0.9, "west": 0.75},
			Tier: map[string]float64{TierMega: 1.3, TierVeryLarge: 1.2, TierLarge1: 1.1, TierLarge2: 1.0,
				TierMedium: 0.9, TierSmall1: 0.8, TierSmall2: 0.8, TierCounty: 0.8},
			Cohort: map[int]float64{2012: 1.2, 2013: 1.0, 2014: 0.9, 2015: 0.9, 2024: 0.8},
		})
	}
	return out
}

// Options configure Generate. Start from DefaultOptions: in the zero value
// only nil Units, nil Indicators, nil Batches and zero years mean defaults.
type Options struct {
	Seed uint64 `json:"seed"`
	// Units are the cities. nil: DefaultUnits(). Empty tiers are filled by
	// AssignTiers (and reported as synthetic).
	Units []panel.Unit `json:"-"`
	// NUnits, if > 0, selects or extends Units with SelectUnits: fewer
	// units evenly spaced, or extra synthetic units "SYN00001" … for
	// benchmarks (up to 10,000 or more).
	NUnits int `json:"n_units,omitempty"`
	// Indicators to generate. nil: Seed2025().
	Indicators []IndicatorSpec `json:"-"`
	// StartYear and EndYear bound the panel (0: 2010 and 2025).
	StartYear int `json:"start_year"`
	EndYear   int `json:"end_year"`
	// Monthly keeps the monthly panel of the monthly indicators. They are
	// always generated monthly and rolled up to the annual panel.
	Monthly bool `json:"monthly"`
	// MissingShare is the expected share of missing cells (0: none). A few
	// units also miss one whole early year (a block), counted in the share.
	MissingShare float64 `json:"missing_share"`
	// Effects are the true effects; indicators not listed are unaffected.
	Effects []Effect `json:"effects"`
	// Batches of pilots, in order. nil: DefaultBatches(2015).
	Batches []Batch `json:"batches"`
	// CountyTreatsPrefecture counts a county-level pilot as treating its
	// prefecture (one of the two codings in the literature).
	CountyTreatsPrefecture bool `json:"county_treats_prefecture"`
	// Anticipation shifts the start of every effect this many years before
	// the coded adoption year.
	Anticipation int `json:"anticipation_years"`
	// RandomAssignment draws pilots uniformly at random; otherwise the
	// draw favours the east and larger cities (selection on levels).
	RandomAssignment bool `json:"random_assignment"`
	// CommonTrends gives every region the same trend; otherwise the east
	// diffuses faster and the west and northeast slower, so that with
	// non-random assignment parallel trends fail unless region-by-year
	// effects are controlled.
	CommonTrends bool `json:"common_trends"`
	// Workers bounds the parallelism (0: GOMAXPROCS). Output does not
	// depend on it.
	Workers int `json:"-"`
}

// DefaultOptions returns the options of `cityimpact gen --seed seed`: the
// default registry, 2010–2025, monthly series, 3% missing cells, effects
// of 0.3 sd on DefaultEffectIndicators, the real batch years with batch 3
// coded 2015, selection towards the east and large cities, and
// region-specific trends.
func DefaultOptions(seed uint64) Options {
	return Options{Seed: seed, StartYear: 2010, EndYear: 2025, Monthly: true, MissingShare: 0.03,
		Effects: DefaultEffects(0.3), Batches: DefaultBatches(2015)}
}

// regionTrend multiplies the latent trend slope by region.
var regionTrend = map[string]float64{"east": 1.12, "central": 1.0, "northeast": 0.9, "west": 0.92}

// regionScore and tierScore make up the development score of a unit.
var (
	regionScore = map[string]float64{"east": 0.45, "central": 0, "northeast": -0.1, "west": -0.3}
	tierScore   = map[string]float64{TierMega: 2.0, TierVeryLarge: 1.5, TierLarge1: 1.0, TierLarge2: 0.4,
		TierMedium: 0, TierSmall1: -0.5, TierSmall2: -0.8, TierCounty: -0.8}
	// assignment weights (relative odds of becoming a pilot)
	regionOdds = map[string]float64{"east": 2.2, "central": 1.0, "northeast": 1.0, "west": 0.6}
	tierOdds   = map[string]float64{TierMega: 4, TierVeryLarge: 3, TierLarge1: 2.5, TierLarge2: 1.3,
		TierMedium: 1.0, TierSmall1: 0.7, TierSmall2: 0.6, TierCounty: 0.5}
)

// resolve fills defaults and validates o, returning the resolved copy.
func (o Options) resolve() (Options, []int, error) {
	if o.StartYear == 0 {
		o.StartYear = 2010
	}
	if o.EndYear == 0 {
		o.EndYear = 2025
	}
	if o.StartYear < panel.MinYear || o.EndYear > panel.MaxYear || o.EndYear < o.StartYear {
		return o, nil, fmt.Errorf("demo: years %d-%d are not a valid range", o.StartYear, o.EndYear)
	}
	if o.EndYear-o.StartYear+1 > 100 {
		return o, nil, fmt.Errorf("demo: %d years is more than 100", o.EndYear-o.StartYear+1)
	}
	if !(o.MissingShare >= 0 && o.MissingShare < 0.5) {
		return o, nil, fmt.Errorf("demo: missing share %g outside [0, 0.5)", o.MissingShare)
	}
	if o.Anticipation < 0 || o.Anticipation > 5 {
		return o, nil, fmt.Errorf("demo: anticipation %d years outside 0-5", o.Anticipation)
	}
	if o.Indicators == nil {
		o.Indicators = Seed2025()
	}
	codes := map[string]*IndicatorSpec{}
	for i := range o.Indicators {
		s := &o.Indicators[i]
		if err := s.check(); err != nil {
			return o, nil, fmt.Errorf("demo: %w", err)
		}
		if codes[s.Code] != nil {
			return o, nil, fmt.Errorf("demo: indicator %s listed twice", s.Code)
		}
		codes[s.Code] = s
	}
	if o.Batches == nil {
		o.Batches = DefaultBatches(2015)
	}
	for i, b := range o.Batches {
		if b.Size < 0 || !(b.CountyShare >= 0 && b.CountyShare <= 1) {
			return o, nil, fmt.Errorf("demo: batch %d: size %d or county share %g out of range", i+1, b.Size, b.CountyShare)
		}
		if b.Year < panel.MinYear || b.Year > panel.MaxYear {
			return o, nil, fmt.Errorf("demo: batch %d: year %d out of range", i+1, b.Year)
		}
		if b.Label == "" {
			o.Batches[i].Label = fmt.Sprintf("batch %d", i+1)
		}
	}
	seen := map[string]bool{}
	for i, e := range o.Effects {
		s := codes[e.Indicator]
		switch {
		case s == nil:
			return o, nil, fmt.Errorf("demo: effect %d: unknown indicator %q", i+1, e.Indicator)
		case seen[e.Indicator]:
			return o, nil, fmt.Errorf("demo: effect on %s given twice", e.Indicator)
		case e.Scale != InUnits && e.Scale != InSD:
			return o, nil, fmt.Errorf("demo: effect on %s: scale %q, want units or sd", e.Indicator, e.Scale)
		case math.IsNaN(e.Size) || math.IsInf(e.Size, 0) || math.IsNaN(e.Ramp) || e.Ramp < 0:
			return o, nil, fmt.Errorf("demo: effect on %s: size %g or ramp %g invalid", e.Indicator, e.Size, e.Ramp)
		}
		for _, v := range e.Profile {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return o, nil, fmt.Errorf("demo: effect on %s: profile value %g not finite", e.Indicator, v)
			}
		}
		for _, m := range []map[string]float64{e.Region, e.Tier} {
			for k, v := range m {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return o, nil, fmt.Errorf("demo: effect on %s: multiplier %s = %g not finite", e.Indicator, k, v)
				}
			}
		}
		for k, v := range e.Cohort {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return o, nil, fmt.Errorf("demo: effect on %s: cohort %d multiplier %g not finite", e.Indicator, k, v)
			}
		}
		seen[e.Indicator] = true
	}
	if o.Units == nil {
		o.Units = DefaultUnits()
	} else {
		o.Units = slices.Clone(o.Units)
	}
	if o.NUnits > 0 {
		u, err := SelectUnits(o.Units, o.NUnits)
		if err != nil {
			return o, nil, err
		}
		o.Units = u
	}
	if len(o.Units) == 0 {
		return o, nil, fmt.Errorf("demo: no units")
	}
	codesSeen := make(map[string]bool, len(o.Units))
	for i := range o.Units {
		u := &o.Units[i]
		if u.Code == "" || codesSeen[u.Code] {
			return o, nil, fmt.Errorf("demo: unit %d: empty or duplicate code %q", i+1, u.Code)
		}
		codesSeen[u.Code] = true
		if u.Region == "" {
			u.Region = RegionOf(u.Code)
		}
	}
	synth := AssignTiers(o.Units, o.Seed)
	return o, synth, nil
}
