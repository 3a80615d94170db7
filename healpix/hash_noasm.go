//go:build !amd64 || purego

package healpix

// useSIMD is false where there is no vector kernel (see hash_amd64.go).
var useSIMD = false

// hashSliceSIMD reports false: LatLonToNestSlice uses the portable passes.
func hashSliceSIMD(dst []uint64, o uint, lat, lon []float64) bool { return false }
