package cli

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cityimpact/cityimpact/division"
	"github.com/cityimpact/cityimpact/evaluation"
	"github.com/cityimpact/cityimpact/framework"
	"github.com/cityimpact/cityimpact/ingest"
	"github.com/cityimpact/cityimpact/panel"
	"github.com/cityimpact/cityimpact/store"
)

func init() {
	register(&command{
		name:    "data",
		summary: "import, list, show, export and delete versioned datasets in the embedded DuckDB store",
		run:     runData,
	})
}

// DefaultDB is the store used when neither --db nor CITYIMPACT_DB is set.
const DefaultDB = "cityimpact-data/cityimpact.duckdb"

func dataDB(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if env := os.Getenv("CITYIMPACT_DB"); env != "" {
		return env
	}
	return DefaultDB
}

const dataUsage = `data import --dataset NAME [flags] FILE...
       cityimpact data check --framework NAME|FILE FILE...   (read and validate, write nothing)
       cityimpact data list [NAME] [--format table|json|csv]
       cityimpact data show NAME[@VERSION] [--format table|json|csv]
       cityimpact data export NAME[@VERSION] --out FILE.csv [--wide]
       cityimpact data missing NAME[@VERSION] [--by indicator|unit] [--top N]
       cityimpact data delete NAME@VERSION
   (all take --db FILE; default $CITYIMPACT_DB or ` + DefaultDB + `)`

func runData(env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fs := newFlags(env, "data", dataUsage, "cityimpact data import --dataset demo demo/panel.csv")
		fs.Usage()
		if len(args) == 0 {
			return userErrorf("no subcommand (want import, list, show, export or delete)")
		}
		return errHelp
	}
	switch args[0] {
	case "import":
		return runDataImport(env, args[1:])
	case "list":
		return runDataList(env, args[1:])
	case "show":
		return runDataShow(env, args[1:])
	case "export":
		return runDataExport(env, args[1:])
	case "delete":
		return runDataDelete(env, args[1:])
	case "missing":
		return runDataMissing(env, args[1:])
	case "check":
		return runDataCheck(env, args[1:])
	}
	return userErrorf("unknown subcommand %q (want import, check, list, show, missing, export or delete)", args[0])
}

// dataRef splits NAME[@VERSION]; version 0 means the latest.
func dataRef(s string) (string, int, error) {
	name, ver, found := strings.Cut(s, "@")
	if !store.ValidName(name) {
		return "", 0, userErrorf("bad dataset name %q (want letters, digits, '_', '-' or '.', optionally @VERSION)", name)
	}
	if !found || ver == "latest" {
		return name, 0, nil
	}
	v, err := strconv.Atoi(ver)
	if err != nil || v < 1 {
		return "", 0, userErrorf("bad version %q in %q (want a number ≥ 1 or 'latest')", ver, s)
	}
	return name, v, nil
}

func dataOpen(path string) (*store.Store, error) {
	s, err := store.Open(path)
	if err != nil {
		var se *store.SchemaError
		if errors.As(err, &se) {
			return nil, err
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// inputFlags are the flags that say how data files are read; data import
// and data check share them.
type inputFlags struct {
	layout, encoding, sheet, treatments, units, impute, peer, framework *string
}

func addInputFlags(fs *flag.FlagSet) *inputFlags {
	return &inputFlags{
		layout:     fs.String("format", "auto", "table layout: auto, long (unit,period,indicator,value) or wide (unit,period,ind1,ind2,...)"),
		encoding:   fs.String("encoding", "auto", "CSV text encoding: auto (UTF-8, else GBK/GB18030), utf8 or gbk"),
		sheet:      fs.String("sheet", "", "XLSX sheet by name or 1-based number (default: the first)"),
		treatments: fs.String("treatments", "", "CSV of policy adoptions: policy,unit,start[,exit][,note]"),
		units:      fs.String("units", "registry", "how unit keys are read: registry (codes or names of China's prefecture-level cities, with attributes) or asis (each key is a code)"),
		impute:     fs.String("impute", "none", "missing-value treatment, recorded with the data: "+strings.Join(panel.ImputeMethods, ", ")),
		peer:       fs.String("peer", "region", "peer groups for --impute peer-mean: region, tier or province"),
		framework:  fs.String("framework", "", "indicator framework (built-in template name or YAML file): indicators not in it are errors; their aggregation and unit are recorded"),
	}
}

// read reads, merges and imputes the files as the flags say. fw is nil
// without --framework.
func (f *inputFlags) read(env *Env, files []string) (batch *ingest.Batch, fw *framework.Framework, err error) {
	if len(files) == 0 {
		return nil, nil, userErrorf("no data files given")
	}
	var opts ingest.Options
	switch *f.layout {
	case "auto":
	case "long":
		opts.Layout = ingest.Long
	case "wide":
		opts.Layout = ingest.Wide
	default:
		return nil, nil, userErrorf("--format: unknown layout %q (want auto, long or wide)", *f.layout)
	}
	enc, ok := ingest.ParseEncoding(*f.encoding)
	if !ok {
		return nil, nil, userErrorf("--encoding: unknown encoding %q (want auto, utf8 or gbk)", *f.encoding)
	}
	opts.Encoding = enc
	opts.Sheet = *f.sheet
	switch *f.units {
	case "registry":
		res, err := division.NewResolver(division.ResolverOptions{IncludeAutonomous: true})
		if err != nil {
			return nil, nil, err
		}
		opts.Units = res
	case "asis":
	default:
		return nil, nil, userErrorf("--units: unknown mode %q (want registry or asis)", *f.units)
	}
	if *f.framework != "" {
		if fw, err = fwOpen(*f.framework); err != nil {
			return nil, nil, err
		}
		opts.Indicators = map[string]ingest.IndicatorSpec{}
		for _, n := range fw.Leaves() {
			// Any frequency: a monthly indicator may also come rolled up
			// to years (demo data carry both).
			opts.Indicators[n.Code] = ingest.IndicatorSpec{Freq: panel.FreqUnknown}
		}
	}
	env.Progressf("reading %s …", strings.Join(files, ", "))
	batch, err = ingest.ReadFiles(files, *f.treatments, opts)
	env.Progressf("\r\033[K")
	if err != nil {
		var de *ingest.DataErrors
		var d1 *ingest.DataError
		if errors.As(err, &de) || errors.As(err, &d1) {
			return nil, nil, userErrorf("%v\nnothing imported", err)
		}
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
			return nil, nil, &UserError{err}
		}
		return nil, nil, err
	}
	for _, p := range batch.Panels {
		env.Logf("read %s", dataDescribe([]*panel.Panel{p}))
		filled, err := p.Impute(panel.ImputeOptions{Method: *f.impute, Peer: *f.peer})
		if err != nil {
			return nil, nil, &UserError{fmt.Errorf("--impute: %w", err)}
		}
		if n := sumCounts(filled); n > 0 {
			env.Logf("imputed %d %s cells by %s", n, p.Freq, *f.impute)
		}
	}
	return batch, fw, nil
}

// notes records how the data were read, for the stored version.
func (f *inputFlags) notes() map[string]any {
	n := map[string]any{"format": *f.layout, "encoding": *f.encoding, "units": *f.units}
	if *f.sheet != "" {
		n["sheet"] = *f.sheet
	}
	if *f.framework != "" {
		n["framework"] = *f.framework
	}
	if *f.impute != "none" {
		n["impute"] = *f.impute
		if *f.impute == panel.ImputePeerMean {
			n["peer"] = *f.peer
		}
	}
	return n
}

// runDataCheck reads files as import would and reports what an evaluator
// must know, without writing anything.
func runDataCheck(env *Env, args []string) error {
	fs := newFlags(env, "data check", "data check --framework NAME|FILE [--treatments T.csv] [--format auto|long|wide] [--encoding E] [--output table|json] FILE...",
		"cityimpact data check --framework seed-2025 --treatments pilots.csv annual.csv monthly.csv")
	in := addInputFlags(fs)
	output := fs.String("output", "table", "output format: table or json")
	require := fs.String("require", "province,region,tier", "unit attributes every unit should have (comma-separated; empty for none)")
	files, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *in.framework == "" {
		return userErrorf("--framework is required (a built-in template such as seed-2025, or a YAML file)")
	}
	if err := checkFormat(*output, "table", "json"); err != nil {
		return err
	}
	batch, fw, err := in.read(env, files)
	if err != nil {
		return err
	}
	var attrs []string
	if *require != "" {
		attrs = strings.Split(*require, ",")
	}
	c := evaluation.CheckData(fw, batch.Panels, evaluation.CheckOptions{RequireAttrs: attrs})
	if *output == "json" {
		return writeJSON(env.Stdout, c)
	}
	printCheck(env.Stdout, c)
	return nil
}

func runDataImport(env *Env, args []string) error {
	fs := newFlags(env, "data import", "data import --dataset NAME [--db FILE] [--format auto|long|wide] [--encoding auto|utf8|gbk] [--sheet S] [--treatments T.csv] [--units registry|asis] [--framework NAME|FILE] [--impute METHOD] [--description TEXT] FILE...",
		"cityimpact data import --dataset demo --treatments pilots.csv panel_annual.csv panel_monthly.csv")
	db := fs.String("db", "", "store file (default $CITYIMPACT_DB or "+DefaultDB+")")
	dataset := fs.String("dataset", "", "dataset name; a new version is added if it exists (required)")
	description := fs.String("description", "", "dataset description (kept from earlier versions if empty)")
	in := addInputFlags(fs)
	files, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *dataset == "" {
		return userErrorf("--dataset is required")
	}
	if !store.ValidName(*dataset) {
		return userErrorf("--dataset: bad name %q (want letters, digits, '_', '-' or '.')", *dataset)
	}
	batch, fw, err := in.read(env, files)
	if err != nil {
		return err
	}
	panels := batch.Panels
	var meta []store.IndicatorInfo
	if fw != nil {
		for _, n := range fw.Leaves() {
			meta = append(meta, store.IndicatorInfo{Code: n.Code, Aggregation: string(n.Agg()), Unit: n.Unit})
		}
	}
	sources, err := dataSources(batch.Files, *in.layout)
	if err != nil {
		return err
	}
	s, err := dataOpen(dataDB(*db))
	if err != nil {
		return err
	}
	defer s.Close()
	env.Progressf("importing into %s …", dataDB(*db))
	v, err := s.Import(env.Ctx, store.ImportSpec{Dataset: *dataset, Description: *description,
		Sources: sources, Panels: panels, Indicators: meta, Notes: in.notes()})
	env.Progressf("\r\033[K")
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %s@%d into %s: %d cells (%.1f%% missing), %s\n", v.Dataset, v.Version,
		dataDB(*db), v.Cells, 100*dataShare(v.Missing, v.Cells), freqNames(v.Freqs))
	return nil
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// runDataMissing summarises missing cells of a stored version by indicator
// or by unit.
func runDataMissing(env *Env, args []string) error {
	fs := newFlags(env, "data missing", "data missing NAME[@VERSION] [--by indicator|unit] [--top N] [--db FILE] [--format table|json|csv]",
		"cityimpact data missing demo --by unit --top 10")
	db := fs.String("db", "", "store file (default $CITYIMPACT_DB or "+DefaultDB+")")
	by := fs.String("by", "indicator", "summarise by indicator or by unit (units sorted by missing share, worst first)")
	top := fs.Int("top", 0, "show only the first N rows of each panel (0: all)")
	format := fs.String("format", "table", "output format: table, json or csv")
	ref, err := parseDatasetArg(fs, args, "NAME[@VERSION]")
	if err != nil {
		return err
	}
	if err := checkFormat(*format, "table", "json", "csv"); err != nil {
		return err
	}
	if *by != "indicator" && *by != "unit" {
		return userErrorf("--by: want indicator or unit, got %q", *by)
	}
	s, name, ver, err := dataOpenRef(*db, ref)
	if err != nil {
		return err
	}
	defer s.Close()
	panels, err := s.Load(env.Ctx, name, ver)
	if err != nil {
		return err
	}
	type block struct {
		Frequency string              `json:"frequency"`
		Rows      []panel.Missingness `json:"rows"`
	}
	var blocks []block
	for _, p := range panels {
		rows := p.MissingByIndicator()
		if *by == "unit" {
			rows = p.MissingByUnit()
		}
		if *top > 0 && len(rows) > *top {
			rows = rows[:*top]
		}
		blocks = append(blocks, block{p.Freq.String(), rows})
	}
	if *format == "json" {
		return writeJSON(env.Stdout, blocks)
	}
	header := []string{"frequency", *by, "cells", "missing", "missing_share", "longest_gap"}
	var table [][]string
	for _, b := range blocks {
		for _, m := range b.Rows {
			table = append(table, []string{b.Frequency, m.Key, strconv.Itoa(m.Cells), strconv.Itoa(m.Missing),
				strconv.FormatFloat(m.Share, 'f', 4, 64), strconv.Itoa(m.LongestGap)})
		}
	}
	if *format == "csv" {
		return writeCSV(env.Stdout, header, table)
	}
	return writeTable(env.Stdout, header, table)
}

// dataSources hashes the files read, for the version's provenance.
func dataSources(files []ingest.FileInfo, layout string) ([]store.SourceInfo, error) {
	out := make([]store.SourceInfo, 0, len(files))
	for _, f := range files {
		info, lines, err := store.HashFile(f.Path)
		if err != nil {
			return nil, err
		}
		info.Format = f.Format
		if f.Format != "treatments" {
			info.Format += " " + layout
		}
		if f.Format == "csv" || f.Format == "treatments" {
			info.Rows = max(lines-1, 0) // a CSV's lines less the header
		}
		out = append(out, info)
	}
	return out, nil
}

func dataShare(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func freqNames(fs []panel.Freq) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = f.String()
	}
	return strings.Join(s, ", ")
}

func dataDescribe(ps []*panel.Panel) string {
	var parts []string
	for _, p := range ps {
		if p.T == 0 {
			parts = append(parts, fmt.Sprintf("%s: %d units, no periods", p.Freq, p.NUnits()))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s: %d units × %d periods (%s–%s) × %d indicators",
			p.Freq, p.NUnits(), p.T, p.Start, p.End(), len(p.Indicators())))
	}
	return strings.Join(parts, "; ")
}

func runDataList(env *Env, args []string) error {
	fs := newFlags(env, "data list", "data list [NAME] [--db FILE] [--format table|json|csv]", "cityimpact data list demo --format json")
	db := fs.String("db", "", "store file (default $CITYIMPACT_DB or "+DefaultDB+")")
	format := fs.String("format", "table", "output format: table, json or csv")
	rest, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return userErrorf("unexpected argument %q (want at most one dataset NAME)", rest[1])
	}
	if err := checkFormat(*format, "table", "json", "csv"); err != nil {
		return err
	}
	s, err := dataOpenExisting(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	if len(rest) == 1 {
		name, ver, err := dataRef(rest[0])
		if err != nil {
			return err
		}
		if ver != 0 {
			return userErrorf("data list takes a dataset NAME; to see one version use: cityimpact data show %s", rest[0])
		}
		vs, err := s.Versions(env.Ctx, name)
		if err != nil {
			return err
		}
		if *format == "json" {
			return writeJSON(env.Stdout, vs)
		}
		rows := [][]string{{"version", "created", "cells", "missing_share", "frequencies", "imputation", "sources"}}
		for _, v := range vs {
			names := make([]string, len(v.Sources))
			for i, src := range v.Sources {
				names[i] = src.Name
			}
			rows = append(rows, []string{strconv.Itoa(v.Version), v.Created.Format("2006-01-02 15:04:05Z"),
				strconv.FormatInt(v.Cells, 10), strconv.FormatFloat(dataShare(v.Missing, v.Cells), 'f', 4, 64),
				strings.Join(v.FreqNames, "+"), v.Imputation, strings.Join(names, " ")})
		}
		return writeRows(env.Stdout, *format, rows)
	}
	ds, err := s.Datasets(env.Ctx)
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSON(env.Stdout, ds)
	}
	rows := [][]string{{"name", "versions", "latest", "created", "description"}}
	for _, d := range ds {
		rows = append(rows, []string{d.Name, strconv.Itoa(d.Versions), strconv.Itoa(d.Latest),
			d.Created.Format("2006-01-02 15:04:05Z"), d.Description})
	}
	return writeRows(env.Stdout, *format, rows)
}

func dataOpenExisting(db string) (*store.Store, error) {
	path := dataDB(db)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, userErrorf("no store at %s (import data first: cityimpact data import --dataset NAME FILE...)", path)
	}
	return dataOpen(path)
}

// dataOpenRef reads a dataset reference NAME[@VERSION] and opens the
// existing store db (see dataDB) to look it up; version 0 is the latest.
func dataOpenRef(db, ref string) (s *store.Store, name string, version int, err error) {
	if name, version, err = dataRef(ref); err != nil {
		return nil, "", 0, err
	}
	if s, err = dataOpenExisting(db); err != nil {
		return nil, "", 0, err
	}
	return s, name, version, nil
}

// parseDatasetArg parses fs from args for a command that takes exactly one
// positional argument, a dataset reference written as form (NAME[@VERSION]
// or NAME@VERSION), and returns it.
func parseDatasetArg(fs *flag.FlagSet, args []string, form string) (string, error) {
	rest, err := parseArgs(fs, args)
	if err != nil {
		return "", err
	}
	if len(rest) != 1 {
		return "", userErrorf("want one %s, got %d arguments", form, len(rest))
	}
	return rest[0], nil
}

func runDataShow(env *Env, args []string) error {
	fs := newFlags(env, "data show", "data show NAME[@VERSION] [--db FILE] [--format table|json|csv]", "cityimpact data show demo@2")
	db := fs.String("db", "", "store file (default $CITYIMPACT_DB or "+DefaultDB+")")
	format := fs.String("format", "table", "output format: table, json or csv (csv: one row per indicator)")
	ref, err := parseDatasetArg(fs, args, "NAME[@VERSION]")
	if err != nil {
		return err
	}
	if err := checkFormat(*format, "table", "json", "csv"); err != nil {
		return err
	}
	s, name, ver, err := dataOpenRef(*db, ref)
	if err != nil {
		return err
	}
	defer s.Close()
	sum, err := s.Show(env.Ctx, name, ver)
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSON(env.Stdout, sum)
	}
	rows := [][]string{{"frequency", "indicator", "units", "from", "to", "cells", "missing", "missing_share", "min", "mean", "max", "aggregation", "unit", "imputation"}}
	for _, p := range sum.Panels {
		for _, is := range p.Indicators {
			rows = append(rows, []string{p.Frequency, is.Code, strconv.Itoa(p.Units), p.From, p.To,
				strconv.FormatInt(is.Cells, 10), strconv.FormatInt(is.Missing, 10),
				strconv.FormatFloat(is.MissingShare, 'f', 4, 64),
				dataNum(is.Min), dataNum(is.Mean), dataNum(is.Max), is.Aggregation, is.Unit, is.Imputation})
		}
	}
	if *format == "csv" {
		return writeRows(env.Stdout, "csv", rows)
	}
	w := env.Stdout
	fmt.Fprintf(w, "dataset      %s@%d", sum.Dataset, sum.Version.Version)
	if sum.Description != "" {
		fmt.Fprintf(w, " — %s", sum.Description)
	}
	fmt.Fprintf(w, "\ncreated      %s\n", sum.Created.Format("2006-01-02 15:04:05Z"))
	fmt.Fprintf(w, "cells        %d (%d missing, %.2f%%), %d units\n", sum.Cells, sum.Missing, 100*dataShare(sum.Missing, sum.Cells), sum.Units)
	fmt.Fprintf(w, "imputation   %s\n", sum.Imputation)
	for _, p := range sum.Panels {
		fmt.Fprintf(w, "panel        %s: %d units × %d periods (%s–%s), %d indicators", p.Frequency, p.Units, p.Periods, p.From, p.To, len(p.Indicators))
		if p.Treatments > 0 {
			fmt.Fprintf(w, ", %d adoptions of %s", p.Treatments, strings.Join(p.Policies, ", "))
		}
		fmt.Fprintln(w)
	}
	for _, src := range sum.Sources {
		fmt.Fprintf(w, "source       %s (%s, %d bytes, %d rows, sha256 %s)\n", src.Name, src.Format, src.Bytes, src.Rows, src.SHA256)
	}
	fmt.Fprintln(w)
	return writeRows(w, "table", rows)
}

func dataNum(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

func runDataExport(env *Env, args []string) error {
	fs := newFlags(env, "data export", "data export NAME[@VERSION] --out FILE.csv [--wide] [--db FILE]", "cityimpact data export demo@1 --out demo.csv --wide")
	db := fs.String("db", "", "store file (default $CITYIMPACT_DB or "+DefaultDB+")")
	out := fs.String("out", "", "output CSV file, - for standard output (required)")
	wide := fs.Bool("wide", false, "one column per indicator (default: long, one row per cell)")
	ref, err := parseDatasetArg(fs, args, "NAME[@VERSION]")
	if err != nil {
		return err
	}
	if *out == "" {
		return userErrorf("--out is required")
	}
	s, name, ver, err := dataOpenRef(*db, ref)
	if err != nil {
		return err
	}
	defer s.Close()
	if *out == "-" {
		return s.Export(env.Ctx, env.Stdout, name, ver, store.ExportOptions{Wide: *wide})
	}
	// Write beside the target and rename, so a failed export leaves no
	// partial file behind.
	tmp, err := os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".*")
	if err != nil {
		return &UserError{err}
	}
	defer os.Remove(tmp.Name())
	if err := s.Export(env.Ctx, tmp, name, ver, store.ExportOptions{Wide: *wide}); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	env.Logf("wrote %s", *out)
	return nil
}

func runDataDelete(env *Env, args []string) error {
	fs := newFlags(env, "data delete", "data delete NAME@VERSION [--db FILE]", "cityimpact data delete demo@1")
	db := fs.String("db", "", "store file (default $CITYIMPACT_DB or "+DefaultDB+")")
	ref, err := parseDatasetArg(fs, args, "NAME@VERSION")
	if err != nil {
		return err
	}
	name, ver, err := dataRef(ref)
	if err != nil {
		return err
	}
	if ver == 0 {
		return userErrorf("name the version to delete: %s@N", name)
	}
	s, err := dataOpenExisting(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Delete(env.Ctx, name, ver); err != nil {
		return err
	}
	env.Logf("deleted %s@%d", name, ver)
	return nil
}
