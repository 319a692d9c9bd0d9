package composite

import (
	"fmt"
	"math"
)

// NormaliseByGroup applies n separately within each group of rows of x,
// writing into dst (which may be x). group[i] in [0, ngroups) is row i's
// group; a nil group means one pooled group. Pooled scope (one group)
// makes scores comparable over time; per-period scope (group = period
// index, see [PeriodGroups]) makes each period's scores relative to that
// period only.
//
// For DistanceToRef, n.RefByGroup must hold, per group, the global row index
// of the reference row, which must belong to the group.
//
// It panics on shape errors. A data condition in any group returns a
// [*GroupError] naming the group; dst is then unspecified.
func NormaliseByGroup(dst, x []float64, group []int32, ngroups int, n Normaliser) error {
	checkLen("dst", len(dst), len(x))
	if group == nil {
		if n.Method == DistanceToRef && n.RefByGroup != nil {
			checkLen("RefByGroup", len(n.RefByGroup), 1)
			n.Ref = n.RefByGroup[0]
		}
		_, err := n.Apply(dst, x)
		return err
	}
	checkLen("group", len(group), len(x))
	rows := GroupRows(group, ngroups)
	if n.Method == DistanceToRef {
		checkLen("RefByGroup", len(n.RefByGroup), ngroups)
	}
	var in, out []float64
	for g, r := range rows {
		if len(r) == 0 {
			continue
		}
		in, out = in[:0], out[:0]
		for _, i := range r {
			in = append(in, x[i])
		}
		out = append(out, in...)
		m := n
		if n.Method == DistanceToRef {
			m.Ref = -1
			for k, i := range r {
				if i == n.RefByGroup[g] {
					m.Ref = k
				}
			}
			if m.Ref < 0 {
				panic(fmt.Sprintf("composite: reference row %d is not in group %d", n.RefByGroup[g], g))
			}
		}
		if _, err := m.Apply(out, in); err != nil {
			return &GroupError{Group: g, Err: err}
		}
		for k, i := range r {
			dst[i] = out[k]
		}
	}
	return nil
}

// GroupError wraps an error that occurred in one group of rows.
type GroupError struct {
	Group int
	Err   error
}

func (e *GroupError) Error() string { return fmt.Sprintf("group %d: %v", e.Group, e.Err) }
func (e *GroupError) Unwrap() error { return e.Err }

// GroupRows returns, for each group in [0, ngroups), the rows i with
// group[i] == g in increasing order. It panics on a group index out of
// range.
func GroupRows(group []int32, ngroups int) [][]int {
	count := make([]int, ngroups)
	for _, g := range group {
		if g < 0 || int(g) >= ngroups {
			panic(fmt.Sprintf("composite: group %d out of range [0, %d)", g, ngroups))
		}
		count[g]++
	}
	all := make([]int, len(group))
	rows := make([][]int, ngroups)
	off := 0
	for g, c := range count {
		rows[g] = all[off : off : off+c]
		off += c
	}
	for i, g := range group {
		rows[g] = append(rows[g], i)
	}
	return rows
}

// PeriodGroups returns the group index of every row of a unit-major panel
// (row u·nperiods + t, as in panel.Panel) when each period is its own group:
// group[u·nperiods+t] = t.
func PeriodGroups(nunits, nperiods int) []int32 {
	g := make([]int32, nunits*nperiods)
	for i := range g {
		g[i] = int32(i % nperiods)
	}
	return g
}

// Gather copies rows of every column of x into dst (allocated if nil):
// dst[j][k] = x[j][rows[k]]. Use it to weight or aggregate one group.
func Gather(dst, x [][]float64, rows []int) [][]float64 {
	if dst == nil {
		dst = make([][]float64, len(x))
	}
	checkLen("dst columns", len(dst), len(x))
	for j, c := range x {
		if dst[j] == nil {
			dst[j] = make([]float64, len(rows))
		}
		checkLen("dst column", len(dst[j]), len(rows))
		for k, i := range rows {
			dst[j][k] = c[i]
		}
	}
	return dst
}

// completeRows returns the rows where every column of x is non-missing.
func completeRows(x [][]float64, n int) []int {
	rows := make([]int, 0, n)
outer:
	for i := 0; i < n; i++ {
		for _, c := range x {
			if math.IsNaN(c[i]) {
				continue outer
			}
		}
		rows = append(rows, i)
	}
	return rows
}
