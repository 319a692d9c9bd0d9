package cli

import (
	"fmt"
	"strings"

	"github.com/cityimpact/cityimpact/demo"
)

func init() {
	register(&command{name: "gen",
		summary: "generate a SYNTHETIC city panel (annual, monthly, pilot treatments, true effects) for demos, tests and benchmarks",
		run:     runGen})
}

func runGen(env *Env, args []string) error {
	fs := newFlags(env, "gen", "gen --seed N --out DIR [--units N] [--start 2010 --end 2025] [--monthly=true] [--effect 0.3] [--batch3-year 2015] [--missing 0.03]",
		"cityimpact gen --seed 1 --out demo-data")
	seed := fs.Uint64("seed", 1, "random seed: the same seed and flags give byte-identical files")
	out := fs.String("out", "", "output directory (created; replaced only if it holds nothing but gen's own files)")
	units := fs.Int("units", 0, "number of units: 0 = the ~297 cities of the registry; fewer = evenly spaced cities; more = extra synthetic units SYN00001 …")
	start := fs.Int("start", 2010, "first year")
	end := fs.Int("end", 2025, "last year")
	monthly := fs.Bool("monthly", true, "write monthly.csv for the monthly indicators")
	effect := fs.Float64("effect", 0.3, "true effect of the pilot in standard deviations (> 0 = improvement; 0 = no effect)")
	effectOn := fs.String("effect-on", strings.Join(demo.DefaultEffectIndicators, ","), "comma-separated indicators the pilot affects")
	ramp := fs.Float64("ramp", 3, "years until the effect is complete (0 = immediate)")
	homogeneous := fs.Bool("homogeneous", false, "same effect for every region, tier and cohort (default: larger in the east, in larger cities and in earlier cohorts)")
	batch3 := fs.Int("batch3-year", 2015, "year the third pilot batch is coded (2014 or 2015; papers differ)")
	missing := fs.Float64("missing", 0.03, "share of missing cells")
	anticipation := fs.Int("anticipation", 0, "years before adoption that effects begin")
	random := fs.Bool("random-assignment", false, "draw pilots uniformly at random (default: favour the east and larger cities)")
	common := fs.Bool("common-trends", false, "same trend in every region (default: the east diffuses faster)")
	county := fs.Bool("county-treats-prefecture", false, "count county-level pilots of the 2024 batch as treating their prefecture")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return userErrorf("unexpected argument %q", pos[0])
	}
	if *out == "" {
		return userErrorf("--out DIR is required (example: cityimpact gen --seed 1 --out demo-data)")
	}
	if *batch3 != 2014 && *batch3 != 2015 {
		return userErrorf("--batch3-year %d: the third batch (announced April 2015) is coded 2014 or 2015", *batch3)
	}
	if *units < 0 || *units > 100000 {
		return userErrorf("--units %d: want 0 (registry) to 100,000", *units)
	}
	o := demo.DefaultOptions(*seed)
	o.NUnits = *units
	o.StartYear, o.EndYear = *start, *end
	o.Monthly = *monthly
	o.MissingShare = *missing
	o.Batches = demo.DefaultBatches(*batch3)
	o.Anticipation = *anticipation
	o.RandomAssignment, o.CommonTrends, o.CountyTreatsPrefecture = *random, *common, *county
	o.Effects = []demo.Effect{}
	if *effect != 0 {
		for _, code := range strings.Split(*effectOn, ",") {
			code = strings.TrimSpace(code)
			if code == "" {
				continue
			}
			e := demo.Effect{Indicator: code, Size: *effect, Scale: demo.InSD, Ramp: *ramp}
			if !*homogeneous {
				e = demo.DefaultEffects(*effect)[0]
				e.Indicator, e.Ramp = code, *ramp
			}
			o.Effects = append(o.Effects, e)
		}
	}
	env.Progressf("generating …")
	d, err := demo.Generate(o)
	if err != nil {
		return err
	}
	env.Progressf("writing %s …", *out)
	if err := d.Write(*out, demo.FormatCSV); err != nil {
		return err
	}
	env.Progressf("\r\033[K")
	fmt.Fprintf(env.Stdout, "wrote %s: %s\n", *out, d.Summary())
	return nil
}
