// Package ingest reads users' panel data — CSV, XLSX and Parquet tables of
// cities × periods × indicators — into [panel.Panel], strictly and fast.
//
// # Layouts
//
// A table is long (columns unit, period, indicator, value: one value per
// row) or wide (unit, period, then one column per indicator). The layout is
// detected from the header (long when it names an indicator and a value
// column) or forced with [Options].Layout. Column names are matched
// case-insensitively against the usual English and Chinese headers (unit,
// code, city, 城市, 代码; period, year, 年份, 时间; indicator, 指标; value,
// 值, 数值) or set with [Options].Columns. Columns named name_zh, name_en,
// province, region or tier (省份, 区域, 等级, ...) hold unit attributes, not
// indicators; other columns of a long table are ignored.
//
// Each indicator has one frequency. A long table may hold annual and
// monthly indicators side by side: readers return one panel per frequency,
// in the order year, quarter, month. Each panel spans its units (in order
// of first appearance) and its periods from the earliest record to the
// latest; cells without a record are missing.
//
// # Values and missing values
//
// Missing values are NaN ([panel.Missing]): empty cells and the tokens NA,
// N/A, NaN, ".", "-", "--", null and #N/A. Numbers are plain decimals with
// an optional exponent; full-width digits (１２．５) are read as ASCII.
// Thousands separators ("1,234.5") and percent signs ("12.5%", read as
// 12.5) are errors unless [Options].AllowThousands or AllowPercent is set;
// "12,3" is always an error, since it may be a decimal comma. Floats are
// parsed to exactly the value strconv.ParseFloat returns; the parser,
// [ScanFloat], is exported for other readers of decimal text.
//
// # Errors
//
// Readers check everything and return either panels or a *[DataErrors]
// listing each problem as a [DataError] with file, line (CSV line, XLSX
// row, Parquet row), column header as written and the offending text —
// never a partial result. They collect up to [Options].MaxErrors errors
// (default 20), then stop reading. Causes are sentinel errors for
// errors.Is: [ErrNotNumber], [ErrUnknownUnit], [ErrDuplicate] (with
// [DuplicateError] naming both lines), [ErrBadPeriod], [ErrPeriodRange],
// [ErrUnknownIndicator], [ErrMixedFrequency], [ErrWrongFrequency],
// [ErrMissingAttribute] and others. Errors that are not the data's fault
// (an unreadable file) are plain errors prefixed "ingest:".
//
// # Units and indicators
//
// A [UnitResolver] in the options maps the keys written in the data
// (codes or names) to units with their attributes; without one, keys are
// taken as codes. [Options].Indicators restricts and types the indicators.
// The package imports neither the city registry nor the framework package:
// they plug in through these small types.
//
// # Missing values after loading
//
// Readers never fill missing cells. [panel.Panel.MissingByIndicator] and
// [panel.Panel.MissingByUnit] summarise them; [panel.Panel.Impute] applies a
// recorded treatment.
//
// # Encodings
//
// CSV may be UTF-8 (with or without a byte-order mark) or GBK/GB18030, as
// Chinese statistical offices export it: the reader decodes GB18030 when
// the start of the file is not valid UTF-8, or as [Options].Encoding says.
//
// # Speed
//
// The long CSV reader splits the input into blocks of a few MiB at line
// ends outside quotes and parses the blocks in parallel ([Options].Workers
// goroutines). A block without quotes is split on bytes with no
// allocation per field: keys are interned through map lookups on byte
// slices, and values go through a hand-written decimal fast path: exact
// by Clinger's rule for short mantissas, then our Eisel–Lemire for up to
// 19 significant digits (full-precision output of R or Go), and strconv
// only where neither can decide; the result is always bit-identical to
// strconv.ParseFloat. Blocks with quotes go
// through encoding/csv. Records stay in per-block columns and are written
// straight into the dense panel. See docs/PERFORMANCE.md, section Loading.
//
// All functions are safe for concurrent use; panels returned are owned by
// the caller.
package ingest
