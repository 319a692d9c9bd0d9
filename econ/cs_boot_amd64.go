//go:build amd64 && !purego

package econ

// csSparseDot8 is csSparseDot8Go in SSE2 (cs_boot_amd64.s): the eight
// sums in four registers of two lanes each, one MULPD and one ADDPD per
// pair of draws, so every lane rounds exactly as the scalar code does.
// The caller guarantees the bounds, which the assembly does not check.
//
//go:noescape
func csSparseDot8(z *[csBootBlock]float64, idx []int32, val []float64, x []float64)
