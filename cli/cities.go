package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/cityimpact/cityimpact/division"
)

func init() {
	register(&command{
		name:    "cities",
		summary: "list the built-in registry of prefecture-level-and-above cities, or look names up",
		run:     runCities,
	})
}

// citiesRow is one output row of `cities` and `cities lookup`.
type citiesRow struct {
	Key        string   `json:"key,omitempty"`
	Code       string   `json:"code"`
	NameZh     string   `json:"name_zh"`
	ShortZh    string   `json:"short_zh"`
	NameEn     string   `json:"name_en"`
	Aliases    []string `json:"aliases,omitempty"`
	Kind       string   `json:"kind"`
	ProvinceZh string   `json:"province_zh"`
	ProvinceEn string   `json:"province_en"`
	Region     string   `json:"region"`
	Tier       string   `json:"tier"`
}

func citiesRowOf(key string, c division.City, g division.Grouping) citiesRow {
	return citiesRow{Key: key, Code: c.Code, NameZh: c.NameZh, ShortZh: c.ShortZh, NameEn: c.NameEn,
		Aliases: c.Aliases, Kind: c.Kind.String(), ProvinceZh: c.Province.NameZh, ProvinceEn: c.Province.NameEn,
		Region: c.RegionIn(g), Tier: c.Tier}
}

func runCities(env *Env, args []string) error {
	if len(args) > 0 && args[0] == "lookup" {
		return runCitiesLookup(env, args[1:])
	}
	if len(args) > 0 && args[0] == "provinces" {
		return runCitiesProvinces(env, args[1:])
	}
	fs := newFlags(env, "cities", "cities [--province P] [--region R] [--kind K] [--autonomous] [--grouping nbs4|three] [--format table|json|csv]\n"+
		"       cityimpact cities lookup [--autonomous] [--grouping G] [--format F] NAME...\n"+
		"       cityimpact cities provinces [--grouping G] [--format F]",
		"cityimpact cities --province 浙江 --format csv")
	province := fs.String("province", "", "only cities in this province (code, Chinese or English name)")
	region := fs.String("region", "", "only cities in this region (east, central, west, northeast under nbs4)")
	kinds := fs.String("kind", "", "only these kinds, comma-separated: municipality, sub-provincial, prefecture, autonomous-prefecture, league, area")
	autonomous := fs.Bool("autonomous", false, "include autonomous prefectures, leagues and areas (自治州, 盟, 地区)")
	grouping := fs.String("grouping", "nbs4", "region grouping: nbs4 (NBS 2011: east, central, west, northeast) or three (northeast folded into east and central)")
	format := fs.String("format", "table", "output format: table, json or csv")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return userErrorf("unexpected argument %q (to resolve names use: cityimpact cities lookup NAME...)", pos[0])
	}
	g, err := division.ParseGrouping(*grouping)
	if err != nil {
		return &UserError{err}
	}
	if err := checkFormat(*format, "table", "json", "csv"); err != nil {
		return err
	}
	var prov *division.Province
	if *province != "" {
		p, err := division.LookupProvince(*province)
		if err != nil {
			return &UserError{fmt.Errorf("--province: %w", err)}
		}
		prov = &p
	}
	if *region != "" && !slices.Contains(g.Regions(), *region) {
		return userErrorf("--region: unknown region %q under grouping %s (want one of %s)", *region, g, strings.Join(g.Regions(), ", "))
	}
	var want []division.Kind
	if *kinds != "" {
		for _, s := range strings.Split(*kinds, ",") {
			k, err := division.ParseKind(strings.TrimSpace(s))
			if err != nil {
				return &UserError{fmt.Errorf("--kind: %w", err)}
			}
			want = append(want, k)
		}
	}
	var rows []citiesRow
	for _, c := range division.Cities() {
		switch {
		case want != nil && !slices.Contains(want, c.Kind),
			want == nil && !*autonomous && !c.Kind.IsCity(),
			prov != nil && c.Province.Code != prov.Code,
			*region != "" && c.RegionIn(g) != *region:
			continue
		}
		rows = append(rows, citiesRowOf("", c, g))
	}
	return citiesWrite(env.Stdout, *format, rows, false)
}

func runCitiesLookup(env *Env, args []string) error {
	fs := newFlags(env, "cities lookup", "cities lookup [--autonomous] [--grouping nbs4|three] [--format table|json|csv] NAME...",
		`cityimpact cities lookup 杭州 110100 "Xi'an" "Suzhou, Anhui"`)
	autonomous := fs.Bool("autonomous", false, "accept autonomous prefectures, leagues and areas (自治州, 盟, 地区)")
	grouping := fs.String("grouping", "nbs4", "region grouping: nbs4 or three")
	format := fs.String("format", "table", "output format: table, json or csv")
	names, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return userErrorf("no names given (example: cityimpact cities lookup 杭州 Shenzhen 110000)")
	}
	g, err := division.ParseGrouping(*grouping)
	if err != nil {
		return &UserError{err}
	}
	if err := checkFormat(*format, "table", "json", "csv"); err != nil {
		return err
	}
	res, err := division.NewResolver(division.ResolverOptions{IncludeAutonomous: *autonomous, Grouping: g})
	if err != nil {
		return err
	}
	var rows []citiesRow
	var errs []error
	for _, key := range names {
		u, err := res.Resolve(key)
		if err != nil {
			var ee *division.ExcludedError
			if errors.As(err, &ee) {
				err = fmt.Errorf("%w (use --autonomous)", err)
			}
			errs = append(errs, err)
			continue
		}
		c, err := division.Lookup(u.Code)
		if err != nil { // cannot happen: the code is a registry code
			return fmt.Errorf("lookup %q: %w", u.Code, err)
		}
		rows = append(rows, citiesRowOf(key, c, g))
	}
	if len(rows) > 0 {
		if err := citiesWrite(env.Stdout, *format, rows, true); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return &UserError{errors.Join(errs...)}
	}
	return nil
}

func runCitiesProvinces(env *Env, args []string) error {
	fs := newFlags(env, "cities provinces", "cities provinces [--grouping nbs4|three] [--format table|json|csv]",
		"cityimpact cities provinces --grouping three")
	grouping := fs.String("grouping", "nbs4", "region grouping: nbs4 or three")
	format := fs.String("format", "table", "output format: table, json or csv")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return userErrorf("unexpected argument %q", pos[0])
	}
	g, err := division.ParseGrouping(*grouping)
	if err != nil {
		return &UserError{err}
	}
	if err := checkFormat(*format, "table", "json", "csv"); err != nil {
		return err
	}
	type provRow struct {
		Code    string `json:"code"`
		NameZh  string `json:"name_zh"`
		ShortZh string `json:"short_zh"`
		NameEn  string `json:"name_en"`
		Region  string `json:"region"`
	}
	var rows []provRow
	var table [][]string
	for _, p := range division.Provinces() {
		r := provRow{p.Code, p.NameZh, p.ShortZh, p.NameEn, p.RegionIn(g)}
		rows = append(rows, r)
		table = append(table, []string{r.Code, r.NameZh, r.ShortZh, r.NameEn, r.Region})
	}
	header := []string{"code", "name_zh", "short_zh", "name_en", "region"}
	switch *format {
	case "json":
		return writeJSON(env.Stdout, rows)
	case "csv":
		return writeCSV(env.Stdout, header, table)
	}
	return writeTable(env.Stdout, header, table)
}

// citiesWrite writes rows in format; withKey adds the looked-up key as the
// first column.
func citiesWrite(w io.Writer, format string, rows []citiesRow, withKey bool) error {
	if format == "json" {
		if rows == nil {
			rows = []citiesRow{}
		}
		return writeJSON(w, rows)
	}
	header := []string{"code", "name_zh", "name_en", "kind", "province", "region", "tier"}
	if format == "csv" {
		header = []string{"code", "name_zh", "short_zh", "name_en", "kind", "province_zh", "province_en", "region", "tier"}
	}
	if withKey {
		header = append([]string{"key"}, header...)
	}
	table := make([][]string, len(rows))
	for i, r := range rows {
		rec := []string{r.Code, r.NameZh, r.NameEn, r.Kind, r.ProvinceZh, r.Region, r.Tier}
		if format == "csv" {
			rec = []string{r.Code, r.NameZh, r.ShortZh, r.NameEn, r.Kind, r.ProvinceZh, r.ProvinceEn, r.Region, r.Tier}
		}
		if withKey {
			rec = append([]string{r.Key}, rec...)
		}
		table[i] = rec
	}
	if format == "csv" {
		return writeCSV(w, header, table)
	}
	return writeTable(w, header, table)
}
