package healpix_test

import (
	"fmt"

	"github.com/zagg-go/zagg/healpix"
)

func ExampleLatLonToNest() {
	// A point near the South Pole at order 6 (cells of about 100 km).
	fmt.Println(healpix.LatLonToNest(6, -80, 120))
	// Bad input gives Invalid, not a panic.
	fmt.Println(healpix.LatLonToNest(6, 91, 0) == healpix.Invalid)
	// Output:
	// 37010
	// true
}

func ExampleLatLonToNestSlice() {
	lat := []float64{0, 45, -45}
	lon := []float64{0, -122, 10}
	dst := make([]uint64, len(lat))
	healpix.LatLonToNestSlice(dst, 6, lat, lon)
	fmt.Println(dst)
	// Output:
	// [19456 9926 35382]
}

func ExampleLatitudeConvention_ToSphere() {
	// A geodetic WGS84 latitude of 45° lies at 44.87° on the authalic sphere.
	conv, err := healpix.ParseLatitudeConvention("authalic")
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s %.6f\n", conv, conv.ToSphere(45))
	fmt.Printf("%s %.6f\n", healpix.Geodetic, healpix.Geodetic.ToSphere(45))
	// Output:
	// authalic 44.871703
	// geodetic 45.000000
}

func ExampleNestToRing() {
	nest := healpix.LatLonToNest(2, 30, 60)
	ring := healpix.NestToRing(2, nest)
	fmt.Println(nest, ring, healpix.RingToNest(2, ring) == nest)
	// Output:
	// 4 43 true
}

func ExampleNestCenter() {
	lat, lon := healpix.NestCenter(6, 37010)
	fmt.Printf("%.6f %.6f\n", lat, lon)
	// Output:
	// -79.752828 118.928571
}

func ExampleNestBoundary() {
	// The four corners (step 1) of base cell 4, north, west, south, east.
	for _, p := range healpix.NestBoundary(nil, 0, 4, 1) {
		fmt.Printf("(%.4f, %.1f)\n", p[0], p[1])
	}
	// Output:
	// (41.8103, 0.0)
	// (0.0000, 315.0)
	// (-41.8103, 0.0)
	// (0.0000, 45.0)
}

func ExampleParent() {
	// The order-6 parent of an order-12 cell, and the order-12 range it spans.
	p := healpix.Parent(12, 79691776, 6)
	first, last := healpix.ChildRange(6, p, 12)
	fmt.Println(p, first, last, last-first)
	// Output:
	// 19456 79691776 79695872 4096
}

func ExampleNestNeighbours() {
	// The eight neighbours of the northernmost cell of base cell 4 at order 1:
	// its north corner is one of the eight vertices where only three base
	// cells meet, so it has no neighbour to the north.
	nb := healpix.NestNeighbours(1, 19)
	fmt.Println(nb[healpix.N] == healpix.Invalid, nb[healpix.NE], nb[healpix.NW])
	// Output:
	// true 2 13
}

func ExampleLatLonToRing() {
	// RING numbering counts along rings of constant latitude from the north
	// pole: the first cells at order 1 are the four around the pole.
	fmt.Println(healpix.LatLonToRing(1, 80, 10), healpix.LatLonToRing(1, 80, 100))
	fmt.Println(healpix.NestToRing(1, healpix.LatLonToNest(1, 80, 10)))
	// Output:
	// 0 1
	// 0
}
