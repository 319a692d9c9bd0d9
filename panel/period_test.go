package panel

import (
	"encoding/json"
	"testing"
)

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in   string
		want Period
	}{
		{"2015", YearPeriod(2015)},
		{" 2015 ", YearPeriod(2015)},
		{"2015年", YearPeriod(2015)},
		{"2015年度", YearPeriod(2015)},
		{"2015.0", YearPeriod(2015)},
		{"2015Q1", QuarterPeriod(2015, 1)},
		{"2015q4", QuarterPeriod(2015, 4)},
		{"2015-Q2", QuarterPeriod(2015, 2)},
		{"2015 Q3", QuarterPeriod(2015, 3)},
		{"2015年第3季度", QuarterPeriod(2015, 3)},
		{"2015年第三季度", QuarterPeriod(2015, 3)},
		{"2015年1季度", QuarterPeriod(2015, 1)},
		{"2015-01", MonthPeriod(2015, 1)},
		{"2015-1", MonthPeriod(2015, 1)},
		{"2015/12", MonthPeriod(2015, 12)},
		{"2015.07", MonthPeriod(2015, 7)},
		{"201507", MonthPeriod(2015, 7)},
		{"2015M07", MonthPeriod(2015, 7)},
		{"2015m7", MonthPeriod(2015, 7)},
		{"2015年7月", MonthPeriod(2015, 7)},
		{"2015-07-01", MonthPeriod(2015, 7)},
		{"2015/7/1", MonthPeriod(2015, 7)},
	}
	for _, tc := range tests {
		got, err := ParsePeriod(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "2O15", "15", "2015Q5", "2015Q0", "2015-13", "2015-00", "201513",
		"2015-07-15", "2015年13月", "2015年第五季度", "abcd", "2015--01", "1800", "2300", "2015-1-1-1", "20150"} {
		if p, err := ParsePeriod(bad); err == nil {
			t.Errorf("ParsePeriod(%q) = %v; want error", bad, p)
		}
	}
}

func TestPeriodRoundTrip(t *testing.T) {
	for _, f := range []Freq{Year, Quarter, Month} {
		p := YearPeriod(1999)
		switch f {
		case Quarter:
			p = QuarterPeriod(1999, 1)
		case Month:
			p = MonthPeriod(1999, 1)
		}
		for i := 0; i < 180; i++ {
			q := p.Add(i)
			back, err := ParsePeriod(q.String())
			if err != nil || back != q {
				t.Fatalf("ParsePeriod(%q) = %v, %v; want %v", q.String(), back, err, q)
			}
		}
	}
}

func TestPeriodTo(t *testing.T) {
	m := MonthPeriod(2020, 5)
	if q, _ := m.To(Quarter); q != QuarterPeriod(2020, 2) {
		t.Errorf("2020-05 to quarter = %v; want 2020Q2", q)
	}
	if y, _ := m.To(Year); y != YearPeriod(2020) {
		t.Errorf("2020-05 to year = %v; want 2020", y)
	}
	if q, _ := MonthPeriod(2020, 12).To(Quarter); q != QuarterPeriod(2020, 4) {
		t.Errorf("2020-12 to quarter = %v; want 2020Q4", q)
	}
	if _, err := YearPeriod(2020).To(Month); err == nil {
		t.Error("year to month: want error")
	}
	if s := QuarterPeriod(2021, 1).Add(-1); s != QuarterPeriod(2020, 4) {
		t.Errorf("2021Q1 - 1 = %v; want 2020Q4", s)
	}
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2015", "2015Q1", "2015-01", "2015年第1季度", "201512", "2015/1/1", "2015.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s)
		if err != nil {
			return
		}
		if p.Year() < MinYear || p.Year() > MaxYear {
			t.Fatalf("ParsePeriod(%q) = %v: year out of range", s, p)
		}
		back, err := ParsePeriod(p.String())
		if err != nil || back != p {
			t.Fatalf("round trip of %q: %v -> %q -> %v, %v", s, p, p.String(), back, err)
		}
	})
}

func TestPeriodJSON(t *testing.T) {
	a := Adoption{Policy: "pilot", Unit: "330100", Start: YearPeriod(2013)}
	exit := MonthPeriod(2020, 6)
	a.Exit = &exit
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"policy":"pilot","unit":"330100","start":"2013","exit":"2020-06"}`; string(b) != want {
		t.Errorf("json = %s; want %s", b, want)
	}
	var back Adoption
	if err := json.Unmarshal(b, &back); err != nil || back.Start != a.Start || *back.Exit != exit {
		t.Errorf("round trip = %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"start":"2013-13"}`), &back); err == nil {
		t.Error("bad period in JSON: want error")
	}
}
