//go:build !unix

package agg

func cpuSeconds() float64 { return 0 }
