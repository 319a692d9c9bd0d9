package evaluation

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cityimpact/cityimpact/composite"
	"github.com/cityimpact/cityimpact/framework"
	"github.com/cityimpact/cityimpact/ingest"
	"github.com/cityimpact/cityimpact/panel"
)

// Defaults of a spec, documented on the fields.
const (
	defaultLeads       = 5
	defaultLags        = 5
	defaultDraws       = 500
	defaultMCDraws     = 200
	defaultTop         = 20
	defaultTrend       = 5
	defaultConsecutive = 2
	defaultSystemic    = 0.5
	defaultMaxMissing  = 0.5
	defaultWinsor      = 0.01
)

// Defaults fills every optional field left zero with its documented
// default. ParseSpec calls it; a spec built in code should too.
func (s *Spec) Defaults() {
	if s.Schema == 0 {
		s.Schema = SpecSchema
	}
	if s.Data.Impute == "" {
		s.Data.Impute = panel.ImputeLinear
	}
	if s.Framework.Template == "" && s.Framework.File == "" {
		s.Framework.Template = "seed-2025"
	}
	if s.Policy.Name == "" {
		s.Policy.Name = "smart_city_pilot"
	}
	if len(s.Policy.Outcomes) == 0 {
		s.Policy.Outcomes = []string{"goal", "dimensions"}
	}
	ix := &s.Index
	ix.Normalise = strings.ToLower(cmpOr(ix.Normalise, "minmax"))
	ix.Weights = strings.ToLower(cmpOr(ix.Weights, "entropy"))
	ix.Aggregate = strings.ToLower(cmpOr(ix.Aggregate, "linear"))
	ix.Missing = strings.ToLower(cmpOr(ix.Missing, "reweight"))
	if ix.Winsorise == nil {
		w := defaultWinsor
		ix.Winsorise = &w
	}
	if ix.Uncertainty == 0 {
		ix.Uncertainty = defaultMCDraws
	}
	if ix.Seed == 0 {
		ix.Seed = 1
	}
	if ix.Coupling == nil {
		t := true
		ix.Coupling = &t
	}
	if ix.MaxMissing == 0 {
		ix.MaxMissing = defaultMaxMissing
	}
	c := &s.Causal
	if len(c.Methods) == 0 {
		c.Methods = []string{"twfe", "event_study", "placebo", "sunab", "callaway_santanna", "imputation", "bacon"}
	}
	c.Cluster = strings.ToLower(cmpOr(c.Cluster, "unit"))
	if c.Leads == 0 {
		c.Leads = defaultLeads
	}
	if c.Lags == 0 {
		c.Lags = defaultLags
	}
	if c.Draws == 0 {
		c.Draws = defaultDraws
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Level == 0 {
		c.Level = 0.95
	}
	s.Peers.By = strings.ToLower(cmpOr(s.Peers.By, "tier"))
	if s.Peers.Consecutive == 0 {
		s.Peers.Consecutive = defaultConsecutive
	}
	if s.Peers.SystemicShare == 0 {
		s.Peers.SystemicShare = defaultSystemic
	}
	s.Report.Language = strings.ToLower(cmpOr(s.Report.Language, "both"))
	s.Report.Print = strings.ToLower(cmpOr(s.Report.Print, "brief"))
	if s.Report.Top == 0 {
		s.Report.Top = defaultTop
	}
	if s.Report.TrendPeriods == 0 {
		s.Report.TrendPeriods = defaultTrend
	}
	if s.Title.Zh == "" && s.Title.En == "" {
		s.Title = Text{Zh: "智慧城市政策评估报告", En: "Smart-city policy evaluation report"}
	}
	if s.Title.Zh == "" {
		s.Title.Zh = s.Title.En
	}
	if s.Title.En == "" {
		s.Title.En = s.Title.Zh
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// File is the spec's file name as given; Dir the directory its relative
// paths are resolved against.
func (s *Spec) File() string { return s.file }

// Resolve returns path relative to the spec's directory (absolute paths
// unchanged).
func (s *Spec) Resolve(path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(s.dir, path)
}

var (
	normaliseNames = []string{"minmax", "zscore", "rank", "percentile", "ratio", "target"}
	clusterNames   = []string{"unit", "province", "none"}
	peerNames      = []string{"tier", "region", "province", "none"}
	languageNames  = []string{"zh", "en", "both"}
	printNames     = []string{"brief", "full"}
)

// validate checks the values of a decoded spec; positions come from the
// parser's key map.
func (s *Spec) validate(p *specParser) {
	if s.Schema == 0 {
		p.add("schema", fmt.Errorf("%w: the first key must be `schema: %d`", ErrMissing, SpecSchema))
	} else if s.Schema != SpecSchema {
		p.add("schema", fmt.Errorf("%w: schema %d is not known to this program (it reads schema %d)", ErrBadValue, s.Schema, SpecSchema))
	}

	d := &s.Data
	sources := 0
	for _, set := range []bool{d.Generate != nil, len(d.Files) > 0, d.Store != nil} {
		if set {
			sources++
		}
	}
	switch {
	case sources == 0:
		p.add("data", fmt.Errorf("%w: give one data source: generate, files or store", ErrMissing))
	case sources > 1:
		p.add("data", fmt.Errorf("%w: give only one of generate, files and store", ErrBadValue))
	}
	for i, f := range d.Files {
		s.checkFile(p, fmt.Sprintf("data.files[%d]", i), f)
	}
	if d.Treatments != "" {
		s.checkFile(p, "data.treatments", d.Treatments)
	} else if len(d.Files) > 0 {
		p.add("data.treatments", fmt.Errorf("%w: a treatment table (unit, policy, start) is needed to evaluate a policy", ErrMissing))
	}
	if d.Generate == nil && d.Store == nil && len(d.Files) == 0 && d.Treatments != "" {
		p.add("data.files", fmt.Errorf("%w: a treatment table without data files", ErrMissing))
	}
	if d.Store != nil {
		if d.Store.DB == "" {
			p.add("data.store.db", fmt.Errorf("%w: the store file", ErrMissing))
		} else {
			s.checkFile(p, "data.store.db", d.Store.DB)
		}
		if d.Store.Dataset == "" {
			p.add("data.store.dataset", fmt.Errorf("%w: the dataset name", ErrMissing))
		}
	}
	if g := d.Generate; g != nil {
		if g.Units < 0 || g.Units > 10000 {
			p.add("data.generate.units", fmt.Errorf("%w: %d units (want 0 for the default cities, or 1 to 10000)", ErrBadValue, g.Units))
		}
		if g.MissingShare < 0 || g.MissingShare >= 0.5 {
			p.add("data.generate.missing_share", fmt.Errorf("%w: %g (want 0 to 0.5)", ErrBadValue, g.MissingShare))
		}
		if g.StartYear != 0 && g.EndYear != 0 && g.EndYear-g.StartYear < 3 {
			p.add("data.generate.end_year", fmt.Errorf("%w: at least four years are needed for an evaluation", ErrBadValue))
		}
	}
	if d.Impute != "" && !slices.Contains(panel.ImputeMethods, d.Impute) {
		p.add("data.impute", badChoice(d.Impute, panel.ImputeMethods))
	}
	if _, ok := ingest.ParseEncoding(cmpOr(d.Encoding, "auto")); !ok {
		p.add("data.encoding", badChoice(d.Encoding, []string{"auto", "utf-8", "gbk", "gb18030"}))
	}
	if d.ImputePeer != "" && !slices.Contains([]string{"region", "tier", "province"}, d.ImputePeer) {
		p.add("data.impute_peer", badChoice(d.ImputePeer, []string{"region", "tier", "province"}))
	}
	if d.From != 0 && d.To != 0 && d.To < d.From {
		p.add("data.to", fmt.Errorf("%w: to %d is before from %d", ErrBadValue, d.To, d.From))
	}

	f := &s.Framework
	switch {
	case f.Template != "" && f.File != "":
		p.add("framework", fmt.Errorf("%w: give a template or a file, not both", ErrBadValue))
	case f.Template != "":
		if !slices.Contains(framework.Templates(), f.Template) {
			p.add("framework.template", badChoice(f.Template, framework.Templates()))
		}
	case f.File != "":
		s.checkFile(p, "framework.file", f.File)
	}

	for i, o := range s.Policy.Outcomes {
		if strings.TrimSpace(o) == "" {
			p.add(fmt.Sprintf("policy.outcomes[%d]", i), fmt.Errorf("%w: empty outcome", ErrBadValue))
		}
	}

	ix := &s.Index
	if ix.Normalise != "" && !slices.Contains(normaliseNames, strings.ToLower(ix.Normalise)) {
		p.add("index.normalise", badChoice(ix.Normalise, normaliseNames))
	}
	if _, err := composite.ParseWeightMethod(ix.Weights); err != nil {
		p.add("index.weights", fmt.Errorf("%w: %v", ErrBadValue, err))
	}
	if _, err := composite.ParseAggMethod(ix.Aggregate); err != nil {
		p.add("index.aggregate", fmt.Errorf("%w: %v", ErrBadValue, err))
	}
	if _, err := composite.ParseMissingRule(ix.Missing); err != nil {
		p.add("index.missing", fmt.Errorf("%w: %v", ErrBadValue, err))
	}
	if w := ix.Winsorise; w != nil && (*w < 0 || *w >= 0.25) {
		p.add("index.winsorise", fmt.Errorf("%w: %g (want a tail share from 0 to 0.25)", ErrBadValue, *w))
	}
	if ix.Uncertainty < -1 || ix.Uncertainty > 100000 {
		p.add("index.uncertainty", fmt.Errorf("%w: %d draws (want −1 for none, 0 for the default, or up to 100000)", ErrBadValue, ix.Uncertainty))
	}
	if ix.MaxMissing < 0 || ix.MaxMissing > 1 {
		p.add("index.max_missing", fmt.Errorf("%w: %g (want a share from 0 to 1)", ErrBadValue, ix.MaxMissing))
	}

	c := &s.Causal
	for i, m := range c.Methods {
		if _, ok := methods[m]; !ok {
			p.add(fmt.Sprintf("causal.methods[%d]", i), badChoice(m, MethodNames()))
		}
	}
	if slices.Contains(c.Methods, "mediation") && len(c.Mediators) == 0 {
		p.add("causal.mediators", fmt.Errorf("%w: the mediation method needs mediators: [indicator codes]", ErrMissing))
	}
	if c.Cluster != "" && !slices.Contains(clusterNames, strings.ToLower(c.Cluster)) {
		p.add("causal.cluster", badChoice(c.Cluster, clusterNames))
	}
	if c.Leads < 0 || c.Lags < 0 || c.Leads > 30 || c.Lags > 30 {
		p.add("causal.leads", fmt.Errorf("%w: leads %d and lags %d (want 1 to 30)", ErrBadValue, c.Leads, c.Lags))
	}
	if c.Draws < 0 || c.Draws > 100000 {
		p.add("causal.draws", fmt.Errorf("%w: %d (want 1 to 100000)", ErrBadValue, c.Draws))
	}
	if c.Level != 0 && (c.Level <= 0.5 || c.Level >= 1) {
		p.add("causal.level", fmt.Errorf("%w: %g (want a level such as 0.95)", ErrBadValue, c.Level))
	}

	if s.Peers.By != "" && !slices.Contains(peerNames, strings.ToLower(s.Peers.By)) {
		p.add("peers.by", badChoice(s.Peers.By, peerNames))
	}
	if s.Peers.Consecutive < 0 || s.Peers.Consecutive > 10 {
		p.add("peers.consecutive", fmt.Errorf("%w: %d (want 1 to 10 periods)", ErrBadValue, s.Peers.Consecutive))
	}
	if y := s.Peers.TargetsFrom; y != 0 && (y < 1900 || y > 2200) {
		p.add("peers.targets_from", fmt.Errorf("%w: %d (want a year, or 0 for the last trend_periods years)", ErrBadValue, y))
	}
	if v := s.Peers.SystemicShare; v < 0 || v > 1 || math.IsNaN(v) {
		p.add("peers.systemic_share", fmt.Errorf("%w: %g (want a share in (0, 1], or 0 for the default 0.5)", ErrBadValue, v))
	}
	if q := s.Peers.TargetQuantile; q < 0 || q >= 1 {
		p.add("peers.target_quantile", fmt.Errorf("%w: %g (want 0 for none, or a quantile below 1)", ErrBadValue, q))
	}
	if l := s.Report.Language; l != "" && !slices.Contains(languageNames, strings.ToLower(l)) {
		p.add("report.language", badChoice(l, languageNames))
	}
	if v := s.Report.Print; v != "" && !slices.Contains(printNames, strings.ToLower(v)) {
		p.add("report.print", badChoice(v, printNames))
	}
	if s.Report.Top < 0 {
		p.add("report.top", fmt.Errorf("%w: %d", ErrBadValue, s.Report.Top))
	}
	if s.Report.Map != "" {
		s.checkFile(p, "report.map", s.Report.Map)
	}
	s.lines = p.lines
}

func (s *Spec) checkFile(p *specParser, path, name string) {
	full := s.Resolve(name)
	st, err := os.Stat(full)
	switch {
	case err != nil:
		p.add(path, fmt.Errorf("%w: file %s does not exist (paths are relative to the spec's folder %s)", ErrBadValue, full, s.dir))
	case st.IsDir():
		p.add(path, fmt.Errorf("%w: %s is a folder, not a file", ErrBadValue, full))
	}
}

func badChoice(v string, known []string) error {
	return fmt.Errorf("%w: unknown value %q (want one of %s)", ErrBadValue, v, strings.Join(known, ", "))
}

// errorAt returns a SpecError for a problem found while running the spec
// (an outcome not in the data, a case city not found), placed at key path.
func (s *Spec) errorAt(path string, err error) *SpecError {
	e := &SpecError{File: s.file, Path: path, Err: err}
	if s.lines != nil {
		lc := s.lines[path]
		e.Line, e.Column = lc[0], lc[1]
	}
	return e
}
