package morton_test

import (
	"fmt"

	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/morton"
)

func ExampleFromLatLon() {
	// The same point under both latitude conventions, at order 6.
	c := morton.FromLatLon(-80, 120, 6, healpix.Geodetic)
	fmt.Printf("%s %#x order %d nest %d\n", c, uint64(c), c.Order(), c.Nest())
	a := morton.FromLatLon(45, -122, 12, healpix.Authalic)
	g := morton.FromLatLon(45, -122, 12, healpix.Geodetic)
	fmt.Println(a, g)
	// Output:
	// -4113213 0xa092000000000006 order 6 nest 37010
	// 3234123213442 3234123232323
}

func ExampleFromLegacy() {
	c, err := morton.FromLegacy(-5111131)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Order(), c.Nest(), c.Parent(3))
	m, _ := c.Parent(3).Legacy()
	fmt.Println(m)
	// Output:
	// 6 40968 -5111
	// -5111
}

func ExampleParse() {
	c, err := morton.Parse("-4113213")
	fmt.Println(c.Nest(), err)
	_, err = morton.Parse("-4113215")
	fmt.Println(err)
	// Output:
	// 37010 <nil>
	// morton: invalid cell string: "-4113215": digit '5' at offset 7 not in 1…4
}

func ExampleCell_ChildrenAt() {
	c, _ := morton.Parse("-5111131")
	for ch := range c.ChildrenAt(7) {
		fmt.Println(ch, ch.Nest())
	}
	// Output:
	// -51111311 163872
	// -51111312 163873
	// -51111313 163874
	// -51111314 163875
}

func ExamplePointFromLatLon() {
	p := morton.PointFromLatLon(0, 0, healpix.Authalic)
	fmt.Println(p, p.IsPoint(), p.Order())
	fmt.Println(p.Parent(6))
	// Output:
	// 541111111111111111111111111111p true 29
	// 5411111
}

func ExampleCell_Contains() {
	parent := morton.FromLatLon(-75, 10, 6, healpix.Authalic)
	child := morton.FromLatLon(-75, 10, 12, healpix.Authalic)
	fmt.Println(parent, child, parent.Contains(child), child.Parent(6) == parent)
	// Sorting words as unsigned integers puts a parent before its children.
	fmt.Println(uint64(parent) < uint64(child))
	// Output:
	// -3131141 -3131141141123 true true
	// true
}
