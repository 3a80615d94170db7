// Command local is zagg's command-line tool: it builds granule catalogs from
// NASA CMR, runs the per-cell aggregation pipeline with a pool of goroutines,
// summarises and renders stores, and runs an offline demo on built-in data.
//
// Usage:
//
//	go run ./examples/local <command> [flags]
//
// Commands: catalog, index, map, run, demo, info, render, export. Run a command with -h for
// its flags.
package main

import (
	"fmt"
	"io"
	"os"
)

// commands maps a subcommand name to its entry point. Each entry point gets the
// arguments after the command name and returns the process exit code.
var commands = map[string]func(args []string, stdout, stderr io.Writer) int{}

const usage = `zagg: aggregate satellite point observations onto HEALPix cells

usage: go run ./examples/local <command> [flags]

commands:
  demo      run the whole pipeline on built-in sample data (no network)
  catalog   query NASA CMR and write a parent-cell granule catalog
  index     build the chunk indexes of a catalog's granules into a store
  map       route each granule's points to their parent cells once, into a store
  run       process the cells of a catalog into a Zarr v3 store
  info      summarise a store
  render    draw a store variable as a PNG map
  export    write one order of a store as CSV or GeoJSON
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		if isKnown(args[0]) {
			fmt.Fprintf(stderr, "zagg: %q is not yet available in this build\n", args[0])
			return 2
		}
		fmt.Fprintf(stderr, "zagg: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	return cmd(args[1:], stdout, stderr)
}

// isKnown reports whether name is a documented command.
func isKnown(name string) bool {
	switch name {
	case "demo", "catalog", "index", "map", "run", "info", "render", "export":
		return true
	}
	return false
}
