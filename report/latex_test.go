package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/cityimpact/cityimpact/evaluation"
)

func TestLaTeXGolden(t *testing.T) {
	r := fixture()
	var a, b bytes.Buffer
	if err := LaTeX(&a, r); err != nil {
		t.Fatal(err)
	}
	if err := LaTeX(&b, r); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("two runs differ")
	}
	golden(t, "fixture_tables.tex", a.Bytes())
	if err := checkTeX(a.String()); err != nil {
		t.Error(err)
	}
}

// checkTeX checks the structure LaTeX would choke on, without a TeX
// installation: balanced braces (ignoring escaped ones), matched
// \begin/\end, every tabular row with as many cells as the column
// specification, $ balanced per row, no unescaped special characters in
// rows, no NaN.
func checkTeX(s string) error {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // skip the escaped character
		case '{':
			depth++
		case '}':
			depth--
			if depth < 0 {
				return fmt.Errorf("unbalanced } at byte %d", i)
			}
		case '%':
			if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
				i += j
			}
		}
	}
	if depth != 0 {
		return fmt.Errorf("unbalanced braces: depth %d at end", depth)
	}
	var stack []string
	env := regexp.MustCompile(`\\(begin|end)\{([a-z]+)\}(?:\{([^}]*)\})?`)
	cols := 0
	for n, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "%") {
			continue
		}
		for _, m := range env.FindAllStringSubmatch(line, -1) {
			if m[1] == "begin" {
				stack = append(stack, m[2])
				if m[2] == "tabular" {
					cols = len(m[3])
				}
				continue
			}
			if len(stack) == 0 || stack[len(stack)-1] != m[2] {
				return fmt.Errorf("line %d: \\end{%s} does not close %v", n+1, m[2], stack)
			}
			stack = stack[:len(stack)-1]
		}
		if strings.HasSuffix(line, `\\`) {
			body := strings.ReplaceAll(line, `\&`, "")
			if got := strings.Count(body, "&") + 1; got != cols {
				return fmt.Errorf("line %d: %d cells, tabular has %d columns: %s", n+1, got, cols, line)
			}
			if strings.Count(strings.ReplaceAll(line, `\$`, ""), "$")%2 != 0 {
				return fmt.Errorf("line %d: unbalanced $: %s", n+1, line)
			}
			plain := regexp.MustCompile(`\\[#%_$&{}]`).ReplaceAllString(line, "")
			if strings.ContainsAny(plain, "#%_") {
				return fmt.Errorf("line %d: unescaped special character: %s", n+1, line)
			}
		}
		if strings.Contains(line, "NaN") || strings.Contains(line, "Inf") {
			return fmt.Errorf("line %d: NaN printed", n+1)
		}
	}
	if len(stack) != 0 {
		return fmt.Errorf("unclosed environments %v", stack)
	}
	return nil
}

func TestLaTeXContent(t *testing.T) {
	r := fixture()
	var buf bytes.Buffer
	if err := LaTeX(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		`\usepackage{xeCJK}`,
		`\caption{Effect of smart\_city on Smart city}`,
		// TWFE on goal: 0.0312, SE 0.0121, p = 0.0149 → **; event study and placebo side by side.
		`treat\_post & $0.03120^{**}$ &  & $0.03120^{**}$ \\`,
		` & ($0.01210$) &  &  \\`,
		`Fixed effects & unit + year & unit + year &  \\`,
		`Observations & 32 & 32 & 32 \\`,
		`R$^2$ & $0.830$ & $0.840$ &  \\`,
		`Not estimated: Synthetic control: no never-treated donor with complete pre-period data.`,
		`$-2.410^{***}$`,      // pm25, p = 0.0009
		`$-1$ & ref. \\`,      // the event-study reference period
		`\label{tab:ranking}`, // ranking
		`$1$ & 北京市 (Beijing) & 北京市 & $0.905$ & A \\`, // best city in 2015
		`\quad GDP per capita & gdp & $0.6000$ & $0.3300$ \\`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("tables.tex lacks %q", want)
		}
	}
	// The test city's specials are escaped wherever it appears.
	r.Index.Scores[0][7*len(r.Periods)+3] = 0.99
	r.Index.Rank[7*len(r.Periods)+3] = 1
	buf.Reset()
	if err := LaTeX(&buf, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `测试\_市\&\#\% (Test\_city \& 50\% \{x\})`) {
		t.Errorf("special characters in a city name not escaped")
	}
	if err := checkTeX(buf.String()); err != nil {
		t.Error(err)
	}
}

func TestLaTeXEscape(t *testing.T) {
	for in, want := range map[string]string{
		`a_b`:      `a\_b`,
		`50%`:      `50\%`,
		`\x`:       `\textbackslash{}x`,
		`{a}~^`:    `\{a\}\textasciitilde{}\textasciicircum{}`,
		"a<b>|c\n": `a\textless{}b\textgreater{}\textbar{}c `,
		`杭州市`:      `杭州市`,
		`$&#`:      `\$\&\#`,
	} {
		if got := esc(in); got != want {
			t.Errorf("esc(%q) = %q; want %q", in, got, want)
		}
	}
	if err := checkTeX(`\begin{tabular}{ll}` + "\n" + esc(`a_b & {c}%`) + ` & x \\` + "\n" + `\end{tabular}`); err != nil {
		t.Errorf("escaped text fails the check: %v", err)
	}
	if err := checkTeX(`\begin{tabular}{ll}` + "\na_b & x \\\\\n" + `\end{tabular}`); err == nil {
		t.Errorf("unescaped _ passes the check")
	}
}

func TestLaTeXEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := LaTeX(&buf, &evaluation.Results{}); err != nil {
		t.Fatal(err)
	}
	if err := checkTeX(buf.String()); err != nil {
		t.Error(err)
	}
	if err := LaTeX(&buf, nil); err == nil {
		t.Errorf("nil results accepted")
	}
}
