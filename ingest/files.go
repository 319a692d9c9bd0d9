package ingest

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cityimpact/cityimpact/panel"
)

// Batch is what [ReadFiles] returns: one panel per frequency merged from
// all files, with the policy adoptions attached.
type Batch struct {
	Panels    []*panel.Panel   // ordered year, quarter, month
	Files     []FileInfo       // data files, then the treatment file
	Adoptions []panel.Adoption // as read from the treatment file
}

// FileInfo describes one file read by [ReadFiles].
type FileInfo struct {
	Path   string
	Format string // "csv", "xlsx" or "parquet", and "treatments"
}

// ReadFiles reads data files (CSV, XLSX by extension .xlsx/.xlsm, Parquet
// by .parquet) with the options o, merges them into one panel per frequency
// and, when treatments is not empty, reads that treatment table and attaches
// each adoption to the panels holding its unit.
//
// Merging: units and periods are the union over files; a unit's blank
// attributes are filled from other files, two different non-empty values are
// an error; each indicator of a frequency must come from one file. Errors of
// all files are collected (capped) before returning, and nothing is returned
// on any error. An adoption whose unit has no data is an error.
func ReadFiles(paths []string, treatments string, o Options) (*Batch, error) {
	if len(paths) == 0 {
		return nil, errors.New("ingest: no data files given")
	}
	limit := o.maxErrors()
	var errs []*DataError
	more := 0
	var all [][]*panel.Panel
	b := &Batch{}
	// Attributes may come from any file (a wide annual file with names and
	// tiers, a long monthly file without): required ones are checked after
	// merging.
	require := o.RequireAttrs
	o.RequireAttrs = nil
	for _, path := range paths {
		fo := o
		fo.Name = path
		var ps []*panel.Panel
		var err error
		format := "csv"
		switch strings.ToLower(filepath.Ext(path)) {
		case ".xlsx", ".xlsm":
			format = "xlsx"
			ps, err = ReadXLSXFile(path, fo)
		case ".parquet":
			format = "parquet"
			ps, err = ReadParquetFile(path, fo)
		default:
			ps, err = ReadCSVFile(path, fo)
		}
		if err != nil {
			var de *DataErrors
			if errors.As(err, &de) {
				errs = append(errs, de.Errs...)
				more += de.More
				continue
			}
			return nil, err
		}
		all = append(all, ps)
		b.Files = append(b.Files, FileInfo{Path: path, Format: format})
	}
	if len(errs) > 0 {
		return nil, finishErrors(errs, more, limit)
	}
	panels, err := mergePanels(b.Files, all)
	if err != nil {
		return nil, err
	}
	b.Panels = panels
	if err := requireAttrs(panels, b.Files, require, limit); err != nil {
		return nil, err
	}
	if treatments != "" {
		to := o
		to.Name = treatments
		adopt, err := ReadTreatmentsFile(treatments, to)
		if err != nil {
			return nil, err
		}
		if err := attach(treatments, panels, adopt, limit); err != nil {
			return nil, err
		}
		b.Adoptions = adopt
		b.Files = append(b.Files, FileInfo{Path: treatments, Format: "treatments"})
	}
	return b, nil
}

// mergePanels combines the panels read from several files into one panel
// per frequency.
func mergePanels(files []FileInfo, all [][]*panel.Panel) ([]*panel.Panel, error) {
	type part struct {
		file string
		p    *panel.Panel
	}
	attrs := map[string]panel.Unit{}
	for i, ps := range all {
		for _, p := range ps {
			for _, u := range p.Units {
				m, err := mergeUnit(attrs[u.Code], u)
				if err != nil {
					return nil, &DataError{File: files[i].Path, Err: fmt.Errorf("%w: unit %q: %v", ErrAttrConflict, u.Code, err)}
				}
				attrs[u.Code] = m
			}
		}
	}
	byFreq := map[panel.Freq][]part{}
	var freqs []panel.Freq
	for i, ps := range all {
		for _, p := range ps {
			for k, u := range p.Units {
				p.Units[k] = attrs[u.Code] // same code: the panel's index stays valid
			}
			if p.T == 0 || len(p.Indicators()) == 0 {
				continue
			}
			if _, ok := byFreq[p.Freq]; !ok {
				freqs = append(freqs, p.Freq)
			}
			byFreq[p.Freq] = append(byFreq[p.Freq], part{files[i].Path, p})
		}
	}
	slices.Sort(freqs)
	var out []*panel.Panel
	for _, f := range freqs {
		parts := byFreq[f]
		if len(parts) == 1 {
			out = append(out, parts[0].p)
			continue
		}
		var units []panel.Unit
		seen := map[string]bool{}
		from := map[string]string{} // indicator → file
		lo, hi := parts[0].p.Start.Ord, parts[0].p.End().Ord
		for _, pt := range parts {
			for _, u := range pt.p.Units {
				if !seen[u.Code] {
					seen[u.Code] = true
					units = append(units, u)
				}
			}
			for _, ind := range pt.p.Indicators() {
				if other, dup := from[ind]; dup {
					return nil, &DataError{File: pt.file, Column: ind,
						Err: fmt.Errorf("%w: indicator %q (%s) is also in %s; put each indicator in one file", ErrDuplicate, ind, f, other)}
				}
				from[ind] = pt.file
			}
			lo, hi = min(lo, pt.p.Start.Ord), max(hi, pt.p.End().Ord)
		}
		m := panel.New(units, panel.Period{Freq: f, Ord: lo}, int(hi-lo)+1)
		for _, pt := range parts {
			off := int(pt.p.Start.Ord - lo)
			for _, ind := range pt.p.Indicators() {
				dst := m.Add(ind)
				src := pt.p.Col(ind)
				for u, unit := range pt.p.Units {
					mu, _ := m.UnitIndex(unit.Code)
					copy(dst[mu*m.T+off:mu*m.T+off+pt.p.T], src[u*pt.p.T:(u+1)*pt.p.T])
				}
				if imp := pt.p.Imputation[ind]; imp != "" {
					if m.Imputation == nil {
						m.Imputation = map[string]string{}
					}
					m.Imputation[ind] = imp
				}
			}
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, &DataError{File: files[0].Path, Err: fmt.Errorf("%w: the files hold no values", ErrNoData)}
	}
	return out, nil
}

// requireAttrs reports units of the merged panels lacking a required
// attribute in every file.
func requireAttrs(panels []*panel.Panel, files []FileInfo, attrs []string, limit int) error {
	var errs []*DataError
	more := 0
	seen := map[string]bool{}
	for _, p := range panels {
		for _, u := range p.Units {
			if seen[u.Code] {
				continue
			}
			seen[u.Code] = true
			for _, a := range attrs {
				slot := slices.Index(attrKeys, a)
				if slot < 0 {
					return fmt.Errorf("ingest: unknown unit attribute %q in RequireAttrs (want one of %v)", a, attrKeys)
				}
				if *unitField(&u, slot) != "" {
					continue
				}
				if len(errs) >= limit {
					more++
					continue
				}
				errs = append(errs, &DataError{File: joinPaths(files), Column: a,
					Err: fmt.Errorf("%w: unit %q has no %s in any file", ErrMissingAttribute, u.Code, a)})
			}
		}
	}
	return finishErrors(errs, more, limit)
}

func joinPaths(files []FileInfo) string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Path
	}
	return strings.Join(names, ", ")
}

// mergeUnit fills the blank attributes of a from b; a conflict is an error.
func mergeUnit(a, b panel.Unit) (panel.Unit, error) {
	if a.Code == "" {
		return b, nil
	}
	for _, f := range []struct {
		name string
		x, y *string
	}{{"name_zh", &a.NameZh, &b.NameZh}, {"name_en", &a.NameEn, &b.NameEn}, {"province", &a.Province, &b.Province},
		{"region", &a.Region, &b.Region}, {"tier", &a.Tier, &b.Tier}} {
		switch {
		case *f.x == "":
			*f.x = *f.y
		case *f.y != "" && *f.y != *f.x:
			return a, fmt.Errorf("%s is %q here but %q in an earlier file", f.name, *f.y, *f.x)
		}
	}
	return a, nil
}

// attach gives every panel the adoptions of its units; an adoption of a
// unit in no panel is an error.
func attach(file string, panels []*panel.Panel, adopt []panel.Adoption, limit int) error {
	var errs []*DataError
	for i, a := range adopt {
		found := false
		for _, p := range panels {
			if _, ok := p.UnitIndex(a.Unit); ok {
				p.Treatments = append(p.Treatments, a)
				found = true
			}
		}
		if !found {
			// Adoptions keep no line numbers; the data row is unambiguous.
			errs = append(errs, &DataError{File: file, Column: "unit",
				Err: fmt.Errorf("%w: data row %d: policy %q: unit %q has no data in the data files", ErrUnknownUnit, i+1, a.Policy, a.Unit)})
		}
	}
	return finishErrors(errs, 0, limit)
}
