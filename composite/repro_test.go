package composite

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

func TestMethodRecordDefaults(t *testing.T) {
	r := IndexOptions{}.Record()
	want := MethodRecord{Normalise: MinMax.String(), Scope: "pooled", Ties: "average", Winsor: "none", Weighting: WeightEntropy.String(), WeightScope: "pooled",
		Combine: CombineLinearRule.String(), Alpha: 0.5, AHPMethod: "eigenvector", AHPRI: "saaty", AHPMaxCR: 0.10, AHPReciprocalTol: 0.03,
		Aggregate: AggLinear.String(), Rho: 0.5, Missing: MissingReweight.String(),
		Grades: []string{"A≥0.8", "B≥0.6", "C≥0.4", "D"}, GradesOn: "score", GradeVetoCap: "D"}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("Record() = %+v\nwant %+v", r, want)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("marshal: %v", err)
	}
}

func TestMethodRecordChanges(t *testing.T) {
	base := IndexOptions{AHP: map[string][][][]float64{"d1": {{{1, 3}, {1.0 / 3, 1}}}, "d0": {{{1, 2}, {0.5, 1}}}}}
	b0, _ := json.Marshal(base.Record())
	b1, _ := json.Marshal(base.Record())
	if !bytes.Equal(b0, b1) {
		t.Fatalf("Record JSON differs between calls:\n%s\n%s", b0, b1)
	}
	variants := map[string]IndexOptions{}
	o := base
	o.Aggregate = AggGeometric
	variants["aggregate"] = o
	o = base
	o.Rho = 0.4
	variants["rho"] = o
	o = base
	o.Winsor = Winsor{Method: WinsorIQR}
	variants["winsor"] = o
	o = base
	o.AHP = map[string][][][]float64{"d1": {{{1, 4}, {0.25, 1}}}, "d0": {{{1, 2}, {0.5, 1}}}}
	variants["ahp judgement"] = o
	o = base
	o.AggregateAt = map[string]AggMethod{"d1": AggTOPSIS}
	variants["aggregate at"] = o
	o = base
	o.Grades = &Grades{Bands: []Band{{Name: "P", Min: 0.5}, {Name: "F", Min: -1}}}
	variants["grades"] = o
	for name, v := range variants {
		b, err := json.Marshal(v.Record())
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(b, b0) {
			t.Errorf("%s: changing the option leaves the record unchanged", name)
		}
	}
}

func TestUncertaintyRecord(t *testing.T) {
	x := &Index{Periods: []string{"2020", "2021"}, opt: IndexOptions{Aggregate: AggTOPSIS}}
	r := UncertaintyOptions{Replicates: 10, Seed: 7, Period: -1, Spread: 0.25, Normalisations: []NormMethod{MinMax, Percentile}}.Record(x)
	if r.Period != "2021" || r.Seed != 7 || r.Noise != "uniform" || len(r.Normalisations) != 2 || r.Aggregations[0] != AggTOPSIS.String() {
		t.Errorf("record %+v", r)
	}
}

func TestMethodRecordTies(t *testing.T) {
	if got := (IndexOptions{Ties: TiesMin}).Record().Ties; got != "min" {
		t.Errorf("Record().Ties = %q; want min", got)
	}
}
