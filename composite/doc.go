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
// # Index pipeline
//
// [Compute] builds a composite index over an indicator tree ([Node]: the
// goal, dimensions at any depth, indicators as leaves with direction,
// per-unit targets and a veto floor) from a balanced panel ([Data]: one
// unit-major column per indicator, optional data-quality codes and peer
// groups). Callers convert their framework into Nodes; this package does
// not import it. Per [IndexOptions]: normalisation pooled over all periods
// (the default, so scores compare over time) or per period; weights per
// node (indicators within a dimension, dimensions within the goal) or flat,
// by any [WeightMethod] (entropy by default, as the seed report), with AHP
// matrices per node and several experts; aggregation per node
// ([AggMethod]); a missing-value rule ([MissingRule]). The [Index] holds a
// score for every unit × period at every node, the weights with their
// method, ranks overall and within peer groups, grades ([Grades]) capped by
// veto floors, the attainment rate 达标率, U4SSC target-band points, the
// change since the previous period with each indicator's contribution
// (which sum to the change), a 0–10 relative score, a data-quality code for
// every value, and a peer finder ([Index.Peers]).
//
// [Index.Uncertainty] is the OECD/JRC uncertainty and sensitivity
// analysis of the ranks: Monte Carlo over weights, normalisation,
// aggregation and missing-value rule in Saltelli's A/B/AB_i design, median
// rank and 5–95% interval, first-order and total indices, and
// leave-one-indicator-out rank shifts; deterministic for a seed.
//
// [IndexOptions.Record] and [UncertaintyOptions.Record] list every choice
// that can change a number, defaults filled in, for the provenance that
// every output carries.
//
// # Qualitative inputs
//
// The seed's expert interviews and public questionnaires become numbers
// here. [Delphi] scores expert rounds with Kendall's W ([KendallW], tie
// corrected, χ² test), per-item spread (CV, IQR) and a configurable stop
// rule; [ExpertWeights] turns the final round into node weights. [Likert]
// turns questionnaire items into satisfaction indicators (mean, top-2-box
// share with normal or Wilson interval, sample size, margin of error), whose
// values carry the [SurveyExtrapolated] quality code.
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
//   - the index ([Compute]): by [IndexOptions.Missing], re-weighting over
//     the children present by default, or a period or unit mean of the
//     normalised values, whose cells are then marked [Imputed].
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
