// Package panel holds city × period panel data in columns.
//
// A [Panel] is a balanced grid of units (cities) × consecutive periods at one
// frequency (year, quarter or month), with one contiguous []float64 per
// indicator in unit-major order: the value of unit u in period t is
// col[u*T+t]. Missing cells are NaN; nothing else is ever treated as missing.
// Periods are [Period] values whose ordinal is consecutive within the
// frequency, so lags, leads and roll-ups are index arithmetic.
//
// Long-form records become a panel through a [Builder], which interns unit
// and indicator keys so readers pay a few slice appends per record, and
// reports duplicate cells rather than overwriting them. Finer panels roll up
// to coarser ones by each indicator's [Aggregation] ([Panel.Rollup]);
// missing values are summarised ([Panel.MissingByIndicator]) and treated by
// a recorded method ([Panel.Impute]). Policy adoptions ([Adoption]) live
// with the panel and give treatment dummies and cohorts.
//
// Slices returned by Col and Series are the panel's storage. Kernels that
// take a dst allocate it when nil. Programmer errors (wrong lengths, adding
// an indicator twice) panic with a "panel:" prefix; data-dependent problems
// return errors.
package panel
