package timewin_test

import (
	"fmt"
	"log"

	"github.com/zagg-go/zagg/pipeline/timewin"
)

// Bin ATL06 delta_time values into ICESat-2 cycles given on the command
// line as --cycles 3-5, and encode the windows as a CF time coordinate.
func Example() {
	first, last, err := timewin.ParseCycles("3-5")
	if err != nil {
		log.Fatal(err)
	}
	spec := timewin.Spec{Kind: timewin.Cycle, FirstCycle: first, LastCycle: last}
	windows, err := spec.Windows()
	if err != nil {
		log.Fatal(err)
	}
	for _, w := range windows {
		fmt.Println(w)
	}
	b, err := timewin.ATLASEpoch().Binner(windows)
	if err != nil {
		log.Fatal(err)
	}
	deltaTime := []float64{3.9e7, 4.5e7, 5.0e7, 5.6e7, 9e7}
	idx := make([]int32, len(deltaTime))
	in := b.Index(idx, deltaTime)
	fmt.Println(idx, in)
	fmt.Println(timewin.CFUnits, timewin.AppendBounds(nil, windows[:1]))
	// Output:
	// cycle 03 [2019-03-29T07:39:37Z, 2019-06-28T03:19:26Z)
	// cycle 04 [2019-06-28T03:19:26Z, 2019-09-26T22:59:15Z)
	// cycle 05 [2019-09-26T22:59:15Z, 2019-12-26T18:39:04Z)
	// [-1 0 1 2 -1] 3
	// seconds since 2018-01-01 00:00:00 [3.9080377e+07 4.6927166e+07]
}
