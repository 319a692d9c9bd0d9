package evaluation

import (
	"context"
	"os"
	"testing"
)

func TestRunDemoQuick(t *testing.T) {
	src, err := SpecTemplate("seed-2025", true)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSpec([]byte(src), "spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), s, RunOptions{Version: "test", Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Causal {
		t.Logf("%s %s est=%v err=%s tests=%v", m.Method, m.Outcome, m.Estimates, m.Error, m.Tests)
	}
	t.Log(res.Cities[0].Narrative)
	_ = os.Stdout
}
