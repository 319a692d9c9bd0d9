package econ

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Formula is a parsed model formula in fixest's syntax:
//
//	y ~ x1 + log(x2) + x1:x3 + i(period, treat, ref = 5) | unit + year
//
// The left-hand side is one variable or log(variable). On the right,
// terms are separated by '+'; a:b is the product of a and b; a*b expands to
// a + b + a:b; i(var) gives one dummy per level of var; i(var, by) gives
// dummy × by for each level; ref = r (or a third positional argument, as in
// fixest's i(period, treat, 5)) drops reference level(s) r (ref = c(r1, r2)
// drops several). "0" or "- 1" removes the intercept (which is implicit
// unless fixed effects absorb it). After '|' come fixed-effect variables;
// a^b is the fixed effect of the combination of a and b. l(x, k) and
// f(x, k) are the lag and lead of x by k periods within its unit (default
// k = 1; k may be a range a:b, giving one column per value), which need
// panel keys (Options.PanelID or [Frame.SetPanel]). sunab(cohort, period)
// expands into Sun & Abraham's cohort × relative-period dummies
// ([SunabSpec]).
type Formula struct {
	Text      string
	LHS       *Expr
	Terms     []Term
	Intercept bool     // false after "0" or "- 1"
	FE        []FETerm // fixed effects, in order
}

// Term is one right-hand-side term: the product of its factors.
type Term struct {
	Factors []*Expr
	Pos     int // 1-based column in the formula text
}

// FETerm is one fixed-effect dimension, the combination of Vars,
// optionally with varying slopes: fe[x1, x2] adds a slope on each of the
// numeric variables per level of fe (fixest's fe + fe[[x1]] + fe[[x2]]),
// fe[[x]] has the slopes without the fixed effect itself.
type FETerm struct {
	Vars       []string
	Pos        int
	Slopes     []string // varying-slope variables, none for a plain fixed effect
	SlopesOnly bool     // fe[[x]]: no intercept per level
}

// Name returns the fixed effect's name as written, e.g. "unit^year",
// without the slopes.
func (t FETerm) Name() string { return strings.Join(t.Vars, "^") }

// ExprKind is the kind of an [Expr].
type ExprKind int

// Expression kinds.
const (
	ExprVar   ExprKind = iota // a column
	ExprLog                   // log(Arg)
	ExprI                     // i(Name[, By][, ref = Refs])
	ExprLag                   // l(Arg, k) or f(Arg, k): Name is "l" or "f", Lags the k
	ExprSunab                 // sunab(cohort, period, …): see [SunabSpec]
)

// Expr is one factor of a term.
type Expr struct {
	Kind ExprKind
	Name string   // column (ExprVar, ExprI)
	Arg  *Expr    // ExprLog
	By   string   // ExprI: optional numeric column multiplying the dummies
	Refs []string // ExprI: reference levels dropped
	Pos  int      // 1-based column
	// Lags are the lags (Name "l") or leads (Name "f") of ExprLag, as
	// written: l(x, 1:3) has Lags 1, 2, 3 and expands to three columns.
	Lags []int
	// Sunab holds the arguments of sunab() (ExprSunab).
	Sunab *SunabSpec
}

// String returns the expression as fixest names the coefficient.
func (e *Expr) String() string {
	switch e.Kind {
	case ExprLog:
		return "log(" + e.Arg.String() + ")"
	case ExprLag:
		if len(e.Lags) == 1 {
			return lagName(e.Name, e.Arg.String(), e.Lags[0])
		}
		return fmt.Sprintf("%s(%s, %d:%d)", e.Name, e.Arg.String(), e.Lags[0], e.Lags[len(e.Lags)-1])
	case ExprSunab:
		return e.Sunab.String()
	case ExprI:
		s := "i(" + e.Name
		if e.By != "" {
			s += ", " + e.By
		}
		if len(e.Refs) > 0 {
			s += ", ref = " + strings.Join(e.Refs, ", ")
		}
		return s + ")"
	}
	return e.Name
}

// ParseError is a syntax or naming error in a formula, at a 1-based
// character column of the formula text.
type ParseError struct {
	Formula string
	Col     int
	Msg     string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("econ: formula column %d: %s", e.Col, e.Msg)
}

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tNum
	tStr
	tOp // one of ~ | + - : * ( ) , = ^ [ ]
)

type token struct {
	kind tokKind
	text string
	pos  int // 1-based character column
}

func lex(s string) ([]token, error) {
	var toks []token
	colAt := func(i int) int { return utf8.RuneCountInString(s[:i]) + 1 }
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		start := colAt(i)
		switch {
		case unicode.IsSpace(r):
			i += w
		case strings.ContainsRune("~|+-:*(),=^[]", r):
			toks = append(toks, token{tOp, string(r), start})
			i += w
		case r == '`' || r == '"' || r == '\'':
			j := strings.IndexRune(s[i+w:], r)
			if j < 0 {
				return nil, &ParseError{s, start, fmt.Sprintf("unterminated %c", r)}
			}
			kind := tStr
			if r == '`' {
				kind = tIdent
			}
			toks = append(toks, token{kind, s[i+w : i+w+j], start})
			i += w + j + w
		case unicode.IsLetter(r) || r == '_' || r == '.':
			j := i
			for j < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[j:])
				if !(unicode.IsLetter(r2) || unicode.IsDigit(r2) || r2 == '_' || r2 == '.') {
					break
				}
				j += w2
			}
			toks = append(toks, token{tIdent, s[i:j], start})
			i = j
		case r >= '0' && r <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E') {
				j++
			}
			toks = append(toks, token{tNum, s[i:j], start})
			i = j
		default:
			return nil, &ParseError{s, start, fmt.Sprintf("unexpected character %q", r)}
		}
	}
	toks = append(toks, token{tEOF, "", colAt(len(s))})
	return toks, nil
}

type parser struct {
	src  string
	toks []token
	p    int
}

func (p *parser) peek() token { return p.toks[p.p] }
func (p *parser) next() token {
	t := p.toks[p.p]
	if t.kind != tEOF {
		p.p++
	}
	return t
}
func (p *parser) isOp(op string) bool { t := p.peek(); return t.kind == tOp && t.text == op }
func (p *parser) errf(t token, format string, args ...any) error {
	return &ParseError{p.src, t.pos, fmt.Sprintf(format, args...)}
}
func describe(t token) string {
	if t.kind == tEOF {
		return "end of formula"
	}
	return fmt.Sprintf("%q", t.text)
}
func (p *parser) expect(op string) (token, error) {
	t := p.next()
	if t.kind != tOp || t.text != op {
		return t, p.errf(t, "expected %q, found %s", op, describe(t))
	}
	return t, nil
}

// ParseFormula parses a formula in the syntax described at [Formula]. Errors
// are *[ParseError] with the column of the offending character.
func ParseFormula(s string) (*Formula, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{src: s, toks: toks}
	f := &Formula{Text: s, Intercept: true}
	if p.peek().kind == tEOF {
		return nil, p.errf(p.peek(), "empty formula")
	}
	if f.LHS, err = p.atom(); err != nil {
		return nil, err
	}
	if f.LHS.Kind == ExprI || f.LHS.Kind == ExprSunab {
		return nil, p.errf(token{pos: f.LHS.Pos}, "%s() cannot be the dependent variable", strings.SplitN(f.LHS.String(), "(", 2)[0])
	}
	if _, err := p.expect("~"); err != nil {
		return nil, err
	}
	if err := p.rhs(f); err != nil {
		return nil, err
	}
	if p.isOp("|") {
		p.next()
		for {
			t := p.next()
			if t.kind != tIdent {
				return nil, p.errf(t, "expected a fixed-effect variable, found %s", describe(t))
			}
			fe := FETerm{Vars: []string{t.text}, Pos: t.pos}
			for p.isOp("^") {
				p.next()
				t2 := p.next()
				if t2.kind != tIdent {
					return nil, p.errf(t2, "expected a variable after '^', found %s", describe(t2))
				}
				fe.Vars = append(fe.Vars, t2.text)
			}
			if p.isOp("[") {
				if err := p.slopes(&fe); err != nil {
					return nil, err
				}
			}
			f.FE = append(f.FE, fe)
			if !p.isOp("+") {
				break
			}
			p.next()
		}
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errf(t, "unexpected %s", describe(t))
	}
	return f, nil
}

func (p *parser) rhs(f *Formula) error {
	sign := "+"
	if p.isOp("-") {
		p.next()
		sign = "-"
	}
	for {
		t := p.peek()
		if t.kind == tNum {
			p.next()
			switch {
			case t.text == "0" && sign == "+", t.text == "1" && sign == "-":
				f.Intercept = false
			case t.text == "1" && sign == "+":
				f.Intercept = true
			default:
				return p.errf(t, "unexpected number %s in the right-hand side (only 0, 1 and -1 are allowed)", t.text)
			}
		} else {
			if sign == "-" {
				return p.errf(t, "removing terms with '-' is only supported for the intercept (- 1)")
			}
			terms, err := p.product()
			if err != nil {
				return err
			}
			f.Terms = append(f.Terms, terms...)
		}
		switch {
		case p.isOp("+"):
			sign = "+"
		case p.isOp("-"):
			sign = "-"
		default:
			return nil
		}
		p.next()
	}
}

// product parses a:b*c… and expands '*' into all non-empty subsets.
func (p *parser) product() ([]Term, error) {
	var segs [][]*Expr
	cur := []*Expr{}
	pos := p.peek().pos
	for {
		e, err := p.atom()
		if err != nil {
			return nil, err
		}
		cur = append(cur, e)
		if p.isOp(":") {
			p.next()
			continue
		}
		if p.isOp("*") {
			p.next()
			segs = append(segs, cur)
			cur = []*Expr{}
			continue
		}
		break
	}
	segs = append(segs, cur)
	if len(segs) > 8 {
		return nil, &ParseError{p.src, pos, "too many '*' in one term"}
	}
	var out []Term
	// Subsets ordered by size, then lexicographically by position, as R does.
	for size := 1; size <= len(segs); size++ {
		for mask := 1; mask < 1<<len(segs); mask++ {
			if popcount(mask) != size {
				continue
			}
			var fs []*Expr
			for k := range segs {
				if mask&(1<<k) != 0 {
					fs = append(fs, segs[k]...)
				}
			}
			out = append(out, Term{Factors: fs, Pos: pos})
		}
	}
	return out, nil
}

func popcount(m int) int {
	n := 0
	for ; m != 0; m &= m - 1 {
		n++
	}
	return n
}

func (p *parser) atom() (*Expr, error) {
	t := p.next()
	if t.kind != tIdent {
		return nil, p.errf(t, "expected a variable or function, found %s", describe(t))
	}
	if !p.isOp("(") {
		return &Expr{Kind: ExprVar, Name: t.text, Pos: t.pos}, nil
	}
	open := p.next()
	switch t.text {
	case "log":
		arg, err := p.atom()
		if err != nil {
			return nil, err
		}
		if arg.Kind == ExprI {
			return nil, p.errf(token{pos: arg.Pos}, "log() of i() is not allowed")
		}
		if _, err := p.expect(")"); err != nil {
			return nil, err
		}
		return &Expr{Kind: ExprLog, Arg: arg, Pos: t.pos}, nil
	case "i":
		e := &Expr{Kind: ExprI, Pos: t.pos}
		v := p.next()
		if v.kind != tIdent {
			return nil, p.errf(v, "i() needs a variable as first argument, found %s", describe(v))
		}
		e.Name = v.text
		npos := 1
		for p.isOp(",") {
			p.next()
			a := p.peek()
			if a.kind == tIdent && p.toks[p.p+1].kind == tOp && p.toks[p.p+1].text == "=" {
				p.next()
				p.next()
				switch a.text {
				case "ref":
					refs, err := p.refs()
					if err != nil {
						return nil, err
					}
					e.Refs = append(e.Refs, refs...)
				default:
					return nil, p.errf(a, "unknown argument %q of i() (supported: ref)", a.text)
				}
				continue
			}
			npos++
			switch npos {
			case 2:
				if a.kind != tIdent {
					return nil, p.errf(a, "i() second argument must be a variable, found %s", describe(a))
				}
				p.next()
				e.By = a.text
			case 3:
				refs, err := p.refs()
				if err != nil {
					return nil, err
				}
				e.Refs = append(e.Refs, refs...)
			default:
				return nil, p.errf(a, "too many arguments to i()")
			}
		}
		if _, err := p.expect(")"); err != nil {
			return nil, err
		}
		return e, nil
	case "l", "f":
		return p.lagCall(t)
	case "sunab", "sunab_att":
		return p.sunabCall(t)
	}
	return nil, p.errf(t, "unknown function %q (supported: log, i, l, f, sunab)", t.text+string(open.text))
}

// refs parses a level value or c(v1, v2, …).
func (p *parser) refs() ([]string, error) {
	if t := p.peek(); t.kind == tIdent && t.text == "c" && p.toks[p.p+1].kind == tOp && p.toks[p.p+1].text == "(" {
		p.next()
		p.next()
		var out []string
		for {
			v, err := p.level()
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			if !p.isOp(",") {
				break
			}
			p.next()
		}
		if _, err := p.expect(")"); err != nil {
			return nil, err
		}
		return out, nil
	}
	v, err := p.level()
	if err != nil {
		return nil, err
	}
	return []string{v}, nil
}

func (p *parser) level() (string, error) {
	neg := ""
	if p.isOp("-") {
		p.next()
		neg = "-"
	}
	t := p.next()
	switch t.kind {
	case tNum:
		return neg + t.text, nil
	case tStr, tIdent:
		if neg == "" {
			return t.text, nil
		}
	}
	return "", p.errf(t, "expected a level value, found %s", describe(t))
}

// lagCall parses the rest of l(x[, k]) or f(x[, k]) after "(": k is an
// integer (default 1) or a range a:b; l(x, -1) is f(x, 1). The argument
// may be a variable or log(variable).
func (p *parser) lagCall(fn token) (*Expr, error) {
	arg, err := p.atom()
	if err != nil {
		return nil, err
	}
	if arg.Kind == ExprI {
		return nil, p.errf(token{pos: arg.Pos}, "%s() of i() is not allowed", fn.text)
	}
	e := &Expr{Kind: ExprLag, Name: fn.text, Arg: arg, Pos: fn.pos, Lags: []int{1}}
	if p.isOp(",") {
		p.next()
		a, err := p.signedInt()
		if err != nil {
			return nil, err
		}
		e.Lags = []int{a}
		if p.isOp(":") {
			p.next()
			b, err := p.signedInt()
			if err != nil {
				return nil, err
			}
			e.Lags = lagRange(a, b)
			if len(e.Lags) > 100 {
				return nil, p.errf(fn, "%s(): at most 100 lags in a range", fn.text)
			}
		}
	}
	if _, err := p.expect(")"); err != nil {
		return nil, err
	}
	return e, nil
}

// signedInt parses an optionally negative integer.
func (p *parser) signedInt() (int, error) {
	neg := false
	if p.isOp("-") {
		p.next()
		neg = true
	}
	t := p.next()
	if t.kind != tNum {
		return 0, p.errf(t, "expected an integer, found %s", describe(t))
	}
	v, err := strconv.Atoi(t.text)
	if err != nil {
		return 0, p.errf(t, "expected an integer, found %s", describe(t))
	}
	if neg {
		v = -v
	}
	return v, nil
}

// slopes parses "[x1, x2]" or "[[x1, x2]]" after a fixed-effect name.
func (p *parser) slopes(fe *FETerm) error {
	p.next() // "["
	if p.isOp("[") {
		p.next()
		fe.SlopesOnly = true
	}
	for {
		t := p.next()
		if t.kind != tIdent {
			return p.errf(t, "expected a varying-slope variable, found %s", describe(t))
		}
		fe.Slopes = append(fe.Slopes, t.text)
		if !p.isOp(",") {
			break
		}
		p.next()
	}
	if _, err := p.expect("]"); err != nil {
		return err
	}
	if fe.SlopesOnly {
		if _, err := p.expect("]"); err != nil {
			return err
		}
	}
	return nil
}
