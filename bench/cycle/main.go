// Command cycle is the simulated-Antarctic-cycle benchmark of issue #19:
// synthetic ATL06-layout granules along real ICESat-2 geometry, processed
// over every parent cell they cover, today's design against the floors of
// decoding each coordinate chunk once per run and once per cell, and against
// Python zagg on the same cells (pyzagg_bench.py). See README.md.
//
// Usage (from the repository root):
//
//	go run ./bench/cycle gen   -n 150 -dir /tmp/zagg-cycle          # granules + catalog.json
//	go run ./bench/cycle run   -dir /tmp/zagg-cycle [-design today] [-source local|http] [-latency 20ms]
//	go run ./bench/cycle check -dir /tmp/zagg-cycle -python py.json  # our statistics vs Python zagg's
//
// bash bench/cycle/run.sh does all of it and prints the table.
package main

import (
	"fmt"
	"os"
	"sort"
)

// commands are the subcommands.
var commands = map[string]func(args []string) error{
	"gen":   cmdGen,
	"run":   cmdRun,
	"check": cmdCheck,
	"serve": cmdServe,
}

func main() {
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		names := make([]string, 0, len(commands))
		for n := range commands {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: go run ./bench/cycle %v [flags] (see bench/cycle/README.md)\n", names)
		os.Exit(2)
	}
	if err := commands[os.Args[1]](os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "cycle %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
