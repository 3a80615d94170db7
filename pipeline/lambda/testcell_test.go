package lambda

import (
	"fmt"

	"github.com/zagg-go/zagg/morton"
)

// testCell parses a catalog key (a decimal legacy morton id) of a test.
func testCell(key string) morton.Cell {
	c, err := morton.Parse(key)
	if err != nil {
		panic(err)
	}
	return c
}

// keyOf returns the catalog key of the i-th (0 ≤ i < 256) of a set of
// order-6 test cells.
func keyOf(i int) string {
	return fmt.Sprintf("-421%d%d%d%d", 1+i>>6&3, 1+i>>4&3, 1+i>>2&3, 1+i&3)
}
