package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// maxMapErrors caps the problems one map file reports.
const maxMapErrors = 10

// MapError is a problem in a map file: the file as the user named it, the
// 1-based feature number (0 for the file as a whole), the property or
// member concerned and what is wrong.
type MapError struct {
	File    string
	Feature int
	Field   string
	Err     error
}

func (e *MapError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Feature > 0 {
		fmt.Fprintf(&b, ": feature %d", e.Feature)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": %s", e.Field)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

func (e *MapError) Unwrap() error { return e.Err }

// UserFacing reports that the error is caused by user input.
func (*MapError) UserFacing() bool { return true }

// MapErrors is every problem found in one map file (at most 10).
type MapErrors []*MapError

func (es MapErrors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap returns the errors, for errors.As.
func (es MapErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// UserFacing reports that the errors are caused by user input.
func (MapErrors) UserFacing() bool { return true }

// geoMap is a validated map layer: features with a six-digit GB/T 2260
// code (joined) or without one (background, drawn but never coloured).
type geoMap struct {
	Features []geoFeature
	codes    map[string]bool
}

// geoFeature is one feature, its geometry as MultiPolygon coordinates
// (polygons of rings of [lon, lat]).
type geoFeature struct {
	Code   string
	Name   string
	Coords [][][][2]float64
}

// has reports whether the map has a feature with code c.
func (m *geoMap) has(c string) bool { return m.codes[c] }

// readMap parses and validates a GeoJSON FeatureCollection whose features
// carry their GB/T 2260 code in property "adcode" or "code" (a string or an
// integer of six digits). Geometries must be Polygon or MultiPolygon with
// rings of at least four [longitude, latitude] positions inside
// [−180, 180] × [−90, 90] (a third coordinate is dropped). Features without
// a code are kept as background; duplicate codes, other geometry types and
// malformed members are errors, all collected (at most 10) as [MapErrors].
// A file with no coded feature is an error.
func readMap(data []byte, file string) (*geoMap, error) {
	var errs MapErrors
	add := func(feature int, field string, err error) {
		if len(errs) < maxMapErrors {
			errs = append(errs, &MapError{File: file, Feature: feature, Field: field, Err: err})
		}
	}
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&fc); err != nil {
		return nil, MapErrors{{File: file, Err: fmt.Errorf("not GeoJSON: %w", err)}}
	}
	if fc.Type != "FeatureCollection" {
		return nil, MapErrors{{File: file, Field: "type", Err: fmt.Errorf("want FeatureCollection, got %q", fc.Type)}}
	}
	m := &geoMap{codes: map[string]bool{}}
	first := map[string]int{}
	for i, raw := range fc.Features {
		n := i + 1
		var f struct {
			Type       string                     `json:"type"`
			Properties map[string]json.RawMessage `json:"properties"`
			Geometry   *struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		}
		if err := json.Unmarshal(raw, &f); err != nil {
			add(n, "", fmt.Errorf("not a feature: %w", err))
			continue
		}
		if f.Type != "Feature" {
			add(n, "type", fmt.Errorf("want Feature, got %q", f.Type))
			continue
		}
		gf := geoFeature{}
		field := "adcode"
		v, ok := f.Properties["adcode"]
		if !ok || string(v) == "null" || string(v) == `""` {
			field = "code"
			v, ok = f.Properties["code"]
		}
		if ok && string(v) != "null" && string(v) != `""` {
			c, err := parseCode(v)
			if err != nil {
				add(n, "property "+strconv.Quote(field), err)
				continue
			}
			if p, dup := first[c]; dup {
				add(n, "property "+strconv.Quote(field), fmt.Errorf("code %s already used by feature %d", c, p))
				continue
			}
			first[c] = n
			gf.Code = c
		}
		if v, ok := f.Properties["name"]; ok {
			_ = json.Unmarshal(v, &gf.Name) // a name is optional; a non-string one is ignored
		}
		if f.Geometry == nil {
			add(n, "geometry", errors.New("missing"))
			continue
		}
		var err error
		switch f.Geometry.Type {
		case "Polygon":
			var p [][][]float64
			if err = json.Unmarshal(f.Geometry.Coordinates, &p); err == nil {
				var poly [][][2]float64
				poly, err = rings(p)
				gf.Coords = [][][][2]float64{poly}
			}
		case "MultiPolygon":
			var mp [][][][]float64
			if err = json.Unmarshal(f.Geometry.Coordinates, &mp); err == nil {
				if len(mp) == 0 {
					err = errors.New("no polygon")
				}
				for _, p := range mp {
					var poly [][][2]float64
					if poly, err = rings(p); err != nil {
						break
					}
					gf.Coords = append(gf.Coords, poly)
				}
			}
		default:
			err = fmt.Errorf("type %q: want Polygon or MultiPolygon", f.Geometry.Type)
		}
		if err != nil {
			add(n, "geometry", err)
			continue
		}
		if gf.Code != "" {
			m.codes[gf.Code] = true
		}
		m.Features = append(m.Features, gf)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(m.codes) == 0 {
		return nil, MapErrors{{File: file, Err: errors.New(`no feature carries a code in property "adcode" or "code"`)}}
	}
	return m, nil
}

// parseCode reads a six-digit code given as a JSON string or integer.
func parseCode(v json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		var f float64
		if err := json.Unmarshal(v, &f); err != nil || f != math.Trunc(f) || f < 0 || f > 999999 {
			return "", fmt.Errorf("not a code: %s", v)
		}
		s = strconv.FormatFloat(f, 'f', 0, 64)
	}
	if len(s) != 6 || strings.Trim(s, "0123456789") != "" {
		return "", fmt.Errorf("not a six-digit GB/T 2260 code: %q", s)
	}
	return s, nil
}

// rings validates the rings of one polygon.
func rings(p [][][]float64) ([][][2]float64, error) {
	if len(p) == 0 {
		return nil, errors.New("polygon without rings")
	}
	out := make([][][2]float64, len(p))
	for k, r := range p {
		if len(r) < 4 {
			return nil, fmt.Errorf("ring %d has %d positions; want at least 4", k+1, len(r))
		}
		out[k] = make([][2]float64, len(r))
		for j, pos := range r {
			if len(pos) < 2 {
				return nil, fmt.Errorf("ring %d position %d: want [longitude, latitude]", k+1, j+1)
			}
			lon, lat := pos[0], pos[1]
			if !(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90) {
				return nil, fmt.Errorf("ring %d position %d: [%g, %g] outside longitude/latitude range", k+1, j+1, lon, lat)
			}
			out[k][j] = [2]float64{lon, lat}
		}
	}
	return out, nil
}

// geoJSON encodes the layer for the page: every feature gets a unique
// "key" that the chart joins on (its code, or "bg<n>" for background
// features, which have no "adcode").
func (m *geoMap) geoJSON() json.RawMessage {
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, f := range m.Features {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(f.Name)
		if f.Code == "" {
			fmt.Fprintf(&b, `{"type":"Feature","properties":{"key":"bg%d","name":%s}`, i, name)
		} else {
			fmt.Fprintf(&b, `{"type":"Feature","properties":{"key":%q,"adcode":%q,"name":%s}`, f.Code, f.Code, name)
		}
		b.WriteString(`,"geometry":{"type":"MultiPolygon","coordinates":`)
		c, _ := json.Marshal(f.Coords)
		b.Write(c)
		b.WriteString("}}")
	}
	b.WriteString("]}")
	return b.Bytes()
}
