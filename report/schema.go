package report

import _ "embed"

// ResultsSchema is the JSON Schema (draft 2020-12) of results.json, the
// serialised [evaluation.Results] of schema version
// evaluation.ResultsSchema. Every object in it is closed (an unknown key
// fails validation), fields without `omitempty` are required, missing
// numbers are null and empty arrays may be null, as encoding/json writes
// them. report's tests check that it matches the Go types field by field
// and that the demo evaluation's results validate against it.
//
//go:embed results.schema.json
var ResultsSchema []byte
