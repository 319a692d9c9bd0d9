// Command genmap builds the report's bundled map layers from the map data
// of the echarts 4.9.0 npm package (Apache-2.0; ECharts 5 and later ship no
// maps). It reads map/json/china.json (province layer) and
// map/json/china-cities.json (prefecture layer), both in ECharts'
// compressed GeoJSON encoding, decodes them, joins every feature to a GB/T
// 2260 code of the 2023 registry in package division, simplifies the rings
// and writes plain GeoJSON whose features carry "adcode" and "name":
//
//	china-provinces.geojson, china-cities.geojson, map-join.txt
//
// The join never relies on a display name alone: the feature's old id
// gives its province (first two digits), and the name is looked up
// qualified by that province (吉林吉林 → 220200, 青海海南 → 632500); a plain
// name is accepted only when it resolves to a division of that same
// province. Features that fail to join (county-level units such as 济源 or
// 仙桃, the former 莱芜, Hong Kong, Macao, Taiwan) are listed in map-join.txt
// with the reason, as are features whose id the registry
// re-coded (吐鲁番 652100 → 650400). Unjoined features stay in the layer
// with an empty adcode: drawn as background, never coloured.
//
// Usage (run by `make assets` after `npm ci` in report/web):
//
//	go run ./report/internal/genmap -src report/web/node_modules/echarts4/map/json -out report/assets
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"unicode/utf16"

	"github.com/cityimpact/cityimpact/division"
)

func main() {
	src := flag.String("src", "report/web/node_modules/echarts4/map/json", "directory holding china.json and china-cities.json of echarts 4.9.0")
	out := flag.String("out", "report/assets", "output directory")
	tol := flag.Float64("tolerance", 0.02, "Douglas–Peucker tolerance in degrees (0 = keep every point)")
	flag.Parse()
	if err := run(*src, *out, *tol, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "genmap:", err)
		os.Exit(1)
	}
}

func run(src, out string, tol float64, log io.Writer) error {
	var joinLog bytes.Buffer
	fmt.Fprintf(&joinLog, "# Join of the echarts 4.9.0 map features to GB/T 2260 codes (division registry, 2023 state).\n# Written by report/internal/genmap; one line per feature not joined or re-coded.\n")
	for _, layer := range []struct {
		in, out  string
		province bool
	}{
		{"china.json", "china-provinces.geojson", true},
		{"china-cities.json", "china-cities.geojson", false},
	} {
		b, err := os.ReadFile(filepath.Join(src, layer.in))
		if err != nil {
			return err
		}
		fc, err := decode(b)
		if err != nil {
			return fmt.Errorf("%s: %w", layer.in, err)
		}
		features, notes := join(fc, layer.province)
		joined := 0
		for _, f := range features {
			if f.Code != "" {
				joined++
			}
		}
		fmt.Fprintf(&joinLog, "\n## %s: %d features, %d joined\n", layer.in, len(fc), joined)
		for _, n := range notes {
			fmt.Fprintln(&joinLog, n)
		}
		npts := 0
		for i := range features {
			npts += simplify(&features[i].Geometry, tol)
		}
		data, err := encode(features)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, layer.out), data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(log, "genmap: %s: %d of %d features joined, %d points, %d bytes\n",
			layer.out, joined, len(fc), npts, len(data))
	}
	return os.WriteFile(filepath.Join(out, "map-join.txt"), joinLog.Bytes(), 0o644)
}

// rawCollection is the ECharts compressed feature collection: when
// UTF8Encoding is true, every ring is a string of zigzag-encoded deltas
// with its start in encodeOffsets.
type rawCollection struct {
	UTF8Encoding bool         `json:"UTF8Encoding"`
	UTF8Scale    float64      `json:"UTF8Scale"`
	Features     []rawFeature `json:"features"`
}

type rawFeature struct {
	ID         string `json:"id"`
	Properties struct {
		Name string `json:"name"`
	} `json:"properties"`
	Geometry struct {
		Type          string          `json:"type"`
		Coordinates   json.RawMessage `json:"coordinates"`
		EncodeOffsets json.RawMessage `json:"encodeOffsets"`
	} `json:"geometry"`
}

// feature is one decoded feature.
type feature struct {
	ID, Name string
	Code     string // GB/T 2260 code after the join
	Geometry [][][][2]float64
}

// decode parses an ECharts compressed collection into polygons of rings.
func decode(b []byte) ([]feature, error) {
	var rc rawCollection
	if err := json.Unmarshal(b, &rc); err != nil {
		return nil, err
	}
	if !rc.UTF8Encoding {
		return nil, errors.New("not in ECharts' UTF8 encoding")
	}
	scale := rc.UTF8Scale
	if scale == 0 {
		scale = 1024 // ECharts' default quantisation
	}
	var fc []feature
	for i, rf := range rc.Features {
		f := feature{ID: rf.ID, Name: rf.Properties.Name}
		g := rf.Geometry
		switch g.Type {
		case "Polygon":
			var rings []string
			var offs [][2]float64
			if err := json.Unmarshal(g.Coordinates, &rings); err != nil {
				return nil, fmt.Errorf("feature %d (%s): coordinates: %w", i, f.Name, err)
			}
			if err := json.Unmarshal(g.EncodeOffsets, &offs); err != nil || len(offs) != len(rings) {
				return nil, fmt.Errorf("feature %d (%s): encodeOffsets do not match the rings", i, f.Name)
			}
			poly, err := decodePolygon(rings, offs, scale)
			if err != nil {
				return nil, fmt.Errorf("feature %d (%s): %w", i, f.Name, err)
			}
			f.Geometry = [][][][2]float64{poly}
		case "MultiPolygon":
			var polys [][]string
			var offs [][][2]float64
			if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
				return nil, fmt.Errorf("feature %d (%s): coordinates: %w", i, f.Name, err)
			}
			if err := json.Unmarshal(g.EncodeOffsets, &offs); err != nil || len(offs) != len(polys) {
				return nil, fmt.Errorf("feature %d (%s): encodeOffsets do not match the polygons", i, f.Name)
			}
			for j := range polys {
				if len(offs[j]) != len(polys[j]) {
					return nil, fmt.Errorf("feature %d (%s): encodeOffsets do not match polygon %d", i, f.Name, j)
				}
				poly, err := decodePolygon(polys[j], offs[j], scale)
				if err != nil {
					return nil, fmt.Errorf("feature %d (%s): %w", i, f.Name, err)
				}
				f.Geometry = append(f.Geometry, poly)
			}
		default:
			return nil, fmt.Errorf("feature %d (%s): geometry type %q", i, f.Name, g.Type)
		}
		fc = append(fc, f)
	}
	return fc, nil
}

func decodePolygon(rings []string, offs [][2]float64, scale float64) ([][][2]float64, error) {
	poly := make([][][2]float64, len(rings))
	for k, s := range rings {
		r, err := decodeRing(s, offs[k], scale)
		if err != nil {
			return nil, err
		}
		poly[k] = r
	}
	return poly, nil
}

// decodeRing decodes one ring of ECharts' UTF8 encoding: the string is read
// as UTF-16 code units in pairs (x, y); each unit minus 64 is a
// zigzag-encoded delta from the previous point (the first from off), and
// the accumulated integers divided by scale are longitude and latitude.
func decodeRing(s string, off [2]float64, scale float64) ([][2]float64, error) {
	u := utf16.Encode([]rune(s))
	if len(u)%2 != 0 {
		return nil, errors.New("ring has an odd number of code units")
	}
	px, py := int64(off[0]), int64(off[1])
	ring := make([][2]float64, 0, len(u)/2)
	for i := 0; i < len(u); i += 2 {
		x := int64(u[i]) - 64
		y := int64(u[i+1]) - 64
		x = (x >> 1) ^ -(x & 1)
		y = (y >> 1) ^ -(y & 1)
		px += x
		py += y
		ring = append(ring, [2]float64{float64(px) / scale, float64(py) / scale})
	}
	return ring, nil
}

// join gives every feature its current GB/T 2260 code and returns the
// features (joined ones in code order, then those that failed to join, with
// an empty code) and one note per feature not joined or re-coded.
func join(fc []feature, provinces bool) ([]feature, []string) {
	var out []feature
	var notes []string
	seen := map[string]string{}
	for _, f := range fc {
		code, err := codeOf(f, provinces)
		if err == nil {
			if prev, dup := seen[code]; dup {
				err = fmt.Errorf("code %s already joined to %s", code, prev)
			}
		}
		if err != nil {
			// Kept as background (drawn, never coloured): a map of China
			// without Taiwan, or with holes, would mislead more.
			notes = append(notes, fmt.Sprintf("not joined\t%s\t%s\t%v", f.ID, f.Name, err))
			out = append(out, f)
			continue
		}
		seen[code] = f.Name
		if code != f.ID {
			notes = append(notes, fmt.Sprintf("re-coded\t%s\t%s\t→ %s", f.ID, f.Name, code))
		}
		f.Code = code
		out = append(out, f)
	}
	// Joined features first in code order, then the background ones.
	sort.SliceStable(out, func(i, j int) bool {
		ci, cj := out[i].Code, out[j].Code
		if (ci == "") != (cj == "") {
			return ci != ""
		}
		return ci < cj
	})
	return out, notes
}

// codeOf joins one feature: the province comes from the feature's id, the
// unit from its name qualified by that province.
func codeOf(f feature, provinces bool) (string, error) {
	if len(f.ID) != 6 {
		return "", fmt.Errorf("id %q is not a six-digit code", f.ID)
	}
	prov, err := division.LookupProvince(f.ID[:2] + "0000")
	if err != nil {
		return "", fmt.Errorf("province %s0000: %w", f.ID[:2], err)
	}
	if provinces {
		p, err := division.LookupProvince(f.Name)
		if err != nil {
			return "", err
		}
		if p.Code != prov.Code {
			return "", fmt.Errorf("name is %s (%s) but id is in %s", p.NameZh, p.Code, prov.NameZh)
		}
		return p.Code, nil
	}
	c, err := division.Lookup(prov.ShortZh + f.Name)
	if err != nil {
		// Municipalities: the name is the province's own.
		c2, err2 := division.Lookup(f.Name)
		if err2 != nil {
			return "", err
		}
		c = c2
	}
	if c.Province.Code != prov.Code {
		return "", fmt.Errorf("name resolves to %s in %s, but id is in %s", c.NameZh, c.Province.NameZh, prov.NameZh)
	}
	return c.Code, nil
}

// simplify closes every ring (ECharts' rings need not repeat their first
// point; GeoJSON's must), applies Douglas–Peucker with tolerance tol
// (degrees) keeping at least four positions per ring, rounds coordinates
// to 1/1000 degree, and drops degenerate rings (fewer than three distinct
// points). Some echarts 4.9.0 features (自贡, 南充, 台湾) start a polygon
// with a two-point "outer ring" followed by the real outline; dropping the
// degenerate ring makes the next one the outer ring. It returns the number
// of positions kept.
func simplify(g *[][][][2]float64, tol float64) int {
	n := 0
	var polys [][][][2]float64
	for _, poly := range *g {
		var out [][][2]float64
		for _, ring := range poly {
			if len(ring) > 0 && ring[0] != ring[len(ring)-1] {
				ring = append(ring, ring[0])
			}
			if tol > 0 && len(ring) > 4 {
				keep := make([]bool, len(ring))
				keep[0], keep[len(ring)-1] = true, true
				dp(ring, 0, len(ring)-1, tol, keep)
				var r [][2]float64
				for i, p := range ring {
					if keep[i] {
						r = append(r, p)
					}
				}
				if len(r) >= 4 { // else a small island: keep its full shape
					ring = r
				}
			}
			for i := range ring {
				ring[i] = [2]float64{math.Round(ring[i][0]*1000) / 1000, math.Round(ring[i][1]*1000) / 1000}
			}
			if len(ring) < 4 {
				continue
			}
			out = append(out, ring)
		}
		if len(out) > 0 {
			polys = append(polys, out)
			for _, r := range out {
				n += len(r)
			}
		}
	}
	*g = polys
	return n
}

// dp marks the points of ring[i..j] that Douglas–Peucker keeps.
func dp(ring [][2]float64, i, j int, tol float64, keep []bool) {
	if j <= i+1 {
		return
	}
	ax, ay := ring[i][0], ring[i][1]
	bx, by := ring[j][0], ring[j][1]
	dx, dy := bx-ax, by-ay
	l := math.Hypot(dx, dy)
	far, fd := -1, tol
	for k := i + 1; k < j; k++ {
		var d float64
		if l == 0 {
			d = math.Hypot(ring[k][0]-ax, ring[k][1]-ay)
		} else {
			d = math.Abs(dy*(ring[k][0]-ax)-dx*(ring[k][1]-ay)) / l
		}
		if d > fd {
			far, fd = k, d
		}
	}
	if far < 0 {
		return
	}
	keep[far] = true
	dp(ring, i, far, tol, keep)
	dp(ring, far, j, tol, keep)
}

// encode writes the features as a GeoJSON FeatureCollection, one feature
// per line, coordinates in the shortest decimal form.
func encode(features []feature) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","source":"echarts 4.9.0 map/json (Apache-2.0), joined to GB/T 2260 codes by cityimpact genmap; illustrative, no 审图号","features":[`)
	for i, f := range features {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(f.Name)
		fmt.Fprintf(&b, "\n{\"type\":\"Feature\",\"properties\":{\"adcode\":%q,\"name\":%s},\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[", f.Code, name)
		for pi, poly := range f.Geometry {
			if pi > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('[')
			for ri, ring := range poly {
				if ri > 0 {
					b.WriteByte(',')
				}
				b.WriteByte('[')
				for k, p := range ring {
					if k > 0 {
						b.WriteByte(',')
					}
					b.WriteByte('[')
					b.WriteString(strconv.FormatFloat(p[0], 'f', -1, 64))
					b.WriteByte(',')
					b.WriteString(strconv.FormatFloat(p[1], 'f', -1, 64))
					b.WriteByte(']')
				}
				b.WriteByte(']')
			}
			b.WriteByte(']')
		}
		b.WriteString("]}}")
	}
	b.WriteString("\n]}\n")
	if !json.Valid(b.Bytes()) {
		return nil, errors.New("internal: produced invalid JSON")
	}
	return b.Bytes(), nil
}
