//go:build !race

package zarrstore

const raceEnabled = false
