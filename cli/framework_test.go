package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cityimpact/cityimpact/framework"
)

func TestFrameworkList(t *testing.T) {
	code, out, errs := runCLI(t, "framework", "list", "--format", "csv")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1+len(framework.Templates()) {
		t.Fatalf("list printed %d lines; want header + %d templates:\n%s", len(lines), len(framework.Templates()), out)
	}
	if !strings.Contains(out, "seed-2025,") || !strings.Contains(out, ",6,35,0") {
		t.Errorf("list csv lacks seed-2025 with 6 dimensions, 35 indicators, 0 warnings:\n%s", out)
	}
}

func TestFrameworkShow(t *testing.T) {
	code, out, errs := runCLI(t, "framework", "show", "seed-2025")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"  livelihood  民生服务 / Livelihood\n", "    satisfaction  市民对智慧服务满意度 / Residents' satisfaction with smart services  [%]  +  month/mean  target 92.3  floor 80"} {
		if !strings.Contains(out, want) {
			t.Errorf("show output lacks %q", want)
		}
	}
	code, out, errs = runCLI(t, "framework", "show", "--format", "json", "gbt33356-2016")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var f struct {
		Code string `json:"code"`
		Goal struct {
			Children []struct {
				Code   string  `json:"code"`
				Weight float64 `json:"weight"`
			} `json:"children"`
		} `json:"goal"`
	}
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("show --format json: %v", err)
	}
	if f.Code != "gbt33356-2016" || len(f.Goal.Children) != 8 || f.Goal.Children[0].Weight != 37 {
		t.Errorf("json = %+v; want 8 first-level nodes, L1 weight 37", f)
	}
	if code, _, _ := runCLI(t, "framework", "show", "no-such-framework"); code != ExitUser {
		t.Errorf("show of a missing file: exit %d; want %d", code, ExitUser)
	}
}

// TestFrameworkExportEditValidate follows the user's path: export a
// template, edit it, validate it.
func TestFrameworkExportEditValidate(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "mine.yaml")
	if code, _, errs := runCLI(t, "framework", "export", "seed-2025", "--out", file); code != ExitOK {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	if code, _, _ := runCLI(t, "framework", "export", "seed-2025", "--out", file); code != ExitUser {
		t.Errorf("export over an existing file without --force: exit %d; want %d", code, ExitUser)
	}
	code, out, errs := runCLI(t, "framework", "validate", file)
	if code != ExitOK || out != "" {
		t.Fatalf("validate of the exported template: exit %d, output %q, %s", code, out, errs)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "floor: 80", "floor: 95", 1) // above the 92.3 target
	edited = strings.Replace(edited, "frequency: month", "frequncy: month", 1)
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runCLI(t, "framework", "validate", file)
	if code != ExitUser {
		t.Fatalf("validate of a broken file: exit %d; want %d", code, ExitUser)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], file+":") || !strings.Contains(lines[0], `unknown key "frequncy"`) ||
		!strings.Contains(lines[1], ".floor: floor 95") {
		t.Errorf("validate printed:\n%s\nwant the misspelt key and the floor, each as file:line: path: message", out)
	}
	if !strings.Contains(errs, "have errors") {
		t.Errorf("stderr = %q; want a summary", errs)
	}
	code, out, _ = runCLI(t, "framework", "validate", "--format", "json", file)
	var res []struct {
		OK       bool                `json:"ok"`
		Problems []framework.Problem `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != ExitUser || len(res) != 1 || res[0].OK || len(res[0].Problems) != 2 {
		t.Errorf("validate --format json: exit %d, %v, %+v", code, err, res)
	}
}

func TestFrameworkExportTemplateToStdout(t *testing.T) {
	code, out, errs := runCLI(t, "framework", "export", "u4ssc")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want, _ := framework.TemplateSource("u4ssc")
	if out != string(want) {
		t.Errorf("export u4ssc differs from the embedded template")
	}
}

func TestFrameworkValidateWarningsOnly(t *testing.T) {
	code, out, errs := runCLI(t, "framework", "validate", "gbt33356-2016")
	if code != ExitOK {
		t.Fatalf("exit %d; want 0 for warnings only: %s", code, errs)
	}
	if !strings.Contains(out, "warning: direction unknown: set it before computing an index") {
		t.Errorf("no direction-unknown warning in:\n%s", out)
	}
}

func TestFrameworkUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"show"}, {"list", "--format", "xml"}, {"validate"}, {"export", "a", "b"}} {
		if code, _, _ := runCLI(t, append([]string{"framework"}, args...)...); code != ExitUser {
			t.Errorf("framework %v: exit %d; want %d", args, code, ExitUser)
		}
	}
	if code, _, _ := runCLI(t, "framework", "show", "--help"); code != ExitOK {
		t.Errorf("show --help: exit %d; want 0", code)
	}
}
