package config_test

import (
	"errors"
	"fmt"

	"github.com/zagg-go/zagg/agg"
	"github.com/zagg-go/zagg/pipeline/config"
)

// The built-in ATL06 config: zagg 0.1.0's statistics of h_li per order-12
// cell.
func ExampleBuiltin() {
	cfg, err := config.Builtin("atl06")
	if err != nil {
		panic(err)
	}
	a, err := cfg.CompileAggregation()
	if err != nil {
		panic(err)
	}
	fmt.Println("groups:", cfg.DataSource.Groups)
	fmt.Println("child order:", cfg.Output.Grid.ChildOrder, "latitude:", cfg.Output.Latitude)
	for i := 0; i < a.NumVariables(); i++ {
		v := a.Variable(i)
		fmt.Printf("%-10s %-8s mergeable=%v\n", v.Name, v.DType, a.Mergeable(i))
	}
	fmt.Println("columns:", a.Columns())
	// Output:
	// groups: [gt1l gt1r gt2l gt2r gt3l gt3r]
	// child order: 12 latitude: authalic
	// count      int32    mergeable=true
	// h_min      float32  mergeable=true
	// h_max      float32  mergeable=true
	// h_mean     float32  mergeable=true
	// h_sigma    float32  mergeable=true
	// h_variance float32  mergeable=true
	// h_q25      float32  mergeable=false
	// h_q50      float32  mergeable=false
	// h_q75      float32  mergeable=false
	// columns: [h_li s_li /{group}/land_ice_segments/atl06_quality_summary]
}

// A config error names the file, line, column and key path, and matches
// both config.ErrInvalid and the specific sentinel.
func ExampleParse_error() {
	_, err := config.Parse("my.yaml", []byte(`
data_source:
  coordinates: {latitude: /lat, longitude: /lon}
  variables: {h: /h}
aggregation:
  variables:
    h_avg: {function: mean, source: h}
    h_mad: {function: mad, source: h}
output:
  grid: {type: healpix, child_order: 12}
`))
	fmt.Println(err)
	fmt.Println(errors.Is(err, config.ErrInvalid), errors.Is(err, agg.ErrUnknownFunction))
	var ce *config.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.Path, ce.Line)
	}
	// Output:
	// my.yaml:8:23: aggregation.variables.h_mad.function: Cannot resolve 'mad' as numpy function
	// true true
	// aggregation.variables.h_mad.function 8
}
