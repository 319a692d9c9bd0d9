// Package composite computes composite indices: it normalises indicator
// columns, derives weights (objective, subjective, combined) and aggregates
// indicators into scores, and measures the coupling coordination between
// subsystems. It is a pure numeric engine: columns in, dst out; it reads no
// files and knows nothing of frameworks, panels or the CLI.
//
// # Data layout
//
// A decision matrix is a slice of columns, x [][]float64: x[j] is indicator
// (criterion) j and x[j][i] its value for row i. A row is an alternative,
// or one unit × period of a panel. All columns must have the same length.
// Pairwise comparison matrices for [AHP] are the exception: they are given
// by rows, a[i][j] = importance of criterion i over j, as they are written.
// Weights are one float64 per column. Directions ([Benefit], [Cost]) are
// one per column; nil means all Benefit.
//
// Panel data (panel.Panel) stores each indicator unit-major, row
// u·T + t, so its columns can be passed directly. Scope is chosen by the
// caller: pooled over all periods (one group, scores comparable over time)
// or per period ([PeriodGroups] with [NormaliseByGroup]; [GroupRows] and
// [Gather] extract the rows of one group for weighting or aggregation).
//
// # Missing values
//
// NaN is missing. Each method states its rule; in short:
//   - normalisation: NaN stays NaN; statistics use the non-missing values;
//   - Entropy, CV, SD: each column uses its own non-missing values;
//   - CRITIC, PCA: rows complete in every column (listwise deletion);
//   - aggregation, TOPSIS, GRA, coupling: column statistics use the
//     non-missing values and a row with a missing value in a column of
//     positive weight scores NaN. Re-weighting over available indicators or
//     imputation is the caller's decision, made before calling.
//
// # Ownership, panics and errors
//
// Functions write into dst when it is non-nil (it must have the right
// length) and allocate it otherwise; they return it. Inputs are not
// modified unless dst aliases them, which the normalisations allow.
//
// Programmer errors panic with a "composite:" prefix: ragged columns, a dst
// or direction slice of the wrong length, an unknown method constant, a
// parameter outside its domain (ρ, α, quantile order). Data conditions
// return errors, which name the column (0-based; callers wrap them with
// the indicator's name) and, where one value is at fault, the row:
// [*ColumnError] wrapping [ErrZeroVariance], [ErrAllMissing],
// [ErrTooFewRows], [ErrNonPositive], [ErrNegative], [ErrZeroMean] or
// [ErrOutsideUnit]; [*WeightsError] for weights that are negative or do not
// sum to 1; [*PairwiseError] and [*InconsistentError] for AHP;
// [*GroupError] and [*ExpertError] locate an error in a group or an
// expert's matrix. Test them with errors.Is and errors.As.
//
// # Conventions
//
// Published methods come in variants that give different numbers. Each
// variant is an explicit option with a documented default, and the tests
// reproduce the worked examples in testdata/oracles under the matching
// option: the random-index table of AHP ([RITable], Saaty's by default),
// the normalisation inside TOPSIS ([TOPSISNorm], vector by default as in
// Hwang & Yoon; min-max as in pymcdm), whether CRITIC flips cost columns
// (no, as in the published numbers), the coupling degree form
// ([CouplingForm]), what a constant column normalises to ([ConstantRule])
// and how non-unit weights are treated ([WeightRule]).
//
// All functions are deterministic and safe for concurrent use on distinct
// dst slices.
package composite
