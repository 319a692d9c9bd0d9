// Package report renders an [evaluation.Results] for readers: HTML writes
// the decision report, one self-contained file that opens offline and
// prints to PDF.
//
// # What it shows and where the numbers come from
//
// Every number on the page is read from the Results and only formatted
// (decimals, percentages, "—" for a missing value); the package computes
// no statistic of its own. Presentation-only derivations are the ordering
// of tables and charts, the choice of the map layer and the lists of units
// absent from the map.
//
// # Assets
//
// The page inlines Apache ECharts and a China map layer, embedded from
// report/assets at build time (`make assets`: npm ci in report/web, then
// report/internal/genmap and a copy; see assets/SOURCE.md). Nothing is
// fetched from a network when the page opens. Without the generated files
// the package still compiles, and HTML returns [ErrAssetsMissing].
//
// # Maps
//
// The bundled layers come from the echarts 4.9.0 npm package, joined to
// GB/T 2260 codes through package division. [HTMLOptions].MapFile replaces
// them with a GeoJSON whose features carry a code in property "adcode" or
// "code"; it is read by a validating parser that names the feature and
// property of every problem ([MapError]). The map is illustrative and not
// an approved (审图号) map, and the page says so.
//
// HTML is safe for concurrent use; templates and assets are parsed once.
package report

//go:generate make -C .. assets
