// Command zipcheck verifies a Lambda function.zip for the provided.al2023
// runtime: exactly one entry, "bootstrap", at the root, with its exec bit.
package main

import (
	"archive/zip"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: zipcheck function.zip")
		os.Exit(2)
	}
	r, err := zip.OpenReader(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "zipcheck:", err)
		os.Exit(1)
	}
	defer r.Close()
	if len(r.File) != 1 || r.File[0].Name != "bootstrap" {
		fmt.Fprintf(os.Stderr, "zipcheck: want one entry named bootstrap, got %d entries\n", len(r.File))
		os.Exit(1)
	}
	if m := r.File[0].Mode(); m&0o111 == 0 {
		fmt.Fprintf(os.Stderr, "zipcheck: bootstrap mode %v is not executable\n", m)
		os.Exit(1)
	}
	fmt.Printf("zipcheck: %s holds an executable bootstrap (%d bytes)\n", os.Args[1], r.File[0].UncompressedSize64)
}
