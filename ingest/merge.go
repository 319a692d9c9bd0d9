package ingest

import (
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/cityimpact/cityimpact/panel"
)

func sortErrs(e []*DataError) {
	slices.SortStableFunc(e, func(a, b *DataError) int {
		if a.File != b.File {
			if a.File < b.File {
				return -1
			}
			return 1
		}
		return a.Line - b.Line
	})
}

func unitField(u *panel.Unit, slot int) *string {
	switch attrKeys[slot] {
	case "name_zh":
		return &u.NameZh
	case "name_en":
		return &u.NameEn
	case "province":
		return &u.Province
	case "region":
		return &u.Region
	}
	return &u.Tier
}

// attrColumn returns the header of the column holding attribute slot, or
// the attribute's name when the table has none.
func (s *schema) attrColumn(slot int) string {
	for col, a := range s.attr {
		if a == slot {
			return s.header[col]
		}
	}
	return attrKeys[slot]
}

// build merges the chunks of one table (in file order) into one panel per
// frequency, or returns every problem found as *DataErrors.
func build(file string, s *schema, o *Options, chunks []*chunk, errs []*DataError) ([]*panel.Panel, error) {
	more := 0
	for _, c := range chunks {
		errs = append(errs, c.errs...)
		more += c.extra
	}
	maxE := o.maxErrors()
	for _, a := range o.RequireAttrs {
		if attrSlot(a) < 0 {
			return nil, fmt.Errorf("ingest: unknown unit attribute %q in RequireAttrs (want one of %v)", a, attrKeys)
		}
	}
	errAt := func(line int32, col string, err error) {
		errs = append(errs, &DataError{File: file, Line: int(line), Column: col, Err: err})
	}
	colName := func(i int) string {
		if i < 0 {
			return ""
		}
		return s.header[i]
	}
	if len(chunks) > 0 {
		sheet := chunks[0].sheet
		errAt = func(line int32, col string, err error) {
			e := &DataError{File: file, Line: int(line), Column: col, Err: err}
			if sheet != "" && col != "" {
				if i := slices.Index(s.header, col); i >= 0 {
					e.Cell = cellRef(sheet, i, int(line))
				}
			}
			errs = append(errs, e)
		}
	}

	// Global keys, in order of first appearance.
	gUnit := map[string]int32{}
	var units []unitInfo
	gInd := map[string]int32{}
	var inds []indInfo
	mixLine := []int32{}
	umaps := make([][]int32, len(chunks))
	imaps := make([][]int32, len(chunks))
	for ci, c := range chunks {
		um := make([]int32, len(c.units))
		for li, lu := range c.units {
			g, ok := gUnit[lu.key]
			if !ok {
				g = int32(len(units))
				gUnit[lu.key] = g
				nu := lu
				if lu.attrs != nil {
					nu.attrs = slices.Clone(lu.attrs)
				}
				units = append(units, nu)
			} else if lu.attrs != nil {
				gu := &units[g]
				for slot, v := range lu.attrs {
					switch old := gu.attrs[slot]; {
					case v == "":
					case old == "":
						gu.attrs[slot] = v
					case old != v:
						errAt(lu.line, s.attrColumn(slot), fmt.Errorf("%w: unit %q has %s %q here and %q on line %d",
							ErrAttrConflict, lu.key, attrKeys[slot], v, old, gu.line))
					}
				}
			}
			um[li] = g
		}
		umaps[ci] = um
		im := make([]int32, len(c.inds))
		for li, li2 := range c.inds {
			g, ok := gInd[li2.name]
			if !ok {
				g = int32(len(inds))
				gInd[li2.name] = g
				nw := li2
				nw.mixLine = 0
				inds = append(inds, nw)
				mixLine = append(mixLine, 0)
			}
			gi := &inds[g]
			if gi.freq == panel.FreqUnknown && li2.freq != panel.FreqUnknown {
				gi.freq, gi.line = li2.freq, li2.line
			}
			// the first line in this chunk with a frequency other than the global one
			var cand int32
			var candF panel.Freq
			switch {
			case li2.freq != panel.FreqUnknown && li2.freq != gi.freq:
				cand, candF = li2.line, li2.freq
			case li2.mixLine != 0:
				cand, candF = li2.mixLine, li2.mixFreq
			}
			if cand != 0 && (mixLine[g] == 0 || cand < mixLine[g]) {
				mixLine[g] = cand
				gi.mixFreq = candF
			}
			im[li] = g
		}
		imaps[ci] = im
	}

	// Indicator checks: frequency consistency, framework membership.
	skipInd := make([]bool, len(inds))
	wideMix := map[int32]bool{}
	for g, in := range inds {
		if mixLine[g] != 0 {
			skipInd[g] = true
			if s.layout == Wide {
				if wideMix[mixLine[g]] {
					continue
				}
				wideMix[mixLine[g]] = true
				errAt(mixLine[g], colName(s.period), fmt.Errorf("%w: a %s period here, %s periods from line %d",
					ErrMixedFrequency, in.mixFreq, in.freq, in.line))
				continue
			}
			errAt(mixLine[g], colName(s.period), fmt.Errorf("%w: indicator %q has a %s period here but %s periods from line %d",
				ErrMixedFrequency, in.name, in.mixFreq, in.freq, in.line))
		}
		if o.Indicators == nil {
			continue
		}
		spec, ok := o.Indicators[in.name]
		if !ok {
			skipInd[g] = true
			if s.layout == Long { // wide: reported at the header
				errAt(in.line, colName(s.indicator), fmt.Errorf("%w: %q", ErrUnknownIndicator, in.name))
			}
			continue
		}
		if spec.Freq != panel.FreqUnknown && in.freq != panel.FreqUnknown && spec.Freq != in.freq {
			skipInd[g] = true
			col := colName(s.period)
			errAt(in.line, col, fmt.Errorf("%w: indicator %q is declared %s but has %s periods",
				ErrWrongFrequency, in.name, spec.Freq, in.freq))
		}
	}

	// Units: resolve, merge attributes, check required attributes.
	final := []panel.Unit{}
	finalLine := []int32{}
	codeIdx := map[string]int32{}
	unitOf := make([]int32, len(units)) // global key → final unit, -1 if unknown
	for g, ui := range units {
		u := panel.Unit{Code: ui.key}
		if o.Units != nil {
			r, err := o.Units.Resolve(ui.key)
			if err != nil {
				errAt(ui.line, colName(s.unit), fmt.Errorf("%w: %q: %v", ErrUnknownUnit, ui.key, err))
				unitOf[g] = -1
				continue
			}
			u = r
		}
		for slot, v := range ui.attrs {
			if v == "" {
				continue
			}
			p := unitField(&u, slot)
			switch {
			case *p == "":
				*p = v
			case *p != v:
				errAt(ui.line, s.attrColumn(slot), fmt.Errorf("%w: unit %q has %s %q in the file but %q from the unit registry",
					ErrAttrConflict, ui.key, attrKeys[slot], v, *p))
			}
		}
		if j, ok := codeIdx[u.Code]; ok {
			fu := &final[j]
			for slot := range attrKeys {
				if p := unitField(fu, slot); *p == "" {
					*p = *unitField(&u, slot)
				}
			}
			unitOf[g] = j
			continue
		}
		codeIdx[u.Code] = int32(len(final))
		unitOf[g] = int32(len(final))
		final = append(final, u)
		finalLine = append(finalLine, ui.line)
	}
	for j := range final {
		for _, a := range o.RequireAttrs {
			slot := attrSlot(a)
			if *unitField(&final[j], slot) == "" {
				errAt(finalLine[j], s.attrColumn(slot), fmt.Errorf("%w: unit %q has no %s", ErrMissingAttribute, final[j].Code, a))
			}
		}
	}

	// Period range and unit set per frequency.
	type fpanel struct {
		lo, hi int32
		seen   []bool // final unit has data
		row    []int32
		p      *panel.Panel
		cols   [][]float64 // by global indicator
	}
	var fp [4]*fpanel
	for ci, c := range chunks {
		um, im := umaps[ci], imaps[ci]
		for r := range c.val {
			g := im[c.ind[r]]
			fu := unitOf[um[c.u[r]]]
			if skipInd[g] || fu < 0 {
				continue
			}
			f := inds[g].freq
			x := fp[f]
			ord := c.ord[r]
			if x == nil {
				x = &fpanel{lo: ord, hi: ord, seen: make([]bool, len(final))}
				fp[f] = x
			}
			x.lo, x.hi = min(x.lo, ord), max(x.hi, ord)
			x.seen[fu] = true
		}
	}
	var panels []*panel.Panel
	bits := make([][]uint64, len(inds))
	for f, x := range fp {
		if x == nil {
			continue
		}
		nu, nind := 0, 0
		for _, ok := range x.seen {
			if ok {
				nu++
			}
		}
		for g, in := range inds {
			if !skipInd[g] && in.freq == panel.Freq(f) {
				nind++
			}
		}
		T := int(x.hi-x.lo) + 1
		if cells := nu * T * nind; cells > o.maxCells() {
			errs = append(errs, &DataError{File: file, Err: fmt.Errorf("%w: %d units × %d %s periods (%s to %s) × %d indicators = %d cells, over the limit of %d; check the periods",
				ErrTooLarge, nu, T, panel.Freq(f), panel.Period{Freq: panel.Freq(f), Ord: x.lo}, panel.Period{Freq: panel.Freq(f), Ord: x.hi}, nind, cells, o.maxCells())})
			return nil, finishErrors(errs, more, maxE)
		}
		var us []panel.Unit
		x.row = make([]int32, len(final))
		for j, ok := range x.seen {
			x.row[j] = -1
			if ok {
				x.row[j] = int32(len(us))
				us = append(us, final[j])
			}
		}
		x.p = panel.New(us, panel.Period{Freq: panel.Freq(f), Ord: x.lo}, int(x.hi-x.lo)+1)
		x.cols = make([][]float64, len(inds))
		for g, in := range inds {
			if !skipInd[g] && in.freq == panel.Freq(f) {
				x.cols[g] = x.p.Add(in.name)
				bits[g] = make([]uint64, (x.p.Rows()+63)/64)
			}
		}
		panels = append(panels, x.p)
	}

	// Place values; a cell filled twice is a duplicate. Chunks are placed
	// in parallel: the atomic OR on the cell's bit lets exactly one record
	// fill it; which one does not matter, as duplicates return no panel.
	type dupKey struct{ g, cell int32 }
	var (
		dupMu  sync.Mutex
		dupSet = map[dupKey]bool{}
		wg     sync.WaitGroup
		next   atomic.Int64
	)
	for range min(o.workers(), len(chunks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ci := int(next.Add(1) - 1)
				if ci >= len(chunks) {
					return
				}
				c := chunks[ci]
				um, im := umaps[ci], imaps[ci]
				for r, v := range c.val {
					g := im[c.ind[r]]
					fu := unitOf[um[c.u[r]]]
					if skipInd[g] || fu < 0 {
						continue
					}
					x := fp[inds[g].freq]
					cell := x.row[fu]*int32(x.p.T) + c.ord[r] - x.lo
					bit := uint64(1) << (cell & 63)
					if atomic.OrUint64(&bits[g][cell>>6], bit)&bit != 0 {
						dupMu.Lock()
						dupSet[dupKey{g, cell}] = true
						dupMu.Unlock()
						continue
					}
					x.cols[g][cell] = v
				}
			}
		}()
	}
	wg.Wait()
	if len(dupSet) > 0 {
		// In file order: the first record of a repeated cell is the
		// original, every later one a duplicate of it.
		first := make(map[dupKey]int32, len(dupSet))
		seenPair := map[[2]int32]bool{}
		for ci, c := range chunks {
			um, im := umaps[ci], imaps[ci]
			for r := range c.val {
				g := im[c.ind[r]]
				fu := unitOf[um[c.u[r]]]
				if skipInd[g] || fu < 0 {
					continue
				}
				x := fp[inds[g].freq]
				k := dupKey{g, x.row[fu]*int32(x.p.T) + c.ord[r] - x.lo}
				if !dupSet[k] {
					continue
				}
				fl, ok := first[k]
				if !ok {
					first[k] = c.line(r)
					continue
				}
				line := c.line(r)
				if s.layout == Wide { // one error per repeated row, not per indicator
					if seenPair[[2]int32{line, fl}] {
						continue
					}
					seenPair[[2]int32{line, fl}] = true
				}
				if len(errs) > 4*maxE { // enough to fill the cap after sorting
					more++
					continue
				}
				per := panel.Period{Freq: x.p.Freq, Ord: c.ord[r]}
				errAt(line, "", &DuplicateError{Unit: units[um[c.u[r]]].key, Period: per.String(), Indicator: inds[g].name, FirstLine: int(fl)})
			}
		}
	}
	if len(panels) == 0 && len(errs) == 0 {
		errs = append(errs, &DataError{File: file, Err: fmt.Errorf("%w: the table has a header but no records", ErrNoData)})
	}
	if err := finishErrors(errs, more, maxE); err != nil {
		return nil, err
	}
	sort.SliceStable(panels, func(i, j int) bool { return panels[i].Freq < panels[j].Freq })
	return panels, nil
}
