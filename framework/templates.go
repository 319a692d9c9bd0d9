package framework

import (
	"bytes"
	"embed"
	"fmt"
	"sort"
	"strings"
)

//go:generate go run ./internal/gentemplates -facts internal/gentemplates/facts -out templates

//go:embed templates/*.yaml
var templateFS embed.FS

// Templates returns the names of the built-in templates, sorted:
// gbt33356-2016, gbt33356-2018, iso37120, seed-2025, u4ssc.
func Templates() []string {
	entries, err := templateFS.ReadDir("templates")
	if err != nil {
		panic("framework: embedded templates missing: " + err.Error())
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// UnknownTemplateError is returned for a template name that is not built in.
type UnknownTemplateError struct{ Name string }

func (e *UnknownTemplateError) Error() string {
	return fmt.Sprintf("no built-in framework %q (have %s)", e.Name, strings.Join(Templates(), ", "))
}

// UserFacing reports that the error is the user's (the CLI exits 1).
func (e *UnknownTemplateError) UserFacing() bool { return true }

// TemplateSource returns the YAML text of the built-in template name, with
// its comments, for the user to copy and edit.
func TemplateSource(name string) ([]byte, error) {
	if strings.ContainsAny(name, "/\\") {
		return nil, &UnknownTemplateError{name}
	}
	b, err := templateFS.ReadFile("templates/" + name + ".yaml")
	if err != nil {
		return nil, &UnknownTemplateError{name}
	}
	return b, nil
}

// Template loads the built-in template name. Built-in templates have no
// errors (tests check this), but may carry warnings, e.g. indicators whose
// direction the source does not give.
func Template(name string) (*Framework, error) {
	b, err := TemplateSource(name)
	if err != nil {
		return nil, err
	}
	f, err := Load(bytes.NewReader(b), name+".yaml")
	if err != nil {
		return nil, fmt.Errorf("framework: built-in template %s: %w", name, err)
	}
	return f, nil
}

// IsTemplate reports whether name is a built-in template.
func IsTemplate(name string) bool {
	_, err := TemplateSource(name)
	return err == nil
}
