// Package evaluation composes the engines into cityimpact's main job: data →
// indicator framework → (composite index → causal effects → diagnosis, in
// later steps) → one result value that report and server render.
//
// Today it holds the first stage, the data check: [CheckData] compares the
// panels a user supplied with an indicator framework and summarises what an
// evaluator must know before computing anything — indicators missing or
// unexpected, frequencies, missing cells per indicator and dimension, units
// without attributes, treatment coverage, and whether monthly data roll up
// to the annual values supplied.
//
// The package reads no files and writes nothing; callers pass panels and a
// framework and get values back.
package evaluation
