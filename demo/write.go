package demo

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Format is an output format of Write.
type Format string

// FormatCSV writes UTF-8 CSV files (RFC 4180 quoting, "\n" line ends).
const FormatCSV Format = "csv"

// Files are the names Write creates in its output directory.
var Files = []string{"annual.csv", "monthly.csv", "treatments.csv", "truth.json", "README.md"}

// Write writes the data set into directory dir:
//
//	annual.csv      wide: unit, name_zh, name_en, province, region, tier, period, one column per indicator
//	monthly.csv     long: unit, period, indicator, value (only when the monthly panel was kept)
//	treatments.csv  policy, unit, start, exit, note
//	truth.json      the true effects (see Truth)
//	README.md       what the files are, in Chinese and English, stating that the data are synthetic
//
// Numbers are written in the shortest form that reads back to the same
// float64 (strconv 'g', −1); missing values are empty. Write is atomic: it
// writes into a temporary directory next to dir and renames it into place,
// so a failure leaves no partial output. An existing dir is replaced only
// if it holds nothing but files Write creates; otherwise it is an error.
func (d *Dataset) Write(dir string, format Format) (err error) {
	if format != FormatCSV && format != "" {
		return fmt.Errorf("demo: unknown output format %q (want csv)", format)
	}
	dir = filepath.Clean(dir)
	if err := checkReplaceable(dir); err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	writers := []struct {
		name string
		f    func(io.Writer) error
	}{
		{"annual.csv", d.writeAnnual},
		{"monthly.csv", d.writeMonthly},
		{"treatments.csv", d.writeTreatments},
		{"truth.json", d.writeTruth},
		{"README.md", d.writeReadme},
	}
	for _, w := range writers {
		if w.name == "monthly.csv" && d.Monthly == nil {
			continue
		}
		if err := writeFile(filepath.Join(tmp, w.name), w.f); err != nil {
			return fmt.Errorf("demo: write %s: %w", w.name, err)
		}
	}
	// Swap into place: move an old output aside first, remove it after.
	var old string
	if _, err := os.Stat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return fmt.Errorf("demo: %w", err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}

// OutputError reports an output directory Write will not replace.
type OutputError struct {
	Dir     string
	Problem string
}

func (e *OutputError) Error() string { return fmt.Sprintf("demo: output %s %s", e.Dir, e.Problem) }

// UserFacing reports that the error is caused by the user's choice of
// output directory.
func (*OutputError) UserFacing() bool { return true }

// checkReplaceable reports an error when dir exists and is not a directory
// holding only files Write creates.
func checkReplaceable(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if !fi.IsDir() {
		return &OutputError{dir, "exists and is not a directory"}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for _, e := range ents {
		if !slices.Contains(Files, e.Name()) || e.IsDir() {
			return &OutputError{dir, fmt.Sprintf("holds %s, which gen did not write: choose an empty or new directory", e.Name())}
		}
	}
	return nil
}

func writeFile(name string, f func(io.Writer) error) error {
	fh, err := os.Create(name)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(fh, 1<<20)
	if err := f(bw); err != nil {
		fh.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		fh.Close()
		return err
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

// csvField appends s quoted as RFC 4180 requires.
func csvField(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// appendValue appends v in shortest round-trip form, nothing if missing.
func appendValue(b []byte, v float64) []byte {
	if math.IsNaN(v) {
		return b
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

func (d *Dataset) writeAnnual(w io.Writer) error {
	p := d.Annual
	names := p.Indicators()
	b := []byte("unit,name_zh,name_en,province,region,tier,period")
	for _, n := range names {
		b = append(b, ',')
		b = csvField(b, n)
	}
	b = append(b, '\n')
	cols := make([][]float64, len(names))
	for i, n := range names {
		cols[i] = p.Col(n)
	}
	for u, unit := range p.Units {
		var head []byte
		for i, s := range []string{unit.Code, unit.NameZh, unit.NameEn, unit.Province, unit.Region, unit.Tier} {
			if i > 0 {
				head = append(head, ',')
			}
			head = csvField(head, s)
		}
		for t := range p.T {
			b = append(b, head...)
			b = append(b, ',')
			b = append(b, p.Period(t).String()...)
			for _, c := range cols {
				b = append(b, ',')
				b = appendValue(b, c[u*p.T+t])
			}
			b = append(b, '\n')
			if len(b) > 1<<16 {
				if _, err := w.Write(b); err != nil {
					return err
				}
				b = b[:0]
			}
		}
	}
	_, err := w.Write(b)
	return err
}

func (d *Dataset) writeMonthly(w io.Writer) error {
	p := d.Monthly
	names := p.Indicators()
	b := []byte("unit,period,indicator,value\n")
	periods := make([]string, p.T)
	for t := range periods {
		periods[t] = p.Period(t).String()
	}
	for u, unit := range p.Units {
		code := csvField(nil, unit.Code)
		for t := range p.T {
			for _, n := range names {
				v := p.Col(n)[u*p.T+t]
				if math.IsNaN(v) {
					continue // long form: a missing cell is an absent row
				}
				b = append(b, code...)
				b = append(b, ',')
				b = append(b, periods[t]...)
				b = append(b, ',')
				b = csvField(b, n)
				b = append(b, ',')
				b = appendValue(b, v)
				b = append(b, '\n')
			}
			if len(b) > 1<<16 {
				if _, err := w.Write(b); err != nil {
					return err
				}
				b = b[:0]
			}
		}
	}
	_, err := w.Write(b)
	return err
}

func (d *Dataset) writeTreatments(w io.Writer) error {
	b := []byte("policy,unit,start,exit,note\n")
	for _, a := range d.Treatments {
		b = csvField(b, a.Policy)
		b = append(b, ',')
		b = csvField(b, a.Unit)
		b = append(b, ',')
		b = append(b, a.Start.String()...)
		b = append(b, ',')
		if a.Exit != nil {
			b = append(b, a.Exit.String()...)
		}
		b = append(b, ',')
		b = csvField(b, a.Note)
		b = append(b, '\n')
	}
	_, err := w.Write(b)
	return err
}

func (d *Dataset) writeTruth(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d.Truth)
}

// Summary returns a one-line description of the data set.
func (d *Dataset) Summary() string {
	o := d.Options
	cells, miss := 0, 0
	for _, n := range d.Annual.Indicators() {
		c := d.Annual.Col(n)
		cells += len(c)
		miss += len(c) - d.Annual.Count(n)
	}
	mon := ""
	if d.Monthly != nil {
		mon = fmt.Sprintf(", %d monthly indicators × %d months", len(d.Monthly.Indicators()), d.Monthly.T)
	}
	treated := map[int]int{}
	for _, a := range d.Treatments {
		treated[a.Start.Year()]++
	}
	var cs []string
	for _, b := range o.Batches {
		if c, ok := treated[b.Year]; ok {
			cs = append(cs, fmt.Sprintf("%d:%d", b.Year, c))
			delete(treated, b.Year)
		}
	}
	return fmt.Sprintf("synthetic panel, seed %d: %d units × %d years (%d-%d), %d indicators%s; %.1f%% of annual cells missing; pilots by year %s; %d affected indicators",
		o.Seed, len(o.Units), d.Annual.T, o.StartYear, o.EndYear, len(d.Annual.Indicators()), mon,
		100*float64(miss)/float64(max(cells, 1)), strings.Join(cs, " "), len(d.Truth.Indicators))
}

// unitTier and friends keep the README honest about what is real.
func (d *Dataset) realUnits() (real, synthetic int) {
	for _, u := range d.Options.Units {
		if strings.HasPrefix(u.Code, "SYN") {
			synthetic++
		} else {
			real++
		}
	}
	return real, synthetic
}

func (d *Dataset) writeReadme(w io.Writer) error {
	o := d.Options
	real, syn := d.realUnits()
	var effs []string
	for _, e := range o.Effects {
		effs = append(effs, fmt.Sprintf("%s %+g %s (ramp %g years)", e.Indicator, e.Size, e.Scale, e.Ramp))
	}
	if len(effs) == 0 {
		effs = []string{"none"}
	}
	var batches []string
	for _, b := range o.Batches {
		s := fmt.Sprintf("%s → %d (size %d", b.Label, b.Year, b.Size)
		if b.CountyShare > 0 {
			s += fmt.Sprintf(", %.0f%% county-level", 100*b.CountyShare)
		}
		batches = append(batches, s+")")
	}
	optsJSON, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return err
	}
	monthlyLine := "monthly.csv    — not written (run with --monthly=true)\n"
	if d.Monthly != nil {
		monthlyLine = "monthly.csv    — long form: unit, period (YYYY-MM), indicator, value; missing cells are absent rows\n"
	}
	_, err = fmt.Fprintf(w, `# SYNTHETIC DATA — 合成数据（非真实统计数据）

**中文：** 本目录中的数据全部是**合成数据**，由 `+"`cityimpact gen --seed %[1]d`"+` 按下列参数随机生成，仅用于演示、测试和基准测试，**不是任何城市的真实统计数据，不得作为真实数据引用或发布**。城市名称、省份和区域是真实的，但所有指标数值、城市规模等级中标为合成的部分以及智慧城市试点的分配都是合成的（试点批次年份和规模取自公开资料，具体城市为随机分配）。

**English:** Everything in this directory is **SYNTHETIC DATA**, generated at random by `+"`cityimpact gen --seed %[1]d`"+` with the options below, for demonstrations, tests and benchmarks. It is **not real statistics for any city and must not be cited or published as such**. City names, provinces and regions are real; every indicator value, the tiers marked synthetic and the assignment of cities to smart-city pilot batches are synthetic (batch years and sizes follow public notices; which cities are pilots is drawn at random).

## Contents / 文件

`+"```"+`
annual.csv     — wide form: unit, name_zh, name_en, province, region, tier, period, then the %[2]d seed-2025 indicators; empty = missing
%[3]streatments.csv — policy, unit, start, exit, note: the synthetic pilot adoptions (policy %[4]s)
truth.json     — the true effects (ATT by cohort and by years since adoption), to check estimators against
README.md      — this file
`+"```"+`

- Units: %[5]d real cities%[6]s; %[7]d units have a synthetic tier (provincial capitals and sub-provincial cities large-1 by rule, the others drawn by region). Tiers that are not synthetic (the 2020 census 超大/特大 cities of the registry, or given by the caller): %[18]s.
- Years: %[8]d–%[9]d; monthly indicators are rolled up to annual values by their aggregation (mean of the 12 complete months).
- Missing cells: about %[10]g%% of cells, at random, plus a few cities missing one whole early year.
- Pilot batches: %[11]s; county-level pilots treat their prefecture: %[12]v.
- True effects (size > 0 = improvement): %[13]s; anticipation %[14]d years.
- Assignment favours the east and larger cities: %[15]v; region-specific trends: %[16]v.

## Options / 生成参数

`+"```json\n%[17]s\n```"+`
`, o.Seed, len(d.Annual.Indicators()), monthlyLine, Policy, real, synthNote(syn), len(d.SyntheticTiers),
		o.StartYear, o.EndYear, 100*o.MissingShare, strings.Join(batches, "; "), o.CountyTreatsPrefecture,
		strings.Join(effs, "; "), o.Anticipation, !o.RandomAssignment, !o.CommonTrends, optsJSON, d.realTiers())
	return err
}

// realTiers lists the units whose tier is not synthetic, as "code name tier".
func (d *Dataset) realTiers() string {
	syn := make(map[string]bool, len(d.SyntheticTiers))
	for _, c := range d.SyntheticTiers {
		syn[c] = true
	}
	var out []string
	for _, u := range d.Options.Units {
		if !syn[u.Code] && !strings.HasPrefix(u.Code, "SYN") {
			out = append(out, fmt.Sprintf("%s %s %s", u.Code, u.Name(), u.Tier))
		}
		if len(out) == 100 {
			out = append(out, "…")
			break
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

func synthNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" and %d synthetic units (codes SYN00001 …)", n)
}
