package report

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

const square = `[[[100,30],[101,30],[101,31],[100,31],[100,30]]]`

func TestReadMap(t *testing.T) {
	good := `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"adcode":"330100","name":"杭州"},"geometry":{"type":"Polygon","coordinates":` + square + `}},
{"type":"Feature","properties":{"code":330200},"geometry":{"type":"MultiPolygon","coordinates":[` + square + `]}},
{"type":"Feature","properties":{"name":"background"},"geometry":{"type":"Polygon","coordinates":[[[100,30,5],[101,30,5],[101,31,5],[100,30,5]]]}}]}`
	m, err := readMap([]byte(good), "good.geojson")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Features) != 3 || !m.has("330100") || !m.has("330200") || m.Features[2].Code != "" {
		t.Fatalf("features %+v", m.Features)
	}
	var back struct {
		Features []struct {
			Properties map[string]string `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(m.geoJSON(), &back); err != nil {
		t.Fatal(err)
	}
	if got := back.Features[2].Properties["key"]; got != "bg2" {
		t.Errorf("background key %q; want bg2", got)
	}
	if got := back.Features[0].Properties["key"]; got != "330100" {
		t.Errorf("key %q; want 330100", got)
	}
}

func TestReadMapErrors(t *testing.T) {
	feat := func(props, geom string) string {
		return `{"type":"Feature","properties":` + props + `,"geometry":` + geom + `}`
	}
	poly := `{"type":"Polygon","coordinates":` + square + `}`
	for _, c := range []struct {
		name, data string
		feature    int
		field      string
	}{
		{"not json", `{"type":`, 0, ""},
		{"not a collection", `{"type":"Feature"}`, 0, "type"},
		{"bad code", `{"type":"FeatureCollection","features":[` + feat(`{"adcode":"33"}`, poly) + `]}`, 1, `property "adcode"`},
		{"float code", `{"type":"FeatureCollection","features":[` + feat(`{"code":3301.5}`, poly) + `]}`, 1, `property "code"`},
		{"duplicate", `{"type":"FeatureCollection","features":[` + feat(`{"adcode":"330100"}`, poly) + `,` + feat(`{"adcode":"330100"}`, poly) + `]}`, 2, `property "adcode"`},
		{"point", `{"type":"FeatureCollection","features":[` + feat(`{"adcode":"330100"}`, `{"type":"Point","coordinates":[1,2]}`) + `]}`, 1, "geometry"},
		{"short ring", `{"type":"FeatureCollection","features":[` + feat(`{"adcode":"330100"}`, `{"type":"Polygon","coordinates":[[[1,2],[2,3],[1,2]]]}`) + `]}`, 1, "geometry"},
		{"latitude", `{"type":"FeatureCollection","features":[` + feat(`{"adcode":"330100"}`, `{"type":"Polygon","coordinates":[[[1,2],[2,93],[3,2],[1,2]]]}`) + `]}`, 1, "geometry"},
		{"no geometry", `{"type":"FeatureCollection","features":[` + feat(`{"adcode":"330100"}`, `null`) + `]}`, 1, "geometry"},
		{"no codes", `{"type":"FeatureCollection","features":[` + feat(`{"name":"x"}`, poly) + `]}`, 0, ""},
	} {
		_, err := readMap([]byte(c.data), "m.geojson")
		var me *MapError
		if !errors.As(err, &me) {
			t.Errorf("%s: error %v; want a *MapError", c.name, err)
			continue
		}
		if me.File != "m.geojson" || me.Feature != c.feature || me.Field != c.field {
			t.Errorf("%s: error at feature %d field %q (%v); want feature %d field %q", c.name, me.Feature, me.Field, err, c.feature, c.field)
		}
	}
}

func TestReadMapCollectsErrors(t *testing.T) {
	var fs []string
	for range 15 {
		fs = append(fs, `{"type":"Feature","properties":{"adcode":"1"},"geometry":null}`)
	}
	_, err := readMap([]byte(`{"type":"FeatureCollection","features":[`+strings.Join(fs, ",")+`]}`), "m")
	var es MapErrors
	if !errors.As(err, &es) || len(es) != maxMapErrors {
		t.Fatalf("error %v; want %d collected errors", err, maxMapErrors)
	}
}

func FuzzReadMap(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"adcode":"330100"},"geometry":{"type":"Polygon","coordinates":` + square + `}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":110000},"geometry":{"type":"MultiPolygon","coordinates":[` + square + `]}}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[null, 1, "x"]}`))
	if b, err := os.ReadFile("testdata/small.geojson"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := readMap(data, "fuzz")
		if err != nil {
			var es MapErrors
			if !errors.As(err, &es) || len(es) == 0 || len(es) > maxMapErrors {
				t.Fatalf("error %v is not 1..%d MapErrors", err, maxMapErrors)
			}
			return
		}
		if len(m.codes) == 0 {
			t.Fatal("map without codes accepted")
		}
		// What the page gets reads back as the same layer.
		m2, err := readMap(m.geoJSON(), "again")
		if err != nil || len(m2.Features) != len(m.Features) {
			t.Fatalf("re-read: %v", err)
		}
	})
}
