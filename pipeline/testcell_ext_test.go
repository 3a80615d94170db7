package pipeline_test

import (
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
