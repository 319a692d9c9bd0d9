package evaluation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"time"

	"github.com/cityimpact/cityimpact/demo"
	"github.com/cityimpact/cityimpact/division"
	"github.com/cityimpact/cityimpact/framework"
	"github.com/cityimpact/cityimpact/ingest"
	"github.com/cityimpact/cityimpact/panel"
	"github.com/cityimpact/cityimpact/store"
)

// RunOptions configure Run.
type RunOptions struct {
	// Version is the program version recorded in the results.
	Version string
	// Now stamps Results.Generated (default time.Now).
	Now func() time.Time
	// Logf, if set, receives one line per stage.
	Logf func(format string, args ...any)
	// Workers bounds goroutines (0: GOMAXPROCS); results do not depend on it.
	Workers int
}

// run is the state of one evaluation while it runs.
type run struct {
	ctx  context.Context
	spec *Spec
	opt  RunOptions
	res  *Results
	fw   *framework.Framework
	p    *panel.Panel // annual, after restriction and imputation
	hash io.Writer
	// nodes in framework order, with their parents, and the code → index map.
	nodes  []*framework.Node
	nodeIx map[string]int
	idx    *indexState
}

// Run carries out the evaluation spec describes: it reads the data (files,
// the store or the generator), checks them against the framework, imputes
// and winsorises, computes the composite index with its uncertainty and
// coupling coordination, runs every causal method on every outcome,
// diagnoses every city against its peers and raises alerts. The results
// hold every number a report shows.
//
// Errors the user can fix (a file that does not parse, an outcome not in
// the framework, a policy absent from the treatment table, a case city not
// found) come back as *SpecError, ingest.DataErrors or store errors naming
// the place; a causal method that fails on one outcome is recorded in its
// MethodResult.Error and the rest goes on.
func Run(ctx context.Context, spec *Spec, opt RunOptions) (*Results, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logf == nil {
		opt.Logf = func(string, ...any) {}
	}
	h := sha256.New()
	r := &run{ctx: ctx, spec: spec, opt: opt, hash: h}
	r.res = &Results{Schema: ResultsSchema, Program: Program{Name: "cityimpact", Version: opt.Version},
		Spec: spec, Title: spec.Title, Timings: map[string]Num{}, Notes: []string{}, Comparisons: []Comparison{}}
	canon, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(h, "spec %d\n%s\n", len(canon), canon)

	stages := []struct {
		name string
		fn   func() error
	}{
		{"framework", r.loadFramework},
		{"data", r.loadData},
		{"index", r.index},
		{"causal", r.causal},
		{"diagnosis", r.diagnose},
	}
	for _, st := range stages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		began := time.Now()
		if err := st.fn(); err != nil {
			return nil, err
		}
		r.res.Timings[st.name] = Num(time.Since(began).Seconds())
		opt.Logf("%s done in %.2fs", st.name, time.Since(began).Seconds())
	}
	r.res.InputHash = hex.EncodeToString(h.Sum(nil))
	r.res.Generated = opt.Now().UTC().Format(time.RFC3339)
	return r.res, nil
}

// hashFile adds a file's name and bytes to the input hash.
func (r *run) hashFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(r.hash, "file %s\n", name)
	_, err = io.Copy(r.hash, f)
	return err
}

func (r *run) loadFramework() error {
	s := r.spec
	var fw *framework.Framework
	var err error
	if s.Framework.File != "" {
		name := s.Resolve(s.Framework.File)
		fw, err = framework.LoadFile(name)
		if err == nil {
			err = r.hashFile(name)
		}
	} else {
		fw, err = framework.Template(s.Framework.Template)
		src, _ := framework.TemplateSource(s.Framework.Template)
		fmt.Fprintf(r.hash, "template %s\n%s\n", s.Framework.Template, src)
	}
	if err != nil {
		return err
	}
	r.fw = fw
	r.nodeIx = map[string]int{}
	var walk func(n *framework.Node, parent, depth int)
	walk = func(n *framework.Node, parent, depth int) {
		k := len(r.nodes)
		r.nodes = append(r.nodes, n)
		r.nodeIx[n.Code] = k
		info := NodeInfo{Code: n.Code, Name: Text{Zh: n.NameZh, En: n.NameEn}, Parent: parent, Depth: depth,
			Indicator: n.IsIndicator(), Unit: n.Unit}
		if info.Name.En == "" {
			info.Name.En = n.Code
		}
		if info.Name.Zh == "" {
			info.Name.Zh = info.Name.En
		}
		if n.IsIndicator() {
			info.Direction = string(n.Direction)
			if n.Target != nil && len(n.Target.Groups) == 0 {
				info.Target = numPtr(n.Target.Value)
			}
			if n.Target != nil {
				info.TargetFrom = n.TargetFrom
			}
		}
		r.res.Framework.Nodes = append(r.res.Framework.Nodes, info)
		for _, c := range n.Children {
			walk(c, k, depth+1)
		}
	}
	walk(fw.Goal, -1, 0)
	r.res.Framework.Code = fw.Code
	r.res.Framework.Name = Text{Zh: fw.NameZh, En: fw.NameEn}
	return nil
}

// loadData reads the panel, checks it, restricts it to the spec's years
// and imputes.
func (r *run) loadData() error {
	s := r.spec
	var panels []*panel.Panel
	switch {
	case s.Data.Generate != nil:
		g := s.Data.Generate
		o := demo.DefaultOptions(g.Seed)
		o.NUnits = g.Units
		if g.StartYear != 0 {
			o.StartYear = g.StartYear
		}
		if g.EndYear != 0 {
			o.EndYear = g.EndYear
		}
		if g.MissingShare != 0 {
			o.MissingShare = g.MissingShare
		}
		o.Workers = r.opt.Workers
		ds, err := demo.Generate(o)
		if err != nil {
			return s.errorAt("data.generate", err)
		}
		b, _ := json.Marshal(ds.Options)
		fmt.Fprintf(r.hash, "generate %s\n", b)
		panels = []*panel.Panel{ds.Annual}
		r.res.Synthetic = true
	case s.Data.Store != nil:
		st, err := store.Open(s.Resolve(s.Data.Store.DB))
		if err != nil {
			return s.errorAt("data.store.db", err)
		}
		defer st.Close()
		panels, err = st.Load(r.ctx, s.Data.Store.Dataset, s.Data.Store.Version)
		if err != nil {
			return s.errorAt("data.store.dataset", err)
		}
		sum, err := st.Show(r.ctx, s.Data.Store.Dataset, s.Data.Store.Version)
		if err != nil {
			return s.errorAt("data.store.dataset", err)
		}
		for _, si := range sum.Sources {
			fmt.Fprintf(r.hash, "stored %s %s\n", si.Name, si.SHA256)
		}
	default:
		res, err := division.NewResolver(division.ResolverOptions{})
		if err != nil {
			return err
		}
		enc, _ := ingest.ParseEncoding(cmpOr(s.Data.Encoding, "auto"))
		o := ingest.Options{Units: res, Indicators: map[string]ingest.IndicatorSpec{}, Encoding: enc}
		for _, n := range r.fw.Leaves() {
			o.Indicators[n.Code] = ingest.IndicatorSpec{}
		}
		var files []string
		for _, f := range s.Data.Files {
			files = append(files, s.Resolve(f))
		}
		batch, err := ingest.ReadFiles(files, s.Resolve(s.Data.Treatments), o)
		if err != nil {
			return err
		}
		for _, f := range append(files, s.Resolve(s.Data.Treatments)) {
			if err := r.hashFile(f); err != nil {
				return err
			}
		}
		panels = batch.Panels
	}
	if len(panels) == 0 {
		return s.errorAt("data", errors.New("no data"))
	}

	check := CheckData(r.fw, panels, CheckOptions{})
	r.res.Data.Check = check

	p, err := r.annual(panels)
	if err != nil {
		return err
	}
	p, err = restrictYears(p, s.Data.From, s.Data.To)
	if err != nil {
		return s.errorAt("data.from", err)
	}
	if p.NPeriods() < 4 {
		return s.errorAt("data", fmt.Errorf("%w: %d years of data; an evaluation needs at least four", ErrBadValue, p.NPeriods()))
	}

	// The policy must be in the treatment table and name known units.
	if !containsString(p.Policies(), s.Policy.Name) {
		known := p.Policies()
		if len(known) == 0 {
			return s.errorAt("policy.name", fmt.Errorf("%w: the data have no treatment table, so policy %q cannot be evaluated", ErrBadValue, s.Policy.Name))
		}
		return s.errorAt("policy.name", fmt.Errorf("%w: policy %q is not in the treatment table (it has %v)", ErrBadValue, s.Policy.Name, known))
	}

	// Missing cells before imputation, per indicator.
	missing := map[string]int{}
	for _, m := range p.MissingByIndicator() {
		missing[m.Key] = m.Missing
	}
	filled := map[string]int{}
	if s.Data.Impute != panel.ImputeNone {
		filled, err = p.Impute(panel.ImputeOptions{Method: s.Data.Impute, Peer: s.Data.ImputePeer})
		if err != nil {
			return s.errorAt("data.impute", err)
		}
	}
	r.p = p
	for _, n := range r.fw.Leaves() {
		q := IndicatorQuality{Code: n.Code, Cells: p.Rows(), Missing: missing[n.Code], Imputed: filled[n.Code],
			MissingShare: NaN(), Imputation: p.Imputation[n.Code]}
		if !p.Has(n.Code) {
			q.Missing = p.Rows()
		}
		if q.Cells > 0 {
			q.MissingShare = Num(float64(q.Missing) / float64(q.Cells))
		}
		r.res.Data.Indicators = append(r.res.Data.Indicators, q)
	}

	// Units, periods and the policy.
	for t := range p.NPeriods() {
		r.res.Periods = append(r.res.Periods, p.Period(t).String())
	}
	cohort := p.Cohort(s.Policy.Name)
	cases, err := r.caseUnits(p)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for u, un := range p.Units {
		ui := UnitInfo{Code: un.Code, Name: Text{Zh: un.NameZh, En: un.NameEn}, Province: un.Province,
			Region: un.Region, Tier: un.Tier, Case: cases[u]}
		if ui.Name.En == "" {
			ui.Name.En = un.Code
		}
		if ui.Name.Zh == "" {
			ui.Name.Zh = ui.Name.En
		}
		if cohort[u] != math.MinInt {
			ui.Cohort = p.Start.Add(cohort[u]).String()
			counts[ui.Cohort]++
			r.res.Policy.Treated++
		} else {
			r.res.Policy.Never++
		}
		r.res.Units = append(r.res.Units, ui)
	}
	r.res.Policy.Name = s.Policy.Name
	for c, n := range counts {
		r.res.Policy.Cohorts = append(r.res.Policy.Cohorts, CohortCount{Period: c, Units: n})
	}
	sort.Slice(r.res.Policy.Cohorts, func(i, j int) bool { return r.res.Policy.Cohorts[i].Period < r.res.Policy.Cohorts[j].Period })
	if r.res.Policy.Treated == 0 {
		return s.errorAt("policy.name", fmt.Errorf("%w: no unit of the data is ever treated by %q", ErrBadValue, s.Policy.Name))
	}
	return nil
}

// annual returns the yearly panel: the annual one as given, with yearly
// roll-ups of finer panels' indicators that it lacks.
func (r *run) annual(panels []*panel.Panel) (*panel.Panel, error) {
	agg := map[string]panel.Aggregation{}
	for c, a := range r.fw.Aggregations() {
		agg[c] = panel.Aggregation(a)
	}
	var base *panel.Panel
	for _, p := range panels {
		if p.Freq == panel.Year {
			base = p
		}
	}
	for _, p := range panels {
		if p.Freq == panel.Year {
			continue
		}
		up, err := p.Rollup(panel.Year, panel.RollupOptions{Agg: agg, Default: panel.Last})
		if err != nil {
			return nil, fmt.Errorf("roll up %s data to years: %w", p.Freq, err)
		}
		if base == nil {
			base = up
			continue
		}
		for _, name := range up.Indicators() {
			if base.Has(name) {
				continue
			}
			col := base.Add(name)
			for u, un := range base.Units {
				ui, ok := up.UnitIndex(un.Code)
				if !ok {
					continue
				}
				for t := range base.NPeriods() {
					if tt, ok := up.PeriodIndex(base.Period(t)); ok {
						col[u*base.NPeriods()+t] = up.At(name, ui, tt)
					}
				}
			}
		}
	}
	if base == nil {
		return nil, errors.New("no data")
	}
	return base.Clone(), nil
}

// restrictYears keeps the periods from..to (0: open).
func restrictYears(p *panel.Panel, from, to int) (*panel.Panel, error) {
	if from == 0 && to == 0 {
		return p, nil
	}
	t0, t1 := 0, p.NPeriods()-1
	for t := range p.NPeriods() {
		y := p.Period(t).Year()
		if from != 0 && y < from {
			t0 = t + 1
		}
		if to != 0 && y > to && t1 >= t {
			t1 = t - 1
		}
	}
	if t0 > t1 {
		return nil, fmt.Errorf("%w: no data between %d and %d (the data cover %s to %s)", ErrBadValue, from, to, p.Start, p.End())
	}
	q := panel.New(p.Units, p.Start.Add(t0), t1-t0+1)
	q.Treatments = p.Treatments
	q.Imputation = p.Imputation
	T := p.NPeriods()
	for _, name := range p.Indicators() {
		src, dst := p.Col(name), q.Add(name)
		for u := range p.NUnits() {
			copy(dst[u*q.T:(u+1)*q.T], src[u*T+t0:u*T+t1+1])
		}
	}
	return q, nil
}

// caseUnits resolves the spec's case cities (codes or names) to units.
func (r *run) caseUnits(p *panel.Panel) ([]bool, error) {
	out := make([]bool, p.NUnits())
	if len(r.spec.Report.Cases) == 0 {
		return out, nil
	}
	res, err := division.NewResolver(division.ResolverOptions{})
	if err != nil {
		return nil, err
	}
	for i, c := range r.spec.Report.Cases {
		path := fmt.Sprintf("report.cases[%d]", i)
		if u, ok := p.UnitIndex(c); ok {
			out[u] = true
			continue
		}
		d, err := res.Resolve(c)
		if err != nil {
			return nil, r.spec.errorAt(path, fmt.Errorf("%w: case city %q: %v", ErrBadValue, c, err))
		}
		code := d.Code
		u, ok := p.UnitIndex(code)
		if !ok {
			return nil, r.spec.errorAt(path, fmt.Errorf("%w: case city %q (%s) is not in the data", ErrBadValue, c, code))
		}
		out[u] = true
	}
	return out, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
