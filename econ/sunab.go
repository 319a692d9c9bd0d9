package econ

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
)

// SunabSpec holds the arguments of the formula term
//
//	sunab(cohort, period [, ref.c][, ref.p][, bin.rel = "bin::k"][, att = TRUE][, no_agg = TRUE])
//
// (sunab_att(…) is sunab(…, att = TRUE)), the interaction-weighted event
// study of Sun & Abraham (2021, J. Econometrics 225(2), 175–199) as fixest
// writes it. The term expands into one dummy per cohort × relative period
//
//	D_{c,k,it} = 1{cohort_i = c} · 1{rel_it = k},   rel_it = period_it − cohort_i
//
// with fixest's rules (lrberge/fixest R/did.R, sunab; its help page):
//
//   - If period already looks relative (it contains 0, negative and
//     positive values) it is used as is. Otherwise rel = period − cohort,
//     and every cohort value that never occurs among the periods (1000,
//     0, a year after the sample, but also a year before it) is a
//     never-treated cohort.
//   - A cohort whose relative periods are all negative (never treated) is
//     a reference: its rows get no dummy. A cohort whose relative periods
//     are all ≥ 0 (always treated) is removed from the estimation (its
//     rows are missing; fixest documents this, see [SunabTerm]).
//   - Rows at a reference relative period (ref.p, default −1; an integer
//     vector that may use .F and .L, the first and last relative period,
//     e.g. c(.F + 0:2, -1)) or in a reference cohort (ref.c, values of
//     cohort) get no dummy but stay in the sample.
//   - bin.rel = "bin::k" groups the relative periods (after removing the
//     references) into bins ⌊k/width⌋·width, each named after its
//     smallest relative period present.
//
// The dummies are named "<period>::<k>:cohort::<c>", ordered by k, then c.
// After estimation [Result.Aggregate] turns their coefficients into one
// per relative period (the default), the ATT or one per cohort.
type SunabSpec struct {
	Cohort, Period string
	RefC           []string // reference cohorts, as written
	RefP           string   // ref.p as written ("" = -1)
	refP           sunabVec
	BinRel         int  // width of bin.rel = "bin::k"; 0 = no binning
	ATT            bool // aggregate to the ATT by default
	NoAgg          bool // no aggregation by default
	Pos            int
}

// String returns the term as written (normalised).
func (s *SunabSpec) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sunab(%s, %s", s.Cohort, s.Period)
	if len(s.RefC) > 0 {
		fmt.Fprintf(&b, ", ref.c = c(%s)", strings.Join(s.RefC, ", "))
	}
	if s.RefP != "" {
		fmt.Fprintf(&b, ", ref.p = %s", s.RefP)
	}
	if s.BinRel > 0 {
		fmt.Fprintf(&b, `, bin.rel = "bin::%d"`, s.BinRel)
	}
	if s.ATT {
		b.WriteString(", att = TRUE")
	}
	if s.NoAgg {
		b.WriteString(", no_agg = TRUE")
	}
	return b.String() + ")"
}

// sunabVec is a parsed integer-vector expression of ref.p, evaluated with
// the first (.F) and last (.L) relative period.
type sunabVec func(first, last int) ([]int, error)

// sunabCall parses the arguments of sunab( or sunab_att( after "(".
func (p *parser) sunabCall(fn token) (*Expr, error) {
	s := &SunabSpec{Pos: fn.pos, ATT: fn.text == "sunab_att"}
	e := &Expr{Kind: ExprSunab, Pos: fn.pos, Sunab: s}
	for k, dst := range []*string{&s.Cohort, &s.Period} {
		if k > 0 {
			if _, err := p.expect(","); err != nil {
				return nil, err
			}
		}
		v := p.next()
		if v.kind != tIdent {
			return nil, p.errf(v, "%s() needs a variable as argument %d, found %s", fn.text, k+1, describe(v))
		}
		*dst = v.text
	}
	e.Name = s.Cohort
	npos := 2
	for p.isOp(",") {
		p.next()
		a := p.peek()
		name := ""
		if a.kind == tIdent && p.toks[p.p+1].kind == tOp && p.toks[p.p+1].text == "=" {
			p.next()
			p.next()
			name = a.text
		} else {
			npos++
			switch npos {
			case 3:
				name = "ref.c"
			case 4:
				name = "ref.p"
			default:
				return nil, p.errf(a, "too many positional arguments to %s() (name them: att = TRUE)", fn.text)
			}
		}
		switch name {
		case "ref.c":
			refs, err := p.refs()
			if err != nil {
				return nil, err
			}
			s.RefC = append(s.RefC, refs...)
		case "ref.p":
			start := p.p
			v, err := p.sunabVecExpr()
			if err != nil {
				return nil, err
			}
			s.refP = v
			var parts []string
			for _, t := range p.toks[start:p.p] {
				parts = append(parts, t.text)
			}
			s.RefP = strings.Join(parts, "")
		case "bin.rel":
			t := p.next()
			w, ok := strings.CutPrefix(t.text, "bin::")
			k, err := strconv.Atoi(w)
			if t.kind != tStr || !ok || err != nil || k < 1 {
				return nil, p.errf(t, `%s(): bin.rel must be "bin::k" with a positive integer k (other binnings are not supported), found %s`, fn.text, describe(t))
			}
			s.BinRel = k
		case "att", "no_agg":
			t := p.next()
			var v bool
			switch t.text {
			case "TRUE", "T":
				v = true
			case "FALSE", "F":
			default:
				return nil, p.errf(t, "%s(): %s must be TRUE or FALSE, found %s", fn.text, name, describe(t))
			}
			if t.kind != tIdent {
				return nil, p.errf(t, "%s(): %s must be TRUE or FALSE, found %s", fn.text, name, describe(t))
			}
			if name == "att" {
				s.ATT = v
			} else {
				s.NoAgg = v
			}
		case "bin", "bin.c", "bin.p":
			return nil, p.errf(a, "%s(): argument %s is not supported (bin.rel = \"bin::k\" is)", fn.text, name)
		default:
			return nil, p.errf(a, "unknown argument %q of %s() (supported: ref.c, ref.p, bin.rel, att, no_agg)", name, fn.text)
		}
	}
	if _, err := p.expect(")"); err != nil {
		return nil, err
	}
	return e, nil
}

// sunabVecExpr parses an R integer-vector expression with R's precedence
// (unary minus, then ':', then binary + and −): integers, .F, .L,
// parentheses, c(…), a:b. Arithmetic recycles a length-1 operand.
func (p *parser) sunabVecExpr() (sunabVec, error) {
	lhs, err := p.sunabColon()
	if err != nil {
		return nil, err
	}
	for p.isOp("+") || p.isOp("-") {
		op := p.next()
		rhs, err := p.sunabColon()
		if err != nil {
			return nil, err
		}
		l, sign := lhs, 1
		if op.text == "-" {
			sign = -1
		}
		lhs = func(F, L int) ([]int, error) {
			a, err := l(F, L)
			if err != nil {
				return nil, err
			}
			b, err := rhs(F, L)
			if err != nil {
				return nil, err
			}
			n := max(len(a), len(b))
			if (len(a) != n && len(a) != 1) || (len(b) != n && len(b) != 1) {
				return nil, fmt.Errorf("vectors of lengths %d and %d in %q", len(a), len(b), op.text)
			}
			out := make([]int, n)
			for i := range out {
				out[i] = a[min(i, len(a)-1)] + sign*b[min(i, len(b)-1)]
			}
			return out, nil
		}
	}
	return lhs, nil
}

func (p *parser) sunabColon() (sunabVec, error) {
	a, err := p.sunabUnary()
	if err != nil {
		return nil, err
	}
	if !p.isOp(":") {
		return a, nil
	}
	op := p.next()
	b, err := p.sunabUnary()
	if err != nil {
		return nil, err
	}
	return func(F, L int) ([]int, error) {
		x, err := a(F, L)
		if err != nil {
			return nil, err
		}
		y, err := b(F, L)
		if err != nil {
			return nil, err
		}
		if len(x) != 1 || len(y) != 1 {
			return nil, fmt.Errorf("the operands of %q must be single numbers", op.text)
		}
		if d := x[0] - y[0]; d > 10000 || d < -10000 {
			return nil, fmt.Errorf("range %d:%d has more than 10,000 values", x[0], y[0])
		}
		return lagRange(x[0], y[0]), nil
	}, nil
}

func (p *parser) sunabUnary() (sunabVec, error) {
	if p.isOp("-") {
		p.next()
		v, err := p.sunabUnary()
		if err != nil {
			return nil, err
		}
		return func(F, L int) ([]int, error) {
			x, err := v(F, L)
			out := make([]int, len(x))
			for i := range x {
				out[i] = -x[i]
			}
			return out, err
		}, nil
	}
	t := p.next()
	switch {
	case t.kind == tNum:
		k, err := strconv.Atoi(t.text)
		if err != nil {
			return nil, p.errf(t, "ref.p: expected an integer, found %s", describe(t))
		}
		return func(int, int) ([]int, error) { return []int{k}, nil }, nil
	case t.kind == tIdent && t.text == ".F":
		return func(F, _ int) ([]int, error) { return []int{F}, nil }, nil
	case t.kind == tIdent && t.text == ".L":
		return func(_, L int) ([]int, error) { return []int{L}, nil }, nil
	case t.kind == tOp && t.text == "(":
		v, err := p.sunabVecExpr()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(")"); err != nil {
			return nil, err
		}
		return v, nil
	case t.kind == tIdent && t.text == "c" && p.isOp("("):
		p.next()
		var parts []sunabVec
		for {
			v, err := p.sunabVecExpr()
			if err != nil {
				return nil, err
			}
			parts = append(parts, v)
			if !p.isOp(",") {
				break
			}
			p.next()
		}
		if _, err := p.expect(")"); err != nil {
			return nil, err
		}
		return func(F, L int) ([]int, error) {
			var out []int
			for _, v := range parts {
				x, err := v(F, L)
				if err != nil {
					return nil, err
				}
				out = append(out, x...)
			}
			return out, nil
		}, nil
	}
	return nil, p.errf(t, "ref.p: expected an integer, .F, .L or c(…), found %s", describe(t))
}

// SunabTerm is the evaluated sunab() term of a model: its cells and, in a
// [Result], their weight in the estimation sample.
//
// Always-treated cohorts (only relative periods ≥ 0) are removed from the
// sample as fixest's documentation says. fixest 0.12.2's code sets to
// missing the rows whose row numbers equal the always-treated cohorts'
// internal codes instead (R/did.R: res[qui_NA, ] = NA with qui_NA from
// cpp_find_never_always_treated), so with always-treated units the two
// differ; without them (as in base_stagg) they agree.
type SunabTerm struct {
	Cohort, Period string
	Refs           []int       // reference relative periods (ref.p evaluated)
	Cells          []SunabCell // one per dummy, in the design's order
	Never          []string    // never-treated (reference) cohorts
	Always         []string    // always-treated cohorts, removed
	ATT, NoAgg     bool        // the term's default aggregation
	// Agg is the aggregation applied to the Result holding the term:
	// zero (AggAuto) for the fitted model, whose coefficients are the cells.
	Agg Agg
}

// SunabCell is one cohort × relative-period dummy.
type SunabCell struct {
	Name   string // "<period>::<rel>:cohort::<cohort>"
	Rel    int    // relative period (the bin's name when binned)
	Cohort string // cohort value as a label
	// Weight is the number of observations of the cell in the estimation
	// sample (the sum of their weights in a weighted model): the cohort
	// shares of [Result.Aggregate].
	Weight float64
}

func isSunabTerm(t Term) bool { return len(t.Factors) == 1 && t.Factors[0].Kind == ExprSunab }

// sunabTerm evaluates a sunab() term of f into dummy columns, recording the
// term in d.
func (f *Formula) sunabTerm(data *Frame, t Term, d *Design) ([][]float64, []string, error) {
	e := t.Factors[0]
	s := e.Sunab
	if d.sunab != nil {
		return nil, nil, f.errAt(e.Pos, "only one sunab() term is allowed")
	}
	col := func(name string) ([]float64, error) {
		x, ok := data.Float(name)
		if ok {
			return x, nil
		}
		if data.has(name) {
			return nil, f.errAt(e.Pos, "sunab(): variable %q must be numeric", name)
		}
		return nil, f.errAt(e.Pos, "sunab(): no variable %q in the data", name)
	}
	co, err := col(s.Cohort)
	if err != nil {
		return nil, nil, err
	}
	pe, err := col(s.Period)
	if err != nil {
		return nil, nil, err
	}
	n := len(co)
	ok := make([]bool, n) // both present
	periods := map[float64]bool{}
	for i := range n {
		ok[i] = isFinite(co[i]) && isFinite(pe[i])
		if ok[i] {
			periods[pe[i]] = true
		}
	}
	if len(periods) == 0 {
		return nil, nil, f.errAt(e.Pos, "sunab(): no row with both %s and %s", s.Cohort, s.Period)
	}
	// Relative periods: as given (case 1) or period − cohort (case 2).
	pmin, pmax := math.Inf(1), math.Inf(-1)
	for v := range periods {
		pmin, pmax = min(pmin, v), max(pmax, v)
	}
	relative := periods[0] && pmin < 0 && pmax > 0
	rel := make([]int, n)
	found := relative
	for i := range n {
		if !ok[i] {
			continue
		}
		r := pe[i]
		if !relative {
			if !periods[co[i]] {
				r = -1 // never treated: a cohort outside the periods
			} else {
				r = pe[i] - co[i]
				found = true
			}
		}
		if r != math.Trunc(r) || math.Abs(r) > 1<<30 {
			return nil, nil, f.errAt(e.Pos, "sunab(): row %d: relative period %v is not a whole number", i+1, r)
		}
		rel[i] = int(r)
	}
	if !found {
		return nil, nil, f.errAt(e.Pos, "sunab(): no value of %s occurs in %s: the cohort must be the first treated period", s.Cohort, s.Period)
	}
	first, last := math.MaxInt, math.MinInt
	for i := range n {
		if ok[i] {
			first, last = min(first, rel[i]), max(last, rel[i])
		}
	}
	refs := []int{-1}
	if s.refP != nil {
		if refs, err = s.refP(first, last); err != nil {
			return nil, nil, f.errAt(e.Pos, "sunab(): ref.p: %v", err)
		}
	}
	// Never (all rel < 0) and always (all rel ≥ 0) treated cohorts.
	type span struct{ neg, pos bool }
	spans := map[float64]*span{}
	for i := range n {
		if !ok[i] {
			continue
		}
		sp := spans[co[i]]
		if sp == nil {
			sp = &span{}
			spans[co[i]] = sp
		}
		if rel[i] < 0 {
			sp.neg = true
		} else {
			sp.pos = true
		}
	}
	st := &SunabTerm{Cohort: s.Cohort, Period: s.Period, Refs: refs, ATT: s.ATT, NoAgg: s.NoAgg}
	cohorts := make([]float64, 0, len(spans))
	for c := range spans {
		cohorts = append(cohorts, c)
	}
	slices.Sort(cohorts)
	refCohort := map[float64]bool{}
	always := map[float64]bool{}
	for _, c := range cohorts {
		sp := spans[c]
		switch {
		case sp.neg && !sp.pos:
			st.Never = append(st.Never, label(c))
			refCohort[c] = true
		case sp.pos && !sp.neg:
			st.Always = append(st.Always, label(c))
			refCohort[c] = true
			always[c] = true
		}
	}
	for _, r := range s.RefC {
		v, err := strconv.ParseFloat(r, 64)
		if err != nil {
			return nil, nil, f.errAt(e.Pos, "sunab(): ref.c value %q is not a number", r)
		}
		refCohort[v] = true
	}
	// Kept rows and their (binned) relative periods.
	kept := make([]bool, n)
	for i := range n {
		kept[i] = ok[i] && !refCohort[co[i]] && !slices.Contains(refs, rel[i])
	}
	if s.BinRel > 0 {
		w := s.BinRel
		name := map[int]int{} // bin → smallest relative period in it
		for i := range n {
			if kept[i] {
				b := floorDiv(rel[i], w)
				if v, seen := name[b]; !seen || rel[i] < v {
					name[b] = rel[i]
				}
			}
		}
		for i := range n {
			if kept[i] {
				rel[i] = name[floorDiv(rel[i], w)]
			}
		}
	}
	type key struct {
		rel    int
		cohort float64
	}
	cell := map[key]int{}
	var keys []key
	for i := range n {
		if kept[i] {
			k := key{rel[i], co[i]}
			if _, seen := cell[k]; !seen {
				cell[k] = 0
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		return nil, nil, f.errAt(e.Pos, "sunab(): no treated cohort is observed both before and after treatment")
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.rel != b.rel {
			return a.rel - b.rel
		}
		return int(math.Copysign(1, a.cohort-b.cohort))
	})
	cols := make([][]float64, len(keys))
	names := make([]string, len(keys))
	for j, k := range keys {
		cell[k] = j
		cols[j] = make([]float64, n)
		names[j] = fmt.Sprintf("%s::%d:cohort::%s", s.Period, k.rel, label(k.cohort))
		st.Cells = append(st.Cells, SunabCell{Name: names[j], Rel: k.rel, Cohort: label(k.cohort)})
	}
	for i := range n {
		switch {
		case !ok[i] || always[co[i]]:
			for j := range cols {
				cols[j][i] = math.NaN()
			}
		case kept[i]:
			cols[cell[key{rel[i], co[i]}]][i] = 1
		}
	}
	d.sunab = st
	return cols, names, nil
}

func label(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// floorDiv is ⌊a/b⌋ for b > 0 (R's %/%).
func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// inSample returns a copy of the term with each cell's weight in the
// estimation sample of r.
func (st *SunabTerm) inSample(d *Design, r *Result) *SunabTerm {
	out := *st
	out.Cells = slices.Clone(st.Cells)
	for j := range out.Cells {
		k := slices.Index(d.XNames, out.Cells[j].Name)
		if k < 0 {
			panic("econ: sunab cell missing from the design")
		}
		x := d.X[k]
		var sum float64
		for _, i := range r.Rows {
			if x[i] != 0 {
				sum += wt(d.Weights, i)
			}
		}
		out.Cells[j].Weight = sum
	}
	return &out
}

// Agg is an aggregation of sunab() cell coefficients ([Result.Aggregate]).
type Agg int

// Aggregations, as fixest's summary(…, agg = …).
const (
	AggAuto   Agg = iota // the term's default: AggPeriod, or AggATT for att = TRUE, AggNone for no_agg = TRUE
	AggPeriod            // one coefficient per relative period, "<period>::<k>"
	AggATT               // one "ATT" over the relative periods ≥ 0
	AggCohort            // one "cohort::<c>" per cohort over its relative periods ≥ 0
	AggNone              // the cells themselves
)

// ParseAgg reads an aggregation name: "auto" (or ""), "period", "att",
// "cohort" or "none".
func ParseAgg(s string) (Agg, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return AggAuto, nil
	case "period":
		return AggPeriod, nil
	case "att":
		return AggATT, nil
	case "cohort":
		return AggCohort, nil
	case "none":
		return AggNone, nil
	}
	return 0, fmt.Errorf("econ: unknown aggregation %q (want auto, period, att, cohort or none)", s)
}

func (a Agg) String() string {
	return [...]string{"auto", "period", "att", "cohort", "none"}[a]
}

// Aggregate returns a copy of r in which the sunab() cell coefficients are
// replaced by their aggregates, as fixest's aggregate(r, agg, full = TRUE)
// and summary(r, agg = …): each aggregate is the weighted mean
//
//	β̂_g = Σ_{j∈g} s_j β̂_j,   s_j = n_j / Σ_{l∈g} n_l,
//
// where n_j is the number of estimation-sample observations in cell j (the
// sum of their weights in a weighted model): the sample cohort shares of
// Sun & Abraham (2021, eq. 9), taken as known. The variance of the new
// coefficient vector is A V Aᵀ for the matrix A mapping old to new
// coefficients (the delta method, exact for a linear map), so SEs use the
// model's variance (by default clustered by the first fixed effect) and
// the new coefficients can be tested jointly with [Wald]. Other
// coefficients keep their values and SEs: those before the first cell come
// first, then the aggregates, then the rest. Cells dropped as collinear
// are left out of the shares.
//
// AggPeriod groups cells by relative period ("year::-3"), AggATT pools the
// cells at relative periods ≥ 0 into "ATT", AggCohort pools them by cohort
// ("cohort::2013"); the pre-period cells are dropped by AggATT and
// AggCohort, as fixest does.
func (r *Result) Aggregate(agg Agg) (*Result, error) {
	st := r.Sunab
	if st == nil {
		return nil, errors.New("econ: aggregate: the model has no sunab() term")
	}
	if st.Agg != AggAuto {
		return nil, fmt.Errorf("econ: aggregate: the model is already aggregated (%v)", st.Agg)
	}
	if agg == AggAuto {
		switch {
		case st.NoAgg:
			agg = AggNone
		case st.ATT:
			agg = AggATT
		default:
			agg = AggPeriod
		}
	}
	out := *r
	out.Coefs = slices.Clone(r.Coefs)
	if agg == AggNone {
		sa := *st
		sa.Agg = AggNone
		out.Sunab = &sa
		return &out, nil
	}
	index := make(map[string]int, len(r.Coefs))
	for k, c := range r.Coefs {
		index[c.Name] = k
	}
	type group struct {
		name    string
		members []int
		weights []float64
	}
	var groups []*group
	byName := map[string]*group{}
	removed := make([]bool, len(r.Coefs))
	for _, c := range st.Cells {
		k, ok := index[c.Name]
		if !ok {
			continue // collinear
		}
		removed[k] = true
		var name string
		switch agg {
		case AggPeriod:
			name = st.Period + "::" + strconv.Itoa(c.Rel)
		case AggATT:
			name = "ATT"
		case AggCohort:
			name = "cohort::" + c.Cohort
		default:
			return nil, fmt.Errorf("econ: aggregate: unknown aggregation %d", agg)
		}
		if agg != AggPeriod && c.Rel < 0 {
			continue
		}
		g := byName[name]
		if g == nil {
			g = &group{name: name}
			byName[name] = g
			groups = append(groups, g)
		}
		g.members = append(g.members, k)
		g.weights = append(g.weights, c.Weight)
	}
	if len(groups) == 0 {
		return nil, fmt.Errorf("econ: aggregate: no estimated sunab() cell to aggregate to %v", agg)
	}
	firstCell := slices.Index(removed, true)
	p := len(r.Coefs)
	var rows [][]float64
	var names []string
	unit := func(k int) {
		row := make([]float64, p)
		row[k] = 1
		rows = append(rows, row)
		names = append(names, r.Coefs[k].Name)
	}
	for k := 0; k < firstCell; k++ {
		unit(k)
	}
	for _, g := range groups {
		row := make([]float64, p)
		var tot float64
		for _, w := range g.weights {
			tot += w
		}
		for m, k := range g.members {
			row[k] = g.weights[m] / tot
		}
		rows = append(rows, row)
		names = append(names, g.name)
	}
	for k := firstCell; k < p; k++ {
		if !removed[k] {
			unit(k)
		}
	}
	beta := make([]float64, len(rows))
	for a, row := range rows {
		for k, v := range row {
			if v != 0 {
				beta[a] += v * r.Coefs[k].Estimate
			}
		}
	}
	V := mulABt(mulAB(rows, r.VCov), rows)
	symmetrize(V)
	out.VCov = V
	out.Coefs = inference(names, beta, V, r.DFT, r.level())
	sa := *st
	sa.Agg = agg
	out.Sunab = &sa
	return &out, nil
}

// level recovers the confidence level of r's intervals (0.95 if none can
// be read).
func (r *Result) level() float64 {
	for _, c := range r.Coefs {
		if c.SE > 0 && isFinite(c.CIHigh) && isFinite(c.SE) {
			q := (c.CIHigh - c.Estimate) / c.SE
			return 1 - 2*distuv.StudentsT{Mu: 0, Sigma: 1, Nu: r.DFT}.Survival(q)
		}
	}
	return 0.95
}
