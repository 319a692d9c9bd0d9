package ingest

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cityimpact/cityimpact/panel"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// testUnits is a small resolver standing in for the division registry:
// it knows two cities by code and by Chinese name.
type testUnits map[string]panel.Unit

var hz = panel.Unit{Code: "330100", NameZh: "杭州市", Province: "浙江省", Region: "east", Tier: "large-1"}
var nb = panel.Unit{Code: "330200", NameZh: "宁波市", Province: "浙江省", Region: "east"}

var resolver = testUnits{"330100": hz, "杭州市": hz, "杭州": hz, "330200": nb, "宁波市": nb}

func (r testUnits) Resolve(k string) (panel.Unit, error) {
	if u, ok := r[k]; ok {
		return u, nil
	}
	return panel.Unit{}, errors.New("not a known city")
}

func readString(t *testing.T, data string, o Options) ([]*panel.Panel, error) {
	t.Helper()
	if o.Name == "" {
		o.Name = "t.csv"
	}
	return ReadCSV(strings.NewReader(data), o)
}

// wantDataError checks that err holds a DataError with the given cause,
// line and column, and returns it.
func wantDataError(t *testing.T, err error, cause error, line int, col string) *DataError {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want %v at line %d column %q", cause, line, col)
	}
	var des *DataErrors
	if !errors.As(err, &des) {
		t.Fatalf("error %T %v is not *DataErrors", err, err)
	}
	for _, d := range des.Errs {
		if errors.Is(d, cause) && d.Line == line && d.Column == col {
			if d.File == "" {
				t.Errorf("error %v names no file", d)
			}
			return d
		}
	}
	t.Fatalf("error\n%v\nhas no %v at line %d column %q", err, cause, line, col)
	return nil
}

const longHead = "unit,period,indicator,value\n"

func TestReadLongCSV(t *testing.T) {
	data := longHead + "A,2015,gdp,1.5\nA,2016,gdp,2\nB,2016,gdp,NA\nB,2015,pop,7\n"
	ps, err := readString(t, data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 {
		t.Fatalf("%d panels; want 1", len(ps))
	}
	p := ps[0]
	if p.Freq != panel.Year || p.Start != panel.YearPeriod(2015) || p.T != 2 || p.NUnits() != 2 {
		t.Fatalf("panel %v %v T=%d units=%d; want year 2015 T=2 units=2", p.Freq, p.Start, p.T, p.NUnits())
	}
	checkCol(t, p, "gdp", []float64{1.5, 2, math.NaN(), math.NaN()})
	checkCol(t, p, "pop", []float64{math.NaN(), math.NaN(), 7, math.NaN()})
}

func checkCol(t *testing.T, p *panel.Panel, name string, want []float64) {
	t.Helper()
	got := p.Col(name)
	if len(got) != len(want) {
		t.Fatalf("column %s = %v; want %v", name, got, want)
	}
	for i := range got {
		if math.IsNaN(got[i]) != math.IsNaN(want[i]) || !math.IsNaN(got[i]) && got[i] != want[i] {
			t.Fatalf("column %s = %v; want %v", name, got, want)
		}
	}
}

func TestReadWideCSVChineseHeaders(t *testing.T) {
	data := "\ufeff城市,年份,省份,gdp,人口\n杭州,2015,浙江省,10,20\n330200,2015,,11,\n杭州,2016,浙江省,12,22\n"
	ps, err := readString(t, data, Options{Units: resolver, RequireAttrs: []string{"province"}})
	if err != nil {
		t.Fatal(err)
	}
	p := ps[0]
	if got := p.Indicators(); len(got) != 2 || got[0] != "gdp" || got[1] != "人口" {
		t.Fatalf("indicators %v; want [gdp 人口] (省份 is an attribute)", got)
	}
	if p.Units[0] != hz || p.Units[1].Code != "330200" {
		t.Fatalf("units %v", p.Units)
	}
	checkCol(t, p, "gdp", []float64{10, 12, 11, math.NaN()})
	checkCol(t, p, "人口", []float64{20, 22, math.NaN(), math.NaN()})
}

func TestLayoutOption(t *testing.T) {
	// Forced wide: "indicator" and "value" become indicator columns.
	data := longHead + "A,2015,3,4\n"
	ps, err := readString(t, data, Options{Layout: Wide})
	if err != nil {
		t.Fatal(err)
	}
	checkCol(t, ps[0], "value", []float64{4})
	_, err = readString(t, "unit,period,gdp\nA,2015,1\n", Options{Layout: Long})
	wantDataError(t, err, ErrHeader, 1, "")
}

func TestColumnsOption(t *testing.T) {
	data := "city_id,when,what,amount\nA,2015Q1,gdp,1\nA,2015Q3,gdp,3\n"
	ps, err := readString(t, data, Options{Layout: Long, Columns: Columns{Unit: "city_id", Period: "when", Indicator: "what", Value: "amount"}})
	if err != nil {
		t.Fatal(err)
	}
	if ps[0].Freq != panel.Quarter || ps[0].T != 3 {
		t.Fatalf("freq %v T %d; want quarter, 3", ps[0].Freq, ps[0].T)
	}
	checkCol(t, ps[0], "gdp", []float64{1, math.NaN(), 3})
}

func TestMultipleFrequencies(t *testing.T) {
	data := longHead + "A,2015-01,cpi,1\nA,2015,gdp,2\nA,2015-02,cpi,3\nA,2015Q2,exports,4\n"
	ps, err := readString(t, data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 || ps[0].Freq != panel.Year || ps[1].Freq != panel.Quarter || ps[2].Freq != panel.Month {
		t.Fatalf("got %d panels; want year, quarter, month", len(ps))
	}
	checkCol(t, ps[2], "cpi", []float64{1, 3})
}

func TestNotNumber(t *testing.T) {
	_, err := readString(t, longHead+"A,2015,gdp,1\nA,2016,gdp,12,3\n", Options{})
	wantDataError(t, err, ErrFieldCount, 3, "") // unquoted: the comma splits the field
	_, err = readString(t, longHead+"A,2015,gdp,1\nA,2016,gdp,\"12,3\"\n", Options{})
	d := wantDataError(t, err, ErrNotNumber, 3, "value")
	if !strings.Contains(d.Error(), `t.csv:3: column "value": not a number: "12,3"`) {
		t.Errorf("message %q does not name the place and text", d)
	}
	_, err = readString(t, "unit,period,gdp,pop\nA,2015,1,x\n", Options{})
	wantDataError(t, err, ErrNotNumber, 2, "pop")
}

func TestThousandsAndPercent(t *testing.T) {
	data := longHead + "A,2015,gdp,\"1,234.5\"\nA,2016,gdp,12.5%\n"
	_, err := readString(t, data, Options{})
	wantDataError(t, err, ErrNotNumber, 2, "value")
	wantDataError(t, err, ErrNotNumber, 3, "value")
	ps, err := readString(t, data, Options{AllowThousands: true, AllowPercent: true})
	if err != nil {
		t.Fatal(err)
	}
	checkCol(t, ps[0], "gdp", []float64{1234.5, 12.5})
}

func TestUnknownUnit(t *testing.T) {
	_, err := readString(t, longHead+"杭州,2015,gdp,1\n上海,2015,gdp,2\n上海,2016,gdp,2\n", Options{Units: resolver})
	wantDataError(t, err, ErrUnknownUnit, 3, "unit")
}

func TestResolverMergesKeys(t *testing.T) {
	ps, err := readString(t, longHead+"杭州,2015,gdp,1\n330100,2016,gdp,2\n", Options{Units: resolver})
	if err != nil {
		t.Fatal(err)
	}
	if ps[0].NUnits() != 1 || ps[0].Units[0] != hz {
		t.Fatalf("units %v; want one: %v", ps[0].Units, hz)
	}
	checkCol(t, ps[0], "gdp", []float64{1, 2})
	// The same cell by name and by code is a duplicate.
	_, err = readString(t, longHead+"杭州,2015,gdp,1\n330100,2015,gdp,2\n", Options{Units: resolver})
	wantDataError(t, err, ErrDuplicate, 3, "")
}

func TestDuplicate(t *testing.T) {
	_, err := readString(t, longHead+"A,2015,gdp,1\nA,2016,gdp,1\nA,2015,gdp,NA\n", Options{})
	d := wantDataError(t, err, ErrDuplicate, 4, "")
	var de *DuplicateError
	if !errors.As(d, &de) || de.FirstLine != 2 || de.Unit != "A" || de.Indicator != "gdp" || de.Period != "2015" {
		t.Fatalf("duplicate error %#v; want first line 2, unit A, gdp, 2015", de)
	}
	// wide: one error per repeated row
	_, err = readString(t, "unit,year,a,b\nA,2015,1,2\nA,2015,3,4\n", Options{})
	d = wantDataError(t, err, ErrDuplicate, 3, "")
	var des *DataErrors
	errors.As(err, &des)
	if len(des.Errs) != 1 {
		t.Errorf("%d errors; want 1 per repeated row:\n%v", len(des.Errs), err)
	}
}

func TestBadPeriod(t *testing.T) {
	_, err := readString(t, longHead+"A,2015,gdp,1\nA,2O15,gdp,1\n", Options{})
	d := wantDataError(t, err, ErrBadPeriod, 3, "period")
	if !strings.Contains(d.Error(), `"2O15"`) {
		t.Errorf("message %q does not quote the text", d)
	}
}

func TestPeriodRange(t *testing.T) {
	_, err := readString(t, longHead+"A,2015,gdp,1\nA,2031,gdp,1\n", Options{MinYear: 2000, MaxYear: 2030})
	wantDataError(t, err, ErrPeriodRange, 3, "period")
	_, err = readString(t, longHead+"A,1850,gdp,1\n", Options{})
	wantDataError(t, err, ErrPeriodRange, 2, "period")
}

func TestUnknownIndicator(t *testing.T) {
	spec := map[string]IndicatorSpec{"gdp": {Freq: panel.Year}}
	_, err := readString(t, longHead+"A,2015,gdp,1\nA,2015,gpd,1\nA,2016,gpd,1\n", Options{Indicators: spec})
	wantDataError(t, err, ErrUnknownIndicator, 3, "indicator")
	_, err = readString(t, "unit,year,gdp,gpd\nA,2015,1,2\n", Options{Indicators: spec})
	wantDataError(t, err, ErrUnknownIndicator, 1, "gpd")
}

func TestMixedFrequency(t *testing.T) {
	_, err := readString(t, longHead+"A,2015,gdp,1\nA,2016,gdp,1\nA,2016Q1,gdp,1\nA,2016-02,gdp,1\n", Options{})
	wantDataError(t, err, ErrMixedFrequency, 4, "period")
	_, err = readString(t, "unit,period,gdp\nA,2015,1\nA,2015-02,1\n", Options{})
	wantDataError(t, err, ErrMixedFrequency, 3, "period")
	// declared frequency
	_, err = readString(t, longHead+"A,2015-01,gdp,1\n", Options{Indicators: map[string]IndicatorSpec{"gdp": {Freq: panel.Year}}})
	wantDataError(t, err, ErrWrongFrequency, 2, "period")
}

func TestMixedFrequencyAcrossChunks(t *testing.T) {
	defer setBlockSize(64)()
	var b strings.Builder
	b.WriteString(longHead)
	for y := 1990; y < 2020; y++ {
		fmt.Fprintf(&b, "A,%d,gdp,1\n", y)
	}
	b.WriteString("A,2020-03,gdp,1\nA,2021-03,gdp,1\n")
	_, err := readString(t, b.String(), Options{Workers: 3})
	wantDataError(t, err, ErrMixedFrequency, 32, "period")
}

func setBlockSize(n int) func() {
	old := blockSize
	blockSize = n
	return func() { blockSize = old }
}

func TestMissingAttribute(t *testing.T) {
	_, err := readString(t, "unit,period,tier,gdp\n杭州,2015,,1\n330200,2015,,1\n", Options{Units: resolver, RequireAttrs: []string{"tier"}})
	wantDataError(t, err, ErrMissingAttribute, 3, "tier")
	_, err = readString(t, longHead+"A,2015,gdp,1\n", Options{RequireAttrs: []string{"province"}})
	wantDataError(t, err, ErrMissingAttribute, 2, "province")
}

func TestAttributeConflict(t *testing.T) {
	_, err := readString(t, "unit,period,province,gdp\nA,2015,浙江省,1\nA,2016,江苏省,1\n", Options{})
	wantDataError(t, err, ErrAttrConflict, 3, "province")
	_, err = readString(t, "unit,period,province,gdp\n杭州,2015,江苏省,1\n", Options{Units: resolver})
	wantDataError(t, err, ErrAttrConflict, 2, "province")
}

func TestEmptyKeysAndHeader(t *testing.T) {
	_, err := readString(t, longHead+",2015,gdp,1\n", Options{})
	wantDataError(t, err, ErrEmptyKey, 2, "unit")
	_, err = readString(t, "", Options{})
	wantDataError(t, err, ErrHeader, 1, "")
	_, err = readString(t, longHead+"\n\n", Options{})
	wantDataError(t, err, ErrNoData, 0, "")
	_, err = readString(t, "foo,bar\n1,2\n", Options{})
	wantDataError(t, err, ErrHeader, 1, "")
	_, err = readString(t, "unit,period,gdp,gdp\nA,2015,1,2\n", Options{})
	wantDataError(t, err, ErrHeader, 1, "gdp")
}

func TestErrorCap(t *testing.T) {
	var b strings.Builder
	b.WriteString(longHead)
	for i := range 50 {
		fmt.Fprintf(&b, "A,%d,gdp,x%d\n", 1950+i, i)
	}
	_, err := readString(t, b.String(), Options{MaxErrors: 5})
	var des *DataErrors
	if !errors.As(err, &des) {
		t.Fatalf("error %v; want *DataErrors", err)
	}
	if len(des.Errs) != 5 || !des.Stopped {
		t.Fatalf("%d errors, stopped %v; want 5, true", len(des.Errs), des.Stopped)
	}
	for i, d := range des.Errs {
		if d.Line != i+2 {
			t.Errorf("error %d on line %d; want %d (sorted, first ones)", i, d.Line, i+2)
		}
	}
	if !strings.Contains(err.Error(), "stopped") {
		t.Errorf("message does not say reading stopped:\n%v", err)
	}
	_, err = readString(t, b.String(), Options{})
	errors.As(err, &des)
	if len(des.Errs) != DefaultMaxErrors {
		t.Errorf("%d errors; want the default cap %d", len(des.Errs), DefaultMaxErrors)
	}
}

func TestQuotedCSV(t *testing.T) {
	data := longHead +
		"\"A\",2015,gdp,1\n" +
		"\"B, the city\",2015,\"gdp\",\"2\"\n" +
		"\"C\nwith newline\",2015,gdp,3\n" +
		"\"D \"\"quoted\"\"\",2015,gdp,4\n" +
		"E,2015,gdp,bad\n"
	_, err := readString(t, data, Options{})
	wantDataError(t, err, ErrNotNumber, 7, "value") // the multi-line field shifts lines
	ps, err := readString(t, strings.TrimSuffix(data, "E,2015,gdp,bad\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"A", "B, the city", "C\nwith newline", "D \"quoted\""}
	for i, u := range ps[0].Units {
		if u.Code != want[i] {
			t.Errorf("unit %d = %q; want %q", i, u.Code, want[i])
		}
	}
	checkCol(t, ps[0], "gdp", []float64{1, 2, 3, 4})
	_, err = readString(t, longHead+"A,2015,gdp,\"1\n", Options{})
	wantDataError(t, err, ErrSyntax, 2, "")
}

// Parsing in many small blocks (with quotes in some) gives the same panel
// as parsing in one.
func TestChunkBoundaries(t *testing.T) {
	var b strings.Builder
	b.WriteString(longHead)
	for u := range 30 {
		for y := 2000; y < 2010; y++ {
			unit := fmt.Sprintf("U%d", u)
			if u%7 == 3 {
				unit = fmt.Sprintf("\"U%d\"", u) // quoted, same key
			}
			fmt.Fprintf(&b, "%s,%d,x,%d.%d\r\n", unit, y, u, y)
			if y%3 == 0 {
				b.WriteString("\n") // blank lines are skipped
			}
		}
	}
	b.WriteString("U0,2010,x,99") // no final newline
	ref, err := readString(t, b.String(), Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, bs := range []int{7, 64, 1000} {
		restore := setBlockSize(bs)
		ps, err := readString(t, b.String(), Options{Workers: 3})
		restore()
		if err != nil {
			t.Fatalf("block %d: %v", bs, err)
		}
		if fmt.Sprint(ps[0].Units) != fmt.Sprint(ref[0].Units) {
			t.Fatalf("block %d: units differ", bs)
		}
		checkCol(t, ps[0], "x", ref[0].Col("x"))
	}
	// Errors name the same lines whatever the block size.
	bad := strings.Replace(b.String(), "U20,2005,x,20.2005", "U20,2005,x,oops", 1)
	_, err = readString(t, bad, Options{})
	var des *DataErrors
	errors.As(err, &des)
	line := des.Errs[0].Line
	defer setBlockSize(50)()
	_, err = readString(t, bad, Options{Workers: 2})
	wantDataError(t, err, ErrNotNumber, line, "value")
}

func TestGBK(t *testing.T) {
	text := "城市,年份,指标,数值\n杭州,2015年,人口,1\n宁波市,2016年,人口,2\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []Encoding{AutoEncoding, GB18030} {
		ps, err := readString(t, gbk, Options{Encoding: enc, Units: resolver})
		if err != nil {
			t.Fatalf("encoding %d: %v", enc, err)
		}
		p := ps[0]
		if !p.Has("人口") || p.Units[0].Code != "330100" || p.Units[1].Code != "330200" {
			t.Fatalf("encoding %d: indicators %v units %v", enc, p.Indicators(), p.Units)
		}
		checkCol(t, p, "人口", []float64{1, math.NaN(), math.NaN(), 2})
	}
	// Forced UTF-8 on GBK bytes: the keys are not UTF-8.
	_, err = readString(t, gbk, Options{Encoding: UTF8})
	if err == nil {
		t.Fatal("GBK read as UTF-8 gave no error")
	}
}

func TestFullWidthPeriod(t *testing.T) {
	ps, err := readString(t, longHead+"A,２０１５,gdp,１．５\n", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ps[0].Start != panel.YearPeriod(2015) {
		t.Fatalf("start %v; want 2015", ps[0].Start)
	}
	checkCol(t, ps[0], "gdp", []float64{1.5})
}

func TestTooLarge(t *testing.T) {
	_, err := readString(t, longHead+"A,1900-01,x,1\nB,2200-12,x,1\n", Options{MaxCells: 1000})
	wantDataError(t, err, ErrTooLarge, 0, "")
}

// A duplicate in a later block than its original is found, and both lines
// are named, whatever the order the blocks are placed in.
func TestDuplicateAcrossChunks(t *testing.T) {
	defer setBlockSize(40)()
	var b strings.Builder
	b.WriteString(longHead)
	for y := 1990; y < 2020; y++ {
		fmt.Fprintf(&b, "A,%d,gdp,1\n", y)
	}
	b.WriteString("A,1991,gdp,2\n") // line 32 repeats line 3
	_, err := readString(t, b.String(), Options{Workers: 3})
	d := wantDataError(t, err, ErrDuplicate, 32, "")
	var de *DuplicateError
	if !errors.As(d, &de) || de.FirstLine != 3 {
		t.Fatalf("duplicate %v; want first line 3", d)
	}
}

// Wide tables are parsed in parallel blocks too.
func TestWideChunkBoundaries(t *testing.T) {
	var b strings.Builder
	b.WriteString("unit,period,province,a,b,c\n")
	for u := range 40 {
		for y := 2000; y < 2012; y++ {
			fmt.Fprintf(&b, "U%d,%d,P%d,%d,%d.5,\n", u, y, u%3, u*y, y)
		}
	}
	ref, err := readString(t, b.String(), Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer setBlockSize(100)()
	ps, err := readString(t, b.String(), Options{Workers: 3, RequireAttrs: []string{"province"}})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ps[0].Units) != fmt.Sprint(ref[0].Units) {
		t.Fatalf("units differ:\n%v\n%v", ps[0].Units, ref[0].Units)
	}
	for _, n := range []string{"a", "b", "c"} {
		checkCol(t, ps[0], n, ref[0].Col(n))
	}
	bad := strings.Replace(b.String(), "U30,2004,P0", "U30,2004,P1", 1)
	_, err = readString(t, bad, Options{Workers: 3})
	wantDataError(t, err, ErrAttrConflict, 2+30*12+4, "province")
}
