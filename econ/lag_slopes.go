package econ

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Slope is a varying-slope term of a [Design]: a coefficient on X for each
// level of a grouping, absorbed like a fixed effect (fixest's fe[x] and
// fe[[x]] in the fixed-effect part of a formula).
type Slope struct {
	// FE is the index in Design.FE of the fixed effect whose levels carry
	// the slope (fe[x]: intercept and slope per level), or −1 for slopes
	// without their own intercepts (fe[[x]]).
	FE int
	// Codes are the group codes (−1 = missing): Design.FE[FE] when FE ≥ 0.
	Codes []int32
	X     []float64 // NaN = missing
	Name  string    // e.g. "unit[[t]]"
}

// slopeBlock is one group structure of the projection: per level g the
// columns z = (1 if intercept, x_1, …, x_p), with the pseudo-inverse of
// the weighted Gram matrix Σ_{i∈g} w_i z_i z_i' stored row-major.
type slopeBlock struct {
	codes     []int32
	ng        int
	intercept bool
	xs        [][]float64
	ginv      []float64 // ng × p × p
	p         int
}

// demeanWithSlopes projects cols (compacted sample columns) on the fixed
// effects and varying slopes of d by alternating projections: each sweep
// replaces the residual r by r − z'a_g per block, a_g the weighted least
// squares coefficients of r on z within level g (Gram matrices inverted
// once, by eigendecomposition so that a level whose slope variable is
// constant gets the minimum-norm solution). A fixed effect and its slopes
// (fe[x]) form one block, projected exactly in one step. Sweeps stop when
// no residual moves by more than Tol·(root mean square of the column).
// It returns the demeaned columns, the number of slope coefficients (all
// counted in K, as fixest does) and the largest number of sweeps.
func demeanWithSlopes(d *Design, rows []int, feCodes [][]int32, feLevels []int, w []float64, cols [][]float64, opts Options) ([][]float64, int, int, error) {
	var blocks []*slopeBlock
	for q := range feCodes {
		blocks = append(blocks, &slopeBlock{codes: feCodes[q], ng: feLevels[q], intercept: true})
	}
	own := map[*int32]*slopeBlock{}
	params := 0
	for _, sl := range d.Slopes {
		x := gather(sl.X, rows)
		if sl.FE >= 0 {
			b := blocks[sl.FE]
			b.xs = append(b.xs, x)
			params += b.ng
			continue
		}
		key := &sl.Codes[0]
		b, ok := own[key]
		if !ok {
			codes, ng := denseCodes(sl.Codes, rows)
			// A grouping equal to a fixed effect's joins its block, so
			// fe + fe[[x]] is projected exactly like fe[x].
			for q := range feCodes {
				if feLevels[q] == ng && slices.Equal(feCodes[q], codes) {
					b = blocks[q]
				}
			}
			if b == nil {
				b = &slopeBlock{codes: codes, ng: ng}
				blocks = append(blocks, b)
			}
			own[key] = b
		}
		b.xs = append(b.xs, x)
		params += b.ng
	}
	for _, b := range blocks {
		b.prepare(w)
	}
	dm := make([][]float64, len(cols))
	iters := make([]int, len(cols))
	conv := make([]bool, len(cols))
	forChunks(len(cols), opts.Workers, func(j int) {
		dm[j], iters[j], conv[j] = projectBlocks(blocks, cols[j], w, opts.Tol, opts.MaxIter)
	})
	maxIter := 0
	var bad []string
	for j := range cols {
		maxIter = max(maxIter, iters[j])
		if !conv[j] {
			name := d.YName
			if j > 0 {
				name = d.XNames[j-1]
			}
			bad = append(bad, name)
		}
	}
	if len(bad) > 0 {
		return nil, 0, maxIter, &ConvergenceError{Vars: bad, MaxIter: opts.MaxIter}
	}
	return dm, params, maxIter, nil
}

// prepare computes the per-level pseudo-inverse Gram matrices.
func (b *slopeBlock) prepare(w []float64) {
	p := len(b.xs)
	if b.intercept {
		p++
	}
	b.p = p
	gram := make([]float64, b.ng*p*p)
	z := make([]float64, p)
	for i, g := range b.codes {
		b.row(z, i)
		wi := wt(w, i)
		G := gram[int(g)*p*p : (int(g)+1)*p*p]
		for a := range p {
			for c := range p {
				G[a*p+c] += wi * z[a] * z[c]
			}
		}
	}
	b.ginv = make([]float64, b.ng*p*p)
	sym := mat.NewSymDense(p, nil)
	var eig mat.EigenSym
	var vecs mat.Dense
	for g := range b.ng {
		G := gram[g*p*p : (g+1)*p*p]
		for a := range p {
			for c := a; c < p; c++ {
				sym.SetSym(a, c, G[a*p+c])
			}
		}
		out := b.ginv[g*p*p : (g+1)*p*p]
		if !eig.Factorize(sym, true) {
			continue // leaves a zero inverse: the level is not projected
		}
		vals := eig.Values(nil)
		eig.VectorsTo(&vecs)
		top := 0.0
		for _, v := range vals {
			top = math.Max(top, math.Abs(v))
		}
		for l, v := range vals {
			if v <= 1e-12*top {
				continue
			}
			for a := range p {
				for c := range p {
					out[a*p+c] += vecs.At(a, l) * vecs.At(c, l) / v
				}
			}
		}
	}
}

// row stores the projection columns of observation i in z.
func (b *slopeBlock) row(z []float64, i int) {
	k := 0
	if b.intercept {
		z[0] = 1
		k = 1
	}
	for _, x := range b.xs {
		z[k] = x[i]
		k++
	}
}

// projectBlocks returns x minus its projection on all blocks, the number
// of sweeps and whether they converged.
func projectBlocks(blocks []*slopeBlock, x, w []float64, tol float64, maxIter int) ([]float64, int, bool) {
	r := append([]float64(nil), x...)
	var ss float64
	for _, v := range x {
		ss += v * v
	}
	scale := math.Sqrt(ss/float64(max(len(x), 1))) + 1e-300
	maxP, maxG := 0, 0
	for _, b := range blocks {
		maxP, maxG = max(maxP, b.p), max(maxG, b.ng)
	}
	sums := make([]float64, maxG*maxP)
	coef := make([]float64, maxG*maxP)
	z := make([]float64, maxP)
	for it := 1; it <= maxIter; it++ {
		moved := 0.0
		for _, b := range blocks {
			p := b.p
			s := sums[:b.ng*p]
			clear(s)
			for i, g := range b.codes {
				b.row(z, i)
				wr := wt(w, i) * r[i]
				for a := range p {
					s[int(g)*p+a] += z[a] * wr
				}
			}
			cf := coef[:b.ng*p]
			for g := range b.ng {
				Gi := b.ginv[g*p*p : (g+1)*p*p]
				for a := range p {
					var v float64
					for c := range p {
						v += Gi[a*p+c] * s[g*p+c]
					}
					cf[g*p+a] = v
				}
			}
			for i, g := range b.codes {
				b.row(z, i)
				var fit float64
				for a := range p {
					fit += z[a] * cf[int(g)*p+a]
				}
				r[i] -= fit
				moved = math.Max(moved, math.Abs(fit))
			}
		}
		if len(blocks) == 1 || moved <= tol*scale {
			return r, it, true
		}
	}
	return r, maxIter, false
}
