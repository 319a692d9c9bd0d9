package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"

	"github.com/cityimpact/cityimpact/composite"
)

// provenance is what every weights, index and rank result records about its
// making (issue 3 item 7): the program and version, the framework with its
// edition and the SHA-256 of its canonical YAML as used (framework.Marshal,
// so a template and a file with the same content agree), the SHA-256 of
// every input file, every method choice with defaults filled in, and the
// Monte Carlo seed and design when there was one. Two runs with the same
// inputs and flags print the same bytes.
type provenance struct {
	Program         string                       `json:"program"`
	Version         string                       `json:"version"`
	Command         string                       `json:"command"`
	Framework       string                       `json:"framework"`
	Edition         string                       `json:"edition"`
	FrameworkSHA256 string                       `json:"framework_sha256"`
	Data            string                       `json:"data"`
	Inputs          []string                     `json:"inputs_sha256"` // "NAME SHA256", data first
	Impute          string                       `json:"impute"`
	Method          composite.MethodRecord       `json:"method"`
	Uncertainty     *composite.UncertaintyRecord `json:"uncertainty,omitempty"`
}

// provenance builds the record of a run; extra names further input files
// (e.g. --grades) to hash.
func (r *idxRun) provenance(cmd string, unc *composite.UncertaintyRecord, extra ...string) (provenance, error) {
	p := provenance{Program: "cityimpact", Version: Version, Command: cmd, Framework: r.fw.Code, Edition: r.fw.Edition,
		Data: r.source, Inputs: append([]string(nil), r.hashes...), Impute: "none", Method: r.opt.Record(), Uncertainty: unc}
	b, err := r.fw.Marshal()
	if err != nil {
		return p, err
	}
	sum := sha256.Sum256(b)
	p.FrameworkSHA256 = hex.EncodeToString(sum[:])
	if r.flags != nil {
		if *r.flags.impute != "" {
			p.Impute = *r.flags.impute
		}
		extra = append([]string{*r.flags.ahp, *r.flags.quality, *r.flags.values, *r.flags.delphi}, extra...)
	}
	for _, name := range extra {
		if name == "" {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return p, &UserError{err}
		}
		sum := sha256.Sum256(b)
		p.Inputs = append(p.Inputs, name+" "+hex.EncodeToString(sum[:]))
	}
	return p, nil
}

// writeProvenance writes p as JSON to the --provenance file, if one was named.
func (r *idxRun) writeProvenance(p provenance) error {
	if r.flags == nil || *r.flags.provenance == "" {
		return nil
	}
	var b bytes.Buffer
	if err := writeJSON(&b, p); err != nil {
		return err
	}
	if err := writeFileAtomic(*r.flags.provenance, b.Bytes()); err != nil {
		return &UserError{err}
	}
	return nil
}

// matrixProv is the provenance of a decision-matrix result (weights or
// rank --input): program, version, the input files' SHA-256 and the
// options as given with defaults filled in.
type matrixProv struct {
	Program string            `json:"program"`
	Version string            `json:"version"`
	Command string            `json:"command"`
	Inputs  []string          `json:"inputs_sha256"`
	Options map[string]string `json:"options"`
}

func matrixProvenance(cmd string, opts map[string]string, files ...string) (matrixProv, error) {
	p := matrixProv{Program: "cityimpact", Version: Version, Command: cmd, Options: opts}
	if opts["directions"] == "" {
		opts["directions"] = "all +"
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			return p, &UserError{err}
		}
		sum := sha256.Sum256(b)
		p.Inputs = append(p.Inputs, name+" "+hex.EncodeToString(sum[:]))
	}
	return p, nil
}
