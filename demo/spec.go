package demo

import (
	"fmt"
	"math"

	"github.com/cityimpact/cityimpact/panel"
)

// Scale is the transformed scale on which an indicator's latent value moves
// linearly in time and receives unit effects and noise.
type Scale uint8

const (
	// Logit: bounded rates. The latent value is logit((v−Min)/(Max−Min)),
	// so a linear latent trend is a logistic diffusion curve in v.
	Logit Scale = iota + 1
	// Log: positive quantities (times, densities, ratios). A linear latent
	// trend is exponential growth or decay in v.
	Log
	// Log1p: counts. The latent value is log(1+v).
	Log1p
)

// IndicatorSpec describes how one indicator is generated. Levels are for a
// reference city (development score 0: a medium-sized central-region city)
// in the years From and To; the latent trend interpolates them linearly on
// the transformed Scale and extrapolates outside.
//
// The latent value of unit i in year t is
//
//	x_it = g(From) + (g(To)−g(From))·m_r·(t−FromYear)/(ToYear−FromYear) + DevLoad·s_i + UnitSD·z_i + e_it
//
// where g is the Scale transform, m_r the region's trend multiplier (1 when
// trends are common), s_i the unit's development score (shared by all
// indicators: tier and region shift it), z_i ~ N(0,1) an idiosyncratic unit
// effect and e_it a stationary AR(1) process with sd NoiseSD and
// autocorrelation Rho (per year, or per month for monthly indicators, with
// an added seasonal term Season·sin(2π(month−1)/12 + phase)). The value is
// v = g⁻¹(x) clipped to [Min, Max] and rounded to Decimals.
type IndicatorSpec struct {
	Code      string
	Unit      string     // unit of measurement as in the seed-2025 framework
	Direction int        // +1: higher is better; −1: lower is better
	Freq      panel.Freq // panel.Year or panel.Month
	Agg       string     // aggregation to coarser periods: "last" or "mean"

	Scale    Scale
	Min, Max float64 // valid range; values are clipped into it
	Integer  bool    // counts: rounded to integers
	Decimals int     // rounding of non-integer values

	FromYear, ToYear int     // anchor years of the reference-city trend
	From, To         float64 // reference-city levels in FromYear and ToYear
	Since            int     // first year the indicator exists (0: always); earlier values are 0
	DevLoad          float64 // loading on the development score (latent scale; sign included)
	UnitSD           float64 // sd of the idiosyncratic unit effect (latent scale)
	NoiseSD          float64 // sd of the AR(1) noise (latent scale)
	Rho              float64 // AR(1) coefficient per period of Freq
	Season           float64 // amplitude of the monthly seasonal term (latent scale)

	// Source says where the realistic levels come from.
	Source string
}

// forward maps a value to the latent scale.
func (s *IndicatorSpec) forward(v float64) float64 {
	switch s.Scale {
	case Logit:
		p := (v - s.Min) / (s.Max - s.Min)
		p = min(max(p, 1e-6), 1-1e-6)
		return math.Log(p / (1 - p))
	case Log:
		return math.Log(max(v, 1e-9))
	case Log1p:
		return math.Log1p(max(v, 0))
	}
	panic("demo: unknown scale")
}

// inverse maps a latent value back to the indicator's units (unclipped).
func (s *IndicatorSpec) inverse(x float64) float64 {
	switch s.Scale {
	case Logit:
		return s.Min + (s.Max-s.Min)/(1+math.Exp(-x))
	case Log:
		return math.Exp(x)
	case Log1p:
		return math.Expm1(x)
	}
	panic("demo: unknown scale")
}

// finish clips v to the valid range and rounds it.
func (s *IndicatorSpec) finish(v float64) float64 {
	v = min(max(v, s.Min), s.Max)
	if s.Integer {
		return math.Round(v)
	}
	p := math.Pow10(s.Decimals)
	r := math.Round(v*p) / p
	if r < s.Min { // rounding must not leave the range (times > 0)
		r = s.Min
	}
	return r
}

// check reports an inconsistent spec.
func (s *IndicatorSpec) check() error {
	switch {
	case s.Code == "":
		return fmt.Errorf("indicator with empty code")
	case s.Direction != 1 && s.Direction != -1:
		return fmt.Errorf("indicator %s: direction %d, want +1 or -1", s.Code, s.Direction)
	case s.Freq != panel.Year && s.Freq != panel.Month:
		return fmt.Errorf("indicator %s: frequency %s, want year or month", s.Code, s.Freq)
	case s.Agg != "last" && s.Agg != "mean":
		return fmt.Errorf("indicator %s: aggregation %q, want last or mean", s.Code, s.Agg)
	case s.Scale < Logit || s.Scale > Log1p:
		return fmt.Errorf("indicator %s: unknown scale", s.Code)
	case !(s.Min < s.Max):
		return fmt.Errorf("indicator %s: range [%g, %g] is empty", s.Code, s.Min, s.Max)
	case s.Scale == Log && s.Min <= 0:
		return fmt.Errorf("indicator %s: log scale needs a positive minimum", s.Code)
	case s.ToYear <= s.FromYear:
		return fmt.Errorf("indicator %s: trend anchor years %d, %d not increasing", s.Code, s.FromYear, s.ToYear)
	case s.From < s.Min || s.From > s.Max || s.To < s.Min || s.To > s.Max:
		return fmt.Errorf("indicator %s: anchor levels outside [%g, %g]", s.Code, s.Min, s.Max)
	case s.Rho < 0 || s.Rho >= 1:
		return fmt.Errorf("indicator %s: AR(1) coefficient %g outside [0, 1)", s.Code, s.Rho)
	case s.NoiseSD < 0 || s.UnitSD < 0 || s.Season < 0:
		return fmt.Errorf("indicator %s: negative sd", s.Code)
	}
	return nil
}

// Seed2025 returns the generation specs of the 35 indicators of the
// seed-2025 framework, in the framework's order. The codes, units,
// directions, frequencies and aggregations are those of the framework; the
// levels are realistic values chosen from the figures the seed quotes for
// leading cities (seed §1: e.g. 30 5G base stations per km², proactive
// discovery 92%, response time 8 h → 1.2 h, satisfaction 92.3%, data
// sharing 78%, local supporting rate 45% → 68%, digital-economy share up to
// 45%, elderly app usage 35% → 72%, idle rate 40%, special-bond share 18%,
// leverage 1:3.2, visits 3.2 → 0.3) and from national statistics for the
// reference city. The returned slice is a fresh copy.
func Seed2025() []IndicatorSpec {
	out := make([]IndicatorSpec, len(seed2025))
	copy(out, seed2025)
	return out
}

// Abbreviations for the table below.
const (
	up   = 1
	down = -1
	yr   = panel.Year
	mo   = panel.Month
)

func rate(code string, dir int, freq panel.Freq, from, to, dev, usd, noise, rho float64, src string) IndicatorSpec {
	agg := "last"
	if freq == mo {
		agg = "mean"
	}
	return IndicatorSpec{Code: code, Unit: "%", Direction: dir, Freq: freq, Agg: agg, Scale: Logit,
		Min: 0, Max: 100, Decimals: 2, FromYear: 2010, ToYear: 2025, From: from, To: to,
		DevLoad: dev, UnitSD: usd, NoiseSD: noise, Rho: rho, Source: src}
}

func count(code string, from, to, dev, usd, noise, rho float64, src string) IndicatorSpec {
	return IndicatorSpec{Code: code, Unit: "count", Direction: up, Freq: yr, Agg: "last", Scale: Log1p,
		Min: 0, Max: 1e7, Integer: true, FromYear: 2010, ToYear: 2025, From: from, To: to,
		DevLoad: dev, UnitSD: usd, NoiseSD: noise, Rho: rho, Source: src}
}

func positive(code, unit string, dir int, freq panel.Freq, minv, maxv float64, dec int, from, to, dev, usd, noise, rho float64, src string) IndicatorSpec {
	agg := "last"
	if freq == mo {
		agg = "mean"
	}
	return IndicatorSpec{Code: code, Unit: unit, Direction: dir, Freq: freq, Agg: agg, Scale: Log,
		Min: minv, Max: maxv, Decimals: dec, FromYear: 2010, ToYear: 2025, From: from, To: to,
		DevLoad: dev, UnitSD: usd, NoiseSD: noise, Rho: rho, Source: src}
}

func withSince(s IndicatorSpec, since int, from float64) IndicatorSpec {
	s.Since, s.FromYear, s.From = since, since, from
	return s
}

func withSeason(s IndicatorSpec, amp float64) IndicatorSpec { s.Season = amp; return s }

func withScale(s IndicatorSpec, unit string, minv, maxv float64, dec int) IndicatorSpec {
	s.Unit, s.Min, s.Max, s.Decimals = unit, minv, maxv, dec
	return s
}

// seed2025 is the table behind Seed2025. Columns of the helpers: code,
// (direction, frequency,) level in 2010, level in 2025 for the reference
// city, development loading, unit-effect sd, noise sd, AR(1) coefficient.
var seed2025 = []IndicatorSpec{
	// technology
	withSince(rate("g5_coverage", up, yr, 0, 88, 0.5, 0.4, 0.25, 0.5,
		"5G commercial service began in 2019; leading cities report near-full coverage by 2025"), 2019, 2),
	withSince(positive("g5_bs_density", "stations/km²", up, yr, 0.001, 200, 2, 0, 2.5, 1.0, 0.5, 0.15, 0.6,
		"seed §1: about 30 5G base stations per km² in leading cities"), 2019, 0.03),
	count("ai_scenarios", 0.5, 45, 0.8, 0.5, 0.2, 0.6, "seed §1.3.3: AI application scenarios; hundreds in leading cities"),
	rate("data_sharing_rate", up, yr, 12, 70, 0.45, 0.35, 0.15, 0.6, "seed §1: government data sharing rate 78% in a leading city"),
	count("open_datasets", 0.2, 1000, 0.9, 0.45, 0.2, 0.7, "seed §1: 12,000 open datasets in a leading city"),
	rate("system_compat", up, yr, 40, 84, 0.35, 0.3, 0.15, 0.5, "2025 MOHURD smart-city evaluation standard: system compatibility"),
	rate("system_idle_rate", down, yr, 45, 28, -0.25, 0.35, 0.2, 0.5, "seed §6.4.1: about 40% of smart systems idle"),
	// industry
	rate("digital_econ_share", up, yr, 3.5, 9.5, 0.6, 0.3, 0.08, 0.7, "seed §1: digital-economy core industries up to 45% of GDP in leading cities"),
	rate("local_supporting_rate", up, yr, 35, 58, 0.3, 0.3, 0.1, 0.6, "seed §1: local supporting rate 45% → 68%"),
	positive("energy_intensity", "tce/10^4 yuan", down, yr, 0.05, 5, 3, 0.95, 0.42, -0.2, 0.35, 0.05, 0.7,
		"national energy use per 10^4 yuan of GDP fell about 4-5% a year (seed §1: −4.8%)"),
	count("digital_firms", 250, 2400, 0.9, 0.5, 0.08, 0.7, "enterprise registers: digital-economy firms, thousands in large cities"),
	positive("invention_patents", "per 10k", up, yr, 0.01, 500, 2, 0.5, 7.5, 1.0, 0.5, 0.06, 0.7,
		"national invention patents per 10,000 residents: 1.7 (2010) → about 12 (2023); leading cities over 100"),
	rate("rd_intensity", up, yr, 1.0, 1.8, 0.4, 0.35, 0.06, 0.7,
		"national R&D expenditure / GDP 1.7% (2010) → 2.6% (2023); leading cities about 6%"),
	// governance
	withSeason(positive("service_time", "hours", down, mo, 0.1, 2000, 1, 96, 16, -0.3, 0.3, 0.12, 0.6,
		"seed §1.3.3: government-service processing time; 最多跑一次 reforms cut it several-fold"), 0.05),
	withSeason(positive("event_response_time", "hours", down, mo, 0.2, 500, 2, 10, 1.9, -0.3, 0.3, 0.12, 0.6,
		"seed §1: city-event response time 8 h → 1.2 h in a leading city"), 0.04),
	withSeason(rate("event_discovery_rate", up, mo, 28, 80, 0.35, 0.3, 0.12, 0.6, "seed §1: proactive discovery rate 92% in a leading city"), 0.03),
	withSeason(rate("repeat_complaint_rate", down, mo, 24, 9, -0.25, 0.3, 0.12, 0.6, "seed §1: repeat complaints down 72%"), 0.05),
	positive("visits_per_service", "times", down, yr, 0.1, 10, 2, 3.5, 0.6, -0.35, 0.3, 0.08, 0.6, "seed §1: visits per service 3.2 → 0.3 in a leading city"),
	rate("online_service_rate", up, yr, 18, 90, 0.4, 0.35, 0.15, 0.6, "national online government-service platform: most services online by 2022"),
	positive("cross_province_time", "days", down, yr, 0.1, 120, 1, 30, 6, -0.2, 0.3, 0.1, 0.6, "seed §1: cross-province service time down 70%"),
	rate("desensitisation_rate", up, yr, 20, 90, 0.4, 0.4, 0.2, 0.5, "seed §3.6.1: sensitive-data desensitisation 100% in leading cities"),
	withSeason(positive("cyber_attacks", "per day", down, mo, 0.1, 1e6, 1, 150, 1800, 0.6, 0.5, 0.25, 0.5,
		"seed §1: attacks per day; larger and more digital cities attract more"), 0.08),
	// livelihood
	withSeason(rate("satisfaction", up, mo, 74, 87, 0.22, 0.22, 0.08, 0.6, "seed §1: satisfaction 92.3% in a leading city; floor 80 (veto)"), 0.03),
	withSeason(rate("hotline_resolution", up, mo, 70, 92, 0.25, 0.25, 0.1, 0.6, "12345 hotline 接诉即办 resolution rates above 90% in leading cities"), 0.03),
	rate("public_participation", up, yr, 20, 58, 0.3, 0.3, 0.15, 0.5, "seed §1: public participation 35% → 78%"),
	rate("elderly_app_usage", up, yr, 8, 55, 0.35, 0.3, 0.15, 0.6, "seed §1: elderly smart-app usage 35% → 72%"),
	rate("agefriendly_terminals", up, yr, 5, 82, 0.45, 0.45, 0.25, 0.5, "seed §1: 100% of new communities in a leading city"),
	// region
	rate("rural_broadband", up, yr, 40, 95, 0.35, 0.35, 0.15, 0.6, "national rural broadband access: 行政村通宽带 near 100% by 2020"),
	withScale(rate("urban_rural_gap", down, yr, 55, 26, -0.3, 0.3, 0.08, 0.7, "index 0-100 (lower is better); synthetic scale"), "index", 0, 100, 2),
	count("cross_region_services", 2, 110, 0.6, 0.5, 0.2, 0.6, "跨区域协同 items such as Yangtze River Delta 一网通办 lists, about 100-200 in 2025"),
	// policy
	rate("fiscal_share", up, yr, 0.4, 2.2, 0.3, 0.3, 0.12, 0.5, "smart-city budget as a share of general public expenditure, typically 1-4%"),
	count("policy_docs", 1, 7, 0.4, 0.35, 0.25, 0.3, "seed §1.3.3: number of smart-city policy documents per year"),
	rate("special_bond_share", up, yr, 2, 16, 0.2, 0.25, 0.15, 0.4, "seed §1: special bonds 18% of funding"),
	positive("social_capital_leverage", "ratio", up, yr, 0.1, 20, 2, 1.2, 2.5, 0.3, 0.25, 0.1, 0.5, "seed §1: social-capital leverage 1:3.2"),
	rate("data_security_insurance", up, yr, 0.5, 10, 0.3, 0.3, 0.2, 0.5, "seed §1: data-security insurance coverage below 30%"),
}
