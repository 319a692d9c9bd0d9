package ingest

import (
	"strings"
	"testing"

	"github.com/cityimpact/cityimpact/panel"
)

func TestReadTreatments(t *testing.T) {
	data := "policy,unit,start,exit,note\nsmart-city,杭州,2013,,batch 1\nsmart-city,宁波市,2014,2020,batch 2\nbroadband,330100,2015-06,,\n"
	as, err := ReadTreatments(strings.NewReader(data), Options{Name: "p.csv", Units: resolver})
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 3 || as[0].Unit != "330100" || as[0].Start != panel.YearPeriod(2013) || as[0].Exit != nil || as[0].Note != "batch 1" {
		t.Fatalf("adoptions %+v", as)
	}
	if as[1].Exit == nil || *as[1].Exit != panel.YearPeriod(2020) || as[2].Start != panel.MonthPeriod(2015, 6) {
		t.Fatalf("adoptions %+v", as)
	}
}

func TestReadTreatmentsErrors(t *testing.T) {
	data := "政策,城市,入选年份,退出\n" +
		"smart-city,杭州,2013,\n" + // line 2 ok
		",宁波市,2013,\n" + // 3 empty policy
		"smart-city,上海,2013,\n" + // 4 unknown unit
		"smart-city,宁波市,2O13,\n" + // 5 bad period
		"smart-city,宁波市,2014,2014\n" + // 6 exit not after start
		"smart-city,330100,2015,\n" // 7 duplicate of line 2 (same city by code)
	as, err := ReadTreatments(strings.NewReader(data), Options{Name: "p.csv", Units: resolver})
	if as != nil {
		t.Fatal("adoptions returned with errors")
	}
	wantDataError(t, err, ErrEmptyKey, 3, "政策")
	wantDataError(t, err, ErrUnknownUnit, 4, "城市")
	wantDataError(t, err, ErrBadPeriod, 5, "入选年份")
	wantDataError(t, err, ErrBadTreatment, 6, "退出")
	d := wantDataError(t, err, ErrDuplicate, 7, "城市")
	if !strings.Contains(d.Error(), "line 2") {
		t.Errorf("duplicate message %q does not name the first line", d)
	}
	_, err = ReadTreatments(strings.NewReader("unit,start\nA,2015\n"), Options{Name: "p.csv"})
	wantDataError(t, err, ErrHeader, 1, "")
}
