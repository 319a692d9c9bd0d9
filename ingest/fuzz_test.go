package ingest

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/cityimpact/cityimpact/panel"
)

// FuzzReadCSV reads arbitrary bytes as a long or wide CSV table in small
// blocks (so chunk boundaries fall everywhere). It must not panic, and a
// panel it returns must hold its invariants: every column has Rows()
// entries and every non-missing cell equals the value of an input record
// for the same unit, period and indicator.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("unit,period,indicator,value\nA,2015,gdp,1.5\nA,2016,gdp,NA\nB,2015-01,cpi,3\n"))
	f.Add([]byte("城市,年份,gdp,人口\n杭州,2015,1,2\n宁波,2016,\"1,234\",\n"))
	f.Add([]byte("unit,period,indicator,value\r\n\"A, B\",2015Q1,x,\"1\n\"\r\nA,2015Q2,x,2e3\n\n"))
	f.Add([]byte("unit,year,a,b,province\nA,2015,1,2,浙江\nA,2015,1,2,\n"))
	files, _ := filepath.Glob("testdata/errors/*.csv")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer setBlockSize(32)()
		ps, err := ReadCSV(bytes.NewReader(data), Options{Name: "f.csv", Encoding: UTF8, Workers: 2, MaxCells: 1 << 16})
		if err != nil {
			return
		}
		checkAgainstRecords(t, data, ps)
	})
}

type cellKey struct{ unit, period, ind string }

func checkAgainstRecords(t *testing.T, data []byte, ps []*panel.Panel) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("reader accepted input that encoding/csv rejects: %v", err)
	}
	o := &Options{}
	s, herrs := newSchema(recs[0], o, "f.csv", 1)
	if len(herrs) > 0 {
		t.Fatalf("reader accepted a bad header: %v", herrs[0])
	}
	vals := map[cellKey][]uint64{}
	addVal := func(u, per, ind, v string) {
		p, err := parsePeriod([]byte(per), o)
		if err != nil {
			return
		}
		x, err := parseValue([]byte(v), o)
		if err != nil || math.IsNaN(x) {
			return
		}
		k := cellKey{string(trimSpace([]byte(u))), p.String(), string(trimSpace([]byte(ind)))}
		vals[k] = append(vals[k], math.Float64bits(x))
	}
	for _, r := range recs[1:] {
		if len(r) != len(s.header) {
			continue
		}
		if s.layout == Long {
			addVal(r[s.unit], r[s.period], r[s.indicator], r[s.value])
			continue
		}
		for col, i := range s.inds {
			if i >= 0 {
				addVal(r[s.unit], r[s.period], s.indNames[i], r[col])
			}
		}
	}
	for _, p := range ps {
		for _, name := range p.Indicators() {
			col := p.Col(name)
			if len(col) != p.Rows() {
				t.Fatalf("column %q has %d rows; want %d", name, len(col), p.Rows())
			}
			for u := range p.Units {
				for tt := range p.T {
					v := col[u*p.T+tt]
					if math.IsNaN(v) {
						continue
					}
					k := cellKey{p.Units[u].Code, p.Period(tt).String(), name}
					found := false
					for _, b := range vals[k] {
						found = found || b == math.Float64bits(v)
					}
					if !found {
						t.Fatalf("cell %v = %v is in no input record", k, v)
					}
				}
			}
		}
	}
}

// FuzzReadTreatments: no panic, and accepted adoptions are well formed.
func FuzzReadTreatments(f *testing.F) {
	f.Add([]byte("policy,unit,start,exit,note\nsmart-city,A,2013,,batch 1\nsmart-city,B,2014-06,2020,\n"))
	f.Add([]byte("政策,城市,入选年份\nx,杭州,2013年\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		as, err := ReadTreatments(bytes.NewReader(data), Options{Name: "p.csv"})
		if err != nil {
			return
		}
		seen := map[[2]string]bool{}
		for _, a := range as {
			if a.Policy == "" || a.Unit == "" || a.Start.Freq == panel.FreqUnknown {
				t.Fatalf("adoption %+v has empty fields", a)
			}
			if a.Exit != nil && monthOrd(*a.Exit) <= monthOrd(a.Start) {
				t.Fatalf("adoption %+v exits before it starts", a)
			}
			k := [2]string{a.Policy, a.Unit}
			if seen[k] {
				t.Fatalf("adoption %+v repeated", a)
			}
			seen[k] = true
		}
	})
}

// FuzzReadXLSX and FuzzReadParquet mutate small valid files: no panic, and
// a panel returned holds the column-length invariant.
func FuzzReadXLSX(f *testing.F) {
	f.Add(writeXLSX(f, []string{"S"}, map[string][][]any{"S": {{"unit", "period", "gdp"}, {"A", 2015, 1.5}, {"B", "2016", "x"}}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := ReadXLSX(bytes.NewReader(data), Options{Name: "f.xlsx", MaxCells: 1 << 16})
		if err == nil {
			checkLengths(t, ps)
		}
	})
}

func FuzzReadParquet(f *testing.F) {
	var buf bytes.Buffer
	parquetWrite(&buf, []longRow{{"A", 2015, "gdp", f64(1)}, {"B", 2016, "gdp", nil}})
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := ReadParquet(bytes.NewReader(data), int64(len(data)), Options{Name: "f.parquet", MaxCells: 1 << 16})
		if err == nil {
			checkLengths(t, ps)
		}
	})
}

func checkLengths(t *testing.T, ps []*panel.Panel) {
	for _, p := range ps {
		for _, n := range p.Indicators() {
			if len(p.Col(n)) != p.Rows() {
				t.Fatalf("column %q has %d rows; want %d", n, len(p.Col(n)), p.Rows())
			}
		}
	}
}
