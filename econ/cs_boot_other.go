//go:build !amd64 || purego

package econ

func csSparseDot8(z *[csBootBlock]float64, idx []int32, val []float64, x []float64) {
	csSparseDot8Go(z, idx, val, x)
}
