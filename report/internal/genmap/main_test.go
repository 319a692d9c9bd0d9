package main

import (
	"strings"
	"testing"
	"unicode/utf16"
)

// encodeRing is the inverse of decodeRing, written from the format's
// description (zigzag deltas + 64, as UTF-16 code units); it gives the
// decoder an oracle independent of the echarts files.
func encodeRing(pts [][2]int64) (string, [2]float64) {
	off := [2]float64{float64(pts[0][0]), float64(pts[0][1])}
	var u []uint16
	px, py := pts[0][0], pts[0][1]
	for _, p := range pts {
		dx, dy := p[0]-px, p[1]-py
		px, py = p[0], p[1]
		u = append(u, uint16((dx<<1)^(dx>>63)+64), uint16((dy<<1)^(dy>>63)+64))
	}
	return string(utf16.Decode(u)), off
}

func TestDecodeRing(t *testing.T) {
	pts := [][2]int64{{120014, 33315}, {120010, 33320}, {120030, 33300}, {120014, 33315}}
	s, off := encodeRing(pts)
	got, err := decodeRing(s, off, 1024)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pts {
		want := [2]float64{float64(p[0]) / 1024, float64(p[1]) / 1024}
		if got[i] != want {
			t.Errorf("point %d = %v; want %v", i, got[i], want)
		}
	}
	if _, err := decodeRing("@@A", off, 1024); err == nil {
		t.Error("odd-length ring: no error")
	}
}

// The first feature of echarts 4.9.0 china-cities.json (合肥) starts with
// "@@DK" at offset [120014, 33315]: "@@" is a zero delta, "D" (68−64=4 →
// zigzag 2) and "K" (75−64=11 → zigzag −6).
func TestDecodeRingEchartsPrefix(t *testing.T) {
	got, err := decodeRing("@@DK", [2]float64{120014, 33315}, 1024)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]float64{{120014.0 / 1024, 33315.0 / 1024}, {120016.0 / 1024, 33309.0 / 1024}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("point %d = %v; want %v", i, got[i], want[i])
		}
	}
}

func TestJoin(t *testing.T) {
	fc := []feature{
		{ID: "220200", Name: "吉林"},  // city named like its province
		{ID: "632500", Name: "海南"},  // autonomous prefecture named like a province
		{ID: "652100", Name: "吐鲁番"}, // re-coded 2015 → 650400
		{ID: "110000", Name: "北京"},  // municipality
		{ID: "419001", Name: "济源"},  // county-level: not joined
		{ID: "710000", Name: "台湾"},  // outside the registry
		{ID: "330100", Name: "合肥"},  // name of a city in another province: refused
		{ID: "220300", Name: "四平"},
	}
	got, notes := join(fc, false)
	want := map[string]string{"吉林": "220200", "海南": "632500", "吐鲁番": "650400", "北京": "110000", "四平": "220300",
		"济源": "", "台湾": "", "合肥": ""}
	if len(got) != len(fc) {
		t.Fatalf("join kept %d features; want %d (unjoined ones as background)", len(got), len(fc))
	}
	for _, f := range got {
		if f.Code != want[f.Name] {
			t.Errorf("%s (%s) joined to %q; want %q", f.Name, f.ID, f.Code, want[f.Name])
		}
	}
	if n := strings.Count(strings.Join(notes, "\n"), "not joined"); n != 3 {
		t.Errorf("%d not-joined notes; want 3:\n%s", n, strings.Join(notes, "\n"))
	}
	if got[len(got)-1].Code != "" || got[0].Code != "110000" {
		t.Errorf("order: first %q, last %q; want joined features first in code order", got[0].Code, got[len(got)-1].Code)
	}
}

func TestSimplifyKeepsRings(t *testing.T) {
	ring := [][2]float64{{0, 0}, {1, 0.0001}, {2, 0}, {2, 2}, {1, 2.0001}, {0, 2}, {0, 0}}
	g := [][][][2]float64{{ring}}
	n := simplify(&g, 0.01)
	if n != 5 {
		t.Errorf("simplify kept %d points; want 5 (the square)", n)
	}
	tiny := [][2]float64{{0, 0}, {0.001, 0}, {0.001, 0.001}, {0, 0.001}, {0, 0}}
	g = [][][][2]float64{{tiny}}
	if n := simplify(&g, 0.01); n < 4 {
		t.Errorf("tiny ring kept %d points; want ≥ 4", n)
	}
	// An open ring (as ECharts stores them) is closed; a degenerate one
	// (two distinct points) is dropped, and a polygon left without rings
	// with it; the ring after a degenerate outer ring becomes the outer one.
	g = [][][][2]float64{{{{0, 0}, {1, 0}, {1, 1}}}, {{{5, 5}, {6, 6}}}, {{{7, 7}, {7, 8}}, {{1, 0}, {2, 0}, {2, 2}}}}
	if n := simplify(&g, 0); n != 8 || len(g) != 2 || g[0][0][3] != [2]float64{0, 0} || g[1][0][0] != [2]float64{1, 0} {
		t.Errorf("open and degenerate rings: %d points, %v", n, g)
	}
}

func FuzzDecodeRing(f *testing.F) {
	f.Add("@@DKJOHGCmDcCC", 120014.0, 33315.0)
	f.Add("", 0.0, 0.0)
	f.Add("\U0001F600a", 1.0, 2.0)
	f.Fuzz(func(t *testing.T, s string, x, y float64) {
		r, err := decodeRing(s, [2]float64{x, y}, 1024)
		if err == nil && len(r) != len(utf16.Encode([]rune(s)))/2 {
			t.Fatalf("%d points from %d code units", len(r), len(utf16.Encode([]rune(s))))
		}
	})
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"UTF8Encoding":true,"features":[{"id":"340100","properties":{"name":"合肥"},"geometry":{"type":"Polygon","coordinates":["@@DK"],"encodeOffsets":[[120014,33315]]}}]}`))
	f.Add([]byte(`{"UTF8Encoding":true,"features":[{"geometry":{"type":"MultiPolygon","coordinates":[["@@"]],"encodeOffsets":[[[1,2]]]}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fc, err := decode(b)
		if err != nil {
			return
		}
		for _, f := range fc {
			simplify(&f.Geometry, 0.02)
		}
	})
}
