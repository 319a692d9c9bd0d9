package cli

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// FuzzSynthSemicolon checks the ';'-delimited path of synth's CSV reader:
// no panic, and on input without quotes or commas it gives the same frame
// (or the same failure) as the ',' reader on the same text with ';'
// replaced by ','. Seeded from synthdid's california_prop99.csv.
func FuzzSynthSemicolon(f *testing.F) {
	if b, err := os.ReadFile(prop99); err == nil {
		f.Add(string(b[:min(len(b), 400)]))
	}
	f.Add("a;b\n1;2\n3;x\n")
	f.Add("a;b\n1;2;3\n")
	f.Add("a;a\n1;2\n")
	f.Add("a;\"b\n1;2\n")
	f.Fuzz(func(t *testing.T, s string) {
		got, gerr := parseWideCSV(semicolonCSV(strings.NewReader(s), "f.csv"), "f.csv")
		if strings.ContainsAny(s, "\",\r") {
			return
		}
		want, werr := parseWideCSV(strings.NewReader(strings.ReplaceAll(s, ";", ",")), "f.csv")
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("semicolon err %v; comma err %v", gerr, werr)
		}
		if gerr != nil {
			return
		}
		if !synthStringsEqual(got.Names(), want.Names()) || got.Len() != want.Len() {
			t.Fatalf("frames differ: %v/%d vs %v/%d", got.Names(), got.Len(), want.Names(), want.Len())
		}
		for _, n := range want.Names() {
			wx, wok := want.Float(n)
			gx, gok := got.Float(n)
			if wok != gok {
				t.Fatalf("column %q numeric %v vs %v", n, gok, wok)
			}
			var a, b bytes.Buffer
			for i := range wx {
				a.WriteString(strings.TrimSpace(synthFmtFloat(wx[i])))
				b.WriteString(strings.TrimSpace(synthFmtFloat(gx[i])))
			}
			if a.String() != b.String() {
				t.Fatalf("column %q differs", n)
			}
		}
	})
}

func synthStringsEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func synthFmtFloat(v float64) string { return synthNum(v) + " " }
