package econ

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Subgroup is the model estimated on the rows of one level of a grouping
// column.
type Subgroup struct {
	Level string
	Fit   *Result // nil if the model failed on this subgroup
	Coef  Coef    // the treatment coefficient (zero value if Fit is nil)
	Err   error
}

// Heterogeneity holds treatment effects by subgroup and the test of their
// differences.
type Heterogeneity struct {
	By, Treat string
	// Groups are the separate regressions, one per level in [Frame] level
	// order: every coefficient and fixed effect differs by group.
	Groups []Subgroup
	// Pooled is the interacted model on all rows,
	//
	//	y = … + δ·D + Σ_{g ≠ base} θ_g·D·1{group = g} + … ,
	//
	// with common controls and fixed effects; δ is the effect in Base and
	// θ_g the difference between group g's effect and Base's.
	Pooled      *Result
	Formula     string // the pooled formula
	Base        string
	Differences []Coef
	// Test is the joint Wald test of θ_g = 0 for all g (equal effects in
	// every group), with the pooled model's variance; nil (with a note in
	// Pooled.Notes) if it cannot be computed.
	Test *WaldTest
}

// EstimateHeterogeneity estimates the effect of the regressor treat in
// formula by the levels of the categorical column by (region, tier,
// province, …): separately in each subgroup, and in one pooled model with
// treat × group interactions whose differences are tested jointly. The
// base level is the first level. A subgroup where the model fails (too few
// units, no treated unit) is reported with Err rather than failing the
// whole call; a failing pooled model is an error.
func EstimateHeterogeneity(data *Frame, formula, treat, by string, opts Options) (*Heterogeneity, error) {
	f, err := ParseFormula(formula)
	if err != nil {
		return nil, err
	}
	if !hasPlainTerm(f, treat) {
		return nil, fmt.Errorf("econ: heterogeneity: %q is not a regressor of %q", treat, formula)
	}
	codes, labels, ok := data.groups(by)
	if !ok {
		return nil, fmt.Errorf("econ: heterogeneity: no column %q", by)
	}
	if _, isNum := data.Float(treat); !isNum {
		return nil, fmt.Errorf("econ: heterogeneity: treatment %q must be numeric", treat)
	}
	if len(labels) < 2 {
		return nil, fmt.Errorf("econ: heterogeneity: %q has %d level; at least 2 are needed", by, len(labels))
	}
	h := &Heterogeneity{By: by, Treat: treat, Base: labels[0]}
	for g, lab := range labels {
		var rows []int
		for i, c := range codes {
			if int(c) == g {
				rows = append(rows, i)
			}
		}
		sg := Subgroup{Level: lab}
		sub, err := frameRows(data, rows)
		if err == nil {
			sg.Fit, err = Estimate(sub, formula, opts)
		}
		if err == nil {
			var ok bool
			if sg.Coef, ok = sg.Fit.Coef(treat); !ok {
				err = &CollinearError{Dropped: []string{treat}}
			}
		}
		if err != nil {
			sg.Fit, sg.Err = nil, err
		}
		h.Groups = append(h.Groups, sg)
	}

	// Pooled interaction model: insert the term before the fixed effects.
	term := fmt.Sprintf(" + i(%s, %s, ref = %s)", quoteName(by), quoteName(treat), quoteLevel(h.Base))
	if k := strings.Index(formula, "|"); k >= 0 {
		h.Formula = strings.TrimRight(formula[:k], " ") + term + " " + formula[k:]
	} else {
		h.Formula = formula + term
	}
	h.Pooled, err = Estimate(data, h.Formula, opts)
	if err != nil {
		return nil, fmt.Errorf("econ: heterogeneity: pooled model %q: %w", h.Formula, err)
	}
	var names []string
	for _, lab := range labels[1:] {
		name := by + "::" + lab + ":" + treat
		if c, ok := h.Pooled.Coef(name); ok {
			h.Differences = append(h.Differences, c)
			names = append(names, name)
		}
	}
	if len(names) > 0 {
		if h.Test, err = Wald(h.Pooled, names); err != nil {
			h.Pooled.Notes = append(h.Pooled.Notes, "no equal-effects test: "+err.Error())
		}
	}
	return h, nil
}

func hasPlainTerm(f *Formula, name string) bool {
	for _, t := range f.Terms {
		if len(t.Factors) == 1 && t.Factors[0].Kind == ExprVar && t.Factors[0].Name == name {
			return true
		}
	}
	return false
}

// quoteName writes a column name so the formula lexer reads it back as one
// identifier.
func quoteName(s string) string {
	for i, r := range s {
		if !(r == '_' || r == '.' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
			return "`" + s + "`"
		}
	}
	return s
}

// quoteLevel writes a level label as a formula level value.
func quoteLevel(s string) string {
	if _, err := strconv.ParseFloat(s, 64); err == nil && s != "" && (s[0] == '-' || s[0] == '.' || (s[0] >= '0' && s[0] <= '9')) {
		return s
	}
	if strings.Contains(s, `"`) {
		return "'" + s + "'"
	}
	return `"` + s + `"`
}
