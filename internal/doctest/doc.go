// Package doctest checks the written guide (README.md, CHANGELOG.md and
// docs/*.md) against the code, as tests:
//
//   - TestLinks: every relative link and #anchor resolves (files and folders
//     exist; anchors match a heading under GitHub's slug rules, or an
//     explicit <a id>/<a name>).
//   - TestRunnableBlocks: every fenced block marked runnable is run (shell,
//     Python) or built and run (Go), on the built-in sample data, without
//     network.
//   - TestCommandFlags: every command line of the tools in a shell or
//     indented code block (zagg …, go run ./examples/local …, go run
//     ./examples/lambda dispatch …), run or not, names an existing
//     subcommand and only flags its -h lists.
//   - TestConfigErrors: the error messages docs/config.md shows are the ones
//     config.Parse gives for each mistake.
//
// # Marking a block runnable
//
// A fenced block is runnable when the word "runnable" follows its language
// in the info string; GitHub highlights by the first word, so it renders as
// usual:
//
//	```sh runnable
//	zagg demo --quiet
//	zagg info --store demo.zarr --no-values
//	```
//
// Languages: sh or bash (run with bash -euo pipefail), python (run with the
// pinned venv of scripts/python/venv.sh: $ZAGG_VENV or .venv; without it the
// block is skipped, or the test fails under CI), and go. A go block with
// file=PATH must equal that file of the repository byte for byte (after the
// trailing newline) and stands for the package in PATH's folder; a
// go block without file= is a complete main package, written to a
// temporary folder under internal/doctest/testdata; either is built with
// go build and run in the page's scratch folder.
// Options after runnable: timeout=DURATION (default 2m) bounds the block.
//
// The blocks of one page run in order in one scratch folder, so a page can
// go demo → info → render → export → open in xarray. The scratch folder
// holds a symlink to every top-level entry of the repository that git
// tracks (so paths such as internal/sampledata/catalog.json read as from a
// fresh clone's root), and the command-line tool (examples/local, built
// once) is on PATH as zagg.
// Blocks needing AWS or an Earthdata login are not marked runnable.
package doctest
