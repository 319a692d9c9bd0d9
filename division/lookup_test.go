package division

import (
	"errors"
	"testing"
)

// Every key form of the Lookup doc comment; expected codes from GB/T 2260.
func TestLookupKeyForms(t *testing.T) {
	for _, tc := range []struct{ key, code string }{
		{"110000", "110000"}, {"110100", "110000"}, {"11", "110000"}, {"500200", "500000"}, {"500100", "500000"},
		{"330100", "330100"}, {"3301", "330100"}, {"330100000000", "330100"},
		{"杭州市", "330100"}, {"杭州", "330100"}, {" 杭州 ", "330100"},
		{"Hangzhou", "330100"}, {"HANGZHOU", "330100"}, {"hang zhou", "330100"}, {"Hang-zhou", "330100"},
		{"Hangzhou City", "330100"}, {"ＨＡＮＧＺＨＯＵ", "330100"},
		{"Xi'an", "610100"}, {"xian", "610100"}, {"Xi’an", "610100"}, {"西安", "610100"},
		{"Hohhot", "150100"}, {"Huhehaote", "150100"}, {"Urumqi", "650100"}, {"Wulumuqi", "650100"},
		{"Beijing", "110000"}, {"北京", "110000"}, {"Chongqing", "500000"},
		{"朝阳", "211300"}, {"Chaoyang", "211300"},
		{"Suzhou, Anhui", "341300"}, {"Anhui Suzhou", "341300"}, {"安徽宿州", "341300"}, {"江苏省苏州市", "320500"},
		{"Suzhou (Jiangsu)", "320500"}, {"苏州", "320500"}, {"宿州", "341300"},
		{"吉林市", "220200"}, {"Jilin City", "220200"}, {"Lüliang", "141100"}, {"Lvliang", "141100"},
	} {
		c, err := Lookup(tc.key)
		if err != nil {
			t.Errorf("Lookup(%q): %v", tc.key, err)
			continue
		}
		if c.Code != tc.code {
			t.Errorf("Lookup(%q) = %s; want code %s", tc.key, c, tc.code)
		}
	}
}

func TestLookupUnknown(t *testing.T) {
	for _, tc := range []struct {
		key     string
		suggest string // first suggestion's code, "" for none
		county  bool
		parent  string
		prov    string
	}{
		{key: "杭洲", suggest: "330100"},
		{key: "Hangzou", suggest: "330100"},
		{key: "Shenzen", suggest: "440300"},
		{key: "Beijng", suggest: "110000"},
		{key: "qwertyuiop"},
		{key: ""},
		{key: "   "},
		{key: "朝阳区", county: true, suggest: "211300"},
		{key: "330106", county: true, parent: "330100"},
		{key: "110105", county: true, parent: "110000"},
		{key: "330106001000", county: true, parent: "330100"},
		{key: "339900"},
		{key: "12345"},
		{key: "浙江", prov: "330000"},
		{key: "Zhejiang", prov: "330000"},
		{key: "330000", prov: "330000"},
		{key: "33", prov: "330000"},
		{key: "Xizang", prov: "540000"},
		{key: "99"},
	} {
		_, err := Lookup(tc.key)
		var ue *UnknownError
		if !errors.As(err, &ue) {
			t.Errorf("Lookup(%q) error = %v; want *UnknownError", tc.key, err)
			continue
		}
		if !ue.UserFacing() || ue.Key != tc.key {
			t.Errorf("Lookup(%q): UserFacing %v, Key %q", tc.key, ue.UserFacing(), ue.Key)
		}
		first := ""
		if len(ue.Suggestions) > 0 {
			first = ue.Suggestions[0].Code
		}
		if first != tc.suggest {
			t.Errorf("Lookup(%q): first suggestion %q; want %q (all: %v)", tc.key, first, tc.suggest, ue.Suggestions)
		}
		if len(ue.Suggestions) > 3 {
			t.Errorf("Lookup(%q): %d suggestions; want at most 3", tc.key, len(ue.Suggestions))
		}
		if ue.County != tc.county {
			t.Errorf("Lookup(%q): County = %v; want %v", tc.key, ue.County, tc.county)
		}
		parent := ""
		if ue.Parent != nil {
			parent = ue.Parent.Code
		}
		if parent != tc.parent {
			t.Errorf("Lookup(%q): Parent %q; want %q", tc.key, parent, tc.parent)
		}
		prov := ""
		if ue.Province != nil {
			prov = ue.Province.Code
		}
		if prov != tc.prov {
			t.Errorf("Lookup(%q): Province %q; want %q", tc.key, prov, tc.prov)
		}
		if ue.Error() == "" {
			t.Errorf("Lookup(%q): empty message", tc.key)
		}
	}
}

func TestLookupAmbiguous(t *testing.T) {
	for _, tc := range []struct {
		key   string
		codes []string
		prov  string
	}{
		{"Suzhou", []string{"320500", "341300"}, ""},
		{"Taizhou", []string{"321200", "331000"}, ""},
		{"Fuzhou", []string{"350100", "361000"}, ""},
		{"Yichun", []string{"230700", "360900"}, ""},
		{"Yulin", []string{"450900", "610800"}, ""},
		{"吉林", []string{"220200"}, "220000"},
		{"Jilin", []string{"220200"}, "220000"},
		{"海南", []string{"632500"}, "460000"},
		{"Hainan", []string{"632500"}, "460000"},
	} {
		_, err := Lookup(tc.key)
		var ae *AmbiguousError
		if !errors.As(err, &ae) {
			t.Errorf("Lookup(%q) error = %v; want *AmbiguousError", tc.key, err)
			continue
		}
		var got []string
		for _, c := range ae.Candidates {
			got = append(got, c.Code)
		}
		if len(got) != len(tc.codes) {
			t.Errorf("Lookup(%q): candidates %v; want %v", tc.key, got, tc.codes)
			continue
		}
		for i := range got {
			if got[i] != tc.codes[i] {
				t.Errorf("Lookup(%q): candidates %v; want %v", tc.key, got, tc.codes)
			}
		}
		prov := ""
		if ae.Province != nil {
			prov = ae.Province.Code
		}
		if prov != tc.prov || !ae.UserFacing() {
			t.Errorf("Lookup(%q): Province %q; want %q", tc.key, prov, tc.prov)
		}
	}
}

func TestLookupProvince(t *testing.T) {
	for _, key := range []string{"浙江", "浙江省", "Zhejiang", "33", "330000", "zhe jiang"} {
		if p, err := LookupProvince(key); err != nil || p.Code != "330000" {
			t.Errorf("LookupProvince(%q) = %v, %v", key, p, err)
		}
	}
	if p, err := LookupProvince("Nei Mongol"); err != nil || p.Code != "150000" {
		t.Errorf("LookupProvince(Nei Mongol) = %v, %v", p, err)
	}
	var ue *UnknownError
	if _, err := LookupProvince("Zhejaing"); !errors.As(err, &ue) || ue.What != "province" {
		t.Errorf("LookupProvince(Zhejaing) error = %v", err)
	}
}

// Oracle: the textbook Levenshtein examples (kitten → sitting = 3,
// flaw → lawn = 2).
func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{
		{"kitten", "sitting", 3}, {"flaw", "lawn", 2}, {"", "abc", 3}, {"abc", "", 3},
		{"杭洲", "杭州", 1}, {"same", "same", 0},
	} {
		a := []rune(tc.a)
		if d := editDistance(a, tc.b, make([]int, 2*(len(a)+1))); d != tc.d {
			t.Errorf("editDistance(%q, %q) = %d; want %d", tc.a, tc.b, d, tc.d)
		}
	}
}

func FuzzLookup(f *testing.F) {
	for _, s := range []string{"110000", "110100", "11", "杭州", "Hangzhou", "Xi'an", "Suzhou", "Suzhou, Anhui",
		"朝阳区", "330106001000", "吉林", "", "ＨＡＮＧＺＨＯＵ", "\xff\xfe", "安徽省宿州市", "00000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		c, err := Lookup(key)
		if err != nil {
			var uf interface{ UserFacing() bool }
			if !errors.As(err, &uf) || !uf.UserFacing() {
				t.Fatalf("Lookup(%q): error %v is not user-facing", key, err)
			}
			_ = err.Error()
			return
		}
		back, err := Lookup(c.Code)
		if err != nil || back.Code != c.Code {
			t.Fatalf("Lookup(%q) = %s, but its code gives %v, %v", key, c.Code, back, err)
		}
	})
}

func BenchmarkLookup(b *testing.B) {
	for _, key := range []string{"330100", "杭州市", "Hangzhou", "Suzhou, Anhui", "Hangzou"} {
		b.Run(key, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Lookup(key)
			}
		})
	}
}
