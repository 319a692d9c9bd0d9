package cli

import "github.com/cityimpact/cityimpact/econ"

// sunabAggregate applies --agg to a model with a sunab() term (fixest's
// summary(m, agg = …)); other models are returned unchanged, so --agg is
// harmless on them.
func sunabAggregate(r *econ.Result, agg string) (*econ.Result, error) {
	if r.Sunab == nil {
		return r, nil
	}
	a, err := econ.ParseAgg(agg)
	if err != nil {
		return nil, err
	}
	return r.Aggregate(a)
}
