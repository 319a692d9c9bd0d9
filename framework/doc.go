// Package framework holds indicator frameworks as data: a tree whose root is
// the goal, whose inner nodes are dimensions (sub-dimensions at any depth)
// and whose leaves are indicators, read from and written to YAML.
//
// # The YAML format (schema 1)
//
//	schema: 1                      # optional; this package reads version 1
//	code: my-framework             # required
//	name_zh: 我的指标体系           # name_zh or name_en required (also on every node)
//	name_en: My framework
//	edition: "2025"
//	source: where the framework comes from
//	notes: anything else
//	goal:
//	  code: smart_city
//	  name_en: Smart city
//	  children:                    # a node with children (even []) is a dimension
//	    - code: livelihood
//	      name_en: Livelihood
//	      weight: 40               # optional expert weight within the parent
//	      children:
//	        - code: satisfaction   # a node without children is an indicator
//	          name_en: Satisfaction
//	          unit: "%"
//	          direction: "+"       # "+"/higher, "-"/lower (quote the minus), or unknown
//	          frequency: month     # year (default), quarter or month
//	          aggregation: mean    # sum, mean, last, max, min: month → quarter → year
//	          target: {megacity: 95, default: 90}   # a number, or per peer group
//	          target_from: 2025    # optional: the first year the target applies
//	          floor: 80            # veto (一票否决): below it the grade is capped
//	          class: core          # core, advanced or supporting
//	          definition: ...
//	          source: ...
//	          quality: ...         # data-quality notes
//
// Every node may also carry ref (its identifier in the source document),
// level (a free label such as 一级 or category), source and notes.
//
// # Rules
//
// Codes are unique across the tree and contain no spaces, commas or quotes
// (they become column names). An indicator needs a direction; "unknown" is
// accepted with a warning for templates whose source does not give one, and
// must be set before an index is computed. Sub-annual indicators need an
// aggregation. The weights of a node's children are all given or all absent;
// given, they must sum to 1, or to 100 (percentages), or to the parent's own
// weight (shares of the whole score, as GB/T 33356 publishes them), within
// 1e-6; the latter two are normalised with a note. [Framework.LocalWeight]
// and [Framework.GlobalWeight] return normalised weights. For a
// higher-is-better indicator the floor may not exceed any target; for a
// lower-is-better one it is a ceiling and may not be below any target.
// target_from, the year a standard's requirement takes effect ("by 2025,
// 100%"), is a whole year from 1900 to 2200 and needs a target; values of
// earlier years are not judged against the target ([Node.TargetApplies]).
//
// # Errors
//
// [Load] decodes strictly (unknown keys such as a misspelt "directon" are
// errors) and reports every problem it finds, up to [MaxProblems], each with
// file, line, column and key path (goal.children[0].direction), in a
// *[ValidationError] whose UserFacing method makes the command line exit 1.
// Warnings and notes of a framework that loads are in [Framework.Problems].
// Load never panics on any input (FuzzLoad) and returns either an error or a
// framework that passes validation and survives [Framework.Marshal] unchanged.
//
// # Templates
//
// Built-in templates are embedded: seed-2025 (the seed report's 35
// indicators in six dimensions; the codes other packages use),
// gbt33356-2016 and gbt33356-2018 (China's new-type smart city evaluation
// with the 2016 and 2018 national weights), u4ssc (the 91 U4SSC KPIs of
// ITU-T Y.4903) and iso37120 (the ISO 37120:2018 themes as a skeleton).
// Each cites its sources. The last four are generated from fact tables by
// internal/gentemplates (go generate).
//
// Frameworks are plain values: safe for concurrent reads, not for
// concurrent modification. After changing a tree in code, call
// [Framework.Validate], which also re-links parents and the code index.
package framework
