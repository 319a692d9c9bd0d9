//go:build amd64 && !purego

#include "textflag.h"

// func csSparseDot8(z *[8]float64, idx []int32, val []float64, x []float64)
//
// For p = 0..len(idx)−1: c = idx[p], v = val[p] and, for j = 0..7,
// z[j] += x[8c+j]·v, with z[2i], z[2i+1] in Xi. MULPD and ADDPD round
// each lane as MULSD and ADDSD do, so the result is csSparseDot8Go's.
TEXT ·csSparseDot8(SB), NOSPLIT, $0-80
	MOVQ   z+0(FP), DI
	MOVQ   idx_base+8(FP), SI
	MOVQ   idx_len+16(FP), CX
	MOVQ   val_base+32(FP), DX
	MOVQ   x_base+56(FP), BX
	MOVUPD 0(DI), X0
	MOVUPD 16(DI), X1
	MOVUPD 32(DI), X2
	MOVUPD 48(DI), X3
	XORQ   AX, AX
	TESTQ  CX, CX
	JEQ    done

loop:
	MOVLQSX  (SI)(AX*4), R8
	SHLQ     $6, R8
	MOVSD    (DX)(AX*8), X4
	UNPCKLPD X4, X4
	MOVUPD   0(BX)(R8*1), X5
	MOVUPD   16(BX)(R8*1), X6
	MOVUPD   32(BX)(R8*1), X7
	MOVUPD   48(BX)(R8*1), X8
	MULPD    X4, X5
	MULPD    X4, X6
	MULPD    X4, X7
	MULPD    X4, X8
	ADDPD    X5, X0
	ADDPD    X6, X1
	ADDPD    X7, X2
	ADDPD    X8, X3
	INCQ     AX
	CMPQ     AX, CX
	JLT      loop

done:
	MOVUPD X0, 0(DI)
	MOVUPD X1, 16(DI)
	MOVUPD X2, 32(DI)
	MOVUPD X3, 48(DI)
	RET
