package econ_test

import (
	"math"
	"os"

	"github.com/cityimpact/cityimpact/econ"
)

// A TWFE coefficient and a heterogeneity-robust estimate in one table: any
// estimator becomes a column by filling a TableModel (the constructors
// ResultModel, CSTableModel, ImputationTableModel, SDIDTableModel,
// SynthTableModel and MediationTableModel do this from their results).
func ExampleNewModelTable() {
	nan := math.NaN()
	twfe := econ.TableModel{DepVar: "lemp", Estimator: "TWFE OLS", FE: []string{"county", "year"}, VCov: "cluster(county)",
		NObs: 2500, R2: 0.9932, R2Within: 0.0042,
		Coefs: []econ.Coef{{Name: econ.TableATT, Estimate: -0.0365, SE: 0.0133, T: -2.76, P: 0.006}}}
	cs := econ.TableModel{DepVar: "lemp", Estimator: "Callaway–Sant'Anna", VCov: "influence function", NObs: 500, R2: nan, R2Within: nan,
		Coefs: []econ.Coef{{Name: econ.TableATT, Estimate: -0.0400, SE: 0.0115, T: -3.48, P: 0.0005}}}
	tab := econ.NewModelTable([]econ.TableModel{twfe, cs}, econ.TableOptions{Titles: []string{"TWFE", "CS"}})
	tab.WriteText(os.Stdout)
	// Output:
	// TWFE                  CS
	// Dependent var.             lemp                lemp
	// ----------------------------------------------------
	// ATT                   -0.036***           -0.040***
	//                         (0.013)             (0.011)
	// ----------------------------------------------------
	// county                      Yes                  No
	// year                        Yes                  No
	// ----------------------------------------------------
	// Estimator              TWFE OLS  Callaway–Sant'Anna
	// S.E. type       cluster(county)  influence function
	// Observations               2500                 500
	// R2                       0.9932
	// Within R2                0.0042
	// ----------------------------------------------------
	// standard errors in parentheses; *** p < 0.01, ** p < 0.05, * p < 0.1
}
