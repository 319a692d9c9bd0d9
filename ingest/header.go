package ingest

import (
	"fmt"
	"strings"
)

// Usual header names, compared after trimming and lower-casing. The first
// list entry found in a header wins, so codes beat names as unit keys.
var (
	unitNames      = []string{"unit", "unit_code", "code", "city_code", "citycode", "adcode", "代码", "城市代码", "行政区划代码", "地区代码", "city", "城市", "城市名称", "地区"}
	periodNames    = []string{"period", "year", "time", "date", "month", "quarter", "年份", "年度", "时间", "期间", "日期", "年月", "月份", "季度", "年"}
	indicatorNames = []string{"indicator", "variable", "var", "series", "item", "指标", "指标代码", "指标名称", "变量", "项目"}
	valueNames     = []string{"value", "val", "值", "数值", "数据", "指标值"}
)

// attribute column names → panel.Unit field (see unitAttr).
var attrNames = map[string]string{
	"name_zh": "name_zh", "name": "name_zh", "名称": "name_zh", "城市名称": "name_zh", "城市名": "name_zh", "城市": "name_zh",
	"name_en": "name_en", "english_name": "name_en", "city": "name_en", "英文名": "name_en", "英文名称": "name_en",
	"province": "province", "省份": "province", "省": "province", "所属省份": "province",
	"region": "region", "区域": "region", "地区": "region", "地带": "region", "四大区域": "region",
	"tier": "tier", "等级": "tier", "城市等级": "tier", "城市级别": "tier", "城市线级": "tier",
}

// attrIndex orders the attributes in per-unit slices.
var attrKeys = []string{"name_zh", "name_en", "province", "region", "tier"}

func attrSlot(name string) int {
	for i, k := range attrKeys {
		if k == name {
			return i
		}
	}
	return -1
}

func normHeader(s string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
}

// schema is the role of each column of a table.
type schema struct {
	header                         []string // as written
	layout                         Layout
	unit, period, indicator, value int   // column indices, -1 if absent
	attr                           []int // column → attribute slot (attrKeys), -1 if not an attribute
	inds                           []int // wide: column → indicator index into indNames, -1 if not an indicator
	indNames                       []string
}

func findCol(h []string, want string, names []string, used []bool) int {
	if want != "" {
		w := normHeader(want)
		for i, x := range h {
			if normHeader(x) == w && !used[i] {
				return i
			}
		}
		return -1
	}
	for _, n := range names {
		for i, x := range h {
			if !used[i] && normHeader(x) == n {
				return i
			}
		}
	}
	return -1
}

// newSchema assigns roles to the header's columns. Errors are header
// errors on line `line`.
func newSchema(header []string, o *Options, file string, line int) (*schema, []*DataError) {
	s := &schema{header: header, unit: -1, period: -1, indicator: -1, value: -1}
	var errs []*DataError
	herr := func(col string, format string, a ...any) {
		errs = append(errs, &DataError{File: file, Line: line, Column: col, Err: fmt.Errorf("%w: "+format, append([]any{ErrHeader}, a...)...)})
	}
	used := make([]bool, len(header))
	seen := map[string]int{}
	for i, h := range header {
		n := normHeader(h)
		if n == "" {
			continue
		}
		if j, dup := seen[n]; dup {
			herr(h, "column name repeated (columns %d and %d)", j+1, i+1)
		}
		seen[n] = i
	}
	take := func(want string, names []string, role string) int {
		i := findCol(header, want, names, used)
		if i >= 0 {
			used[i] = true
		} else if want != "" {
			herr("", "no %s column %q", role, want)
		}
		return i
	}
	s.unit = take(o.Columns.Unit, unitNames, "unit")
	s.period = take(o.Columns.Period, periodNames, "period")
	ind := findCol(header, o.Columns.Indicator, indicatorNames, used)
	val := -1
	if ind >= 0 {
		used[ind] = true
		val = findCol(header, o.Columns.Value, valueNames, used)
		used[ind] = false
	}
	s.layout = o.Layout
	if s.layout == AutoLayout {
		s.layout = Wide
		if ind >= 0 && val >= 0 {
			s.layout = Long
		}
	}
	if s.unit < 0 && o.Columns.Unit == "" {
		herr("", "no unit column (want one of unit, code, city, 城市, 代码, ...)")
	}
	if s.period < 0 && o.Columns.Period == "" {
		herr("", "no period column (want one of period, year, 年份, 时间, ...)")
	}
	if s.layout == Long {
		s.indicator = take(o.Columns.Indicator, indicatorNames, "indicator")
		s.value = take(o.Columns.Value, valueNames, "value")
		if s.indicator < 0 && o.Columns.Indicator == "" {
			herr("", "long layout needs an indicator column (indicator, 指标, ...)")
		}
		if s.value < 0 && o.Columns.Value == "" {
			herr("", "long layout needs a value column (value, 值, 数值, ...)")
		}
	}
	s.attr = make([]int, len(header))
	s.inds = make([]int, len(header))
	for i, h := range header {
		s.attr[i], s.inds[i] = -1, -1
		if used[i] {
			continue
		}
		if a, ok := attrNames[normHeader(h)]; ok {
			s.attr[i] = attrSlot(a)
			continue
		}
		if s.layout == Wide {
			name := strings.TrimSpace(h)
			if name == "" {
				herr("", "column %d has no name", i+1)
				continue
			}
			if o.Indicators != nil {
				if _, ok := o.Indicators[name]; !ok {
					errs = append(errs, &DataError{File: file, Line: line, Column: h, Err: fmt.Errorf("%w: %q", ErrUnknownIndicator, name)})
				}
			}
			s.inds[i] = len(s.indNames)
			s.indNames = append(s.indNames, name)
		}
		// long layout: other columns (notes, units of measure) are ignored
	}
	if s.layout == Wide && len(s.indNames) == 0 && len(errs) == 0 {
		herr("", "no indicator columns (a wide table is unit, period, indicator...; a long one needs indicator and value columns)")
	}
	return s, errs
}
