package render_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"log"

	"github.com/zagg-go/zagg/healpix"
	"github.com/zagg-go/zagg/render"
	"github.com/zagg-go/zagg/zarrstore"
)

func ExampleEPSG3031() {
	p := render.EPSG3031()
	x, y := p.Forward(-75, -120) // geodetic degrees → metres
	fmt.Printf("x = %.3f m, y = %.3f m\n", x, y)
	lat, lon := p.Inverse(x, y)
	fmt.Printf("lat = %.6f°, lon = %.6f°\n", lat, lon)
	// Output:
	// x = -1419227.916 m, y = -819391.619 m
	// lat = -75.000000°, lon = -120.000000°
}

func ExampleEPSG3413() {
	p := render.EPSG3413()
	x, y := p.Forward(70, -45) // on the central meridian, at the standard parallel
	fmt.Printf("x = %.3f m, y = %.3f m\n", x, y)
	// Output:
	// x = 0.000 m, y = -2187927.649 m
}

// Build a layer from (cell, value) pairs and render it at a fixed size.
func ExampleRender() {
	const order = 6
	var cells []uint64
	var values []float64
	for c := range healpix.NPix(order) {
		lat, lon := healpix.NestCenter(order, c)
		if lat < -65 {
			cells = append(cells, c)
			values = append(values, lon/10) // 0 … 36
		}
	}
	layer, err := render.FromCells(order, healpix.Authalic, cells, values)
	if err != nil {
		log.Fatal(err)
	}
	layer.Name, layer.Units = "demo", "m"
	m, err := render.Render(layer, render.Options{Width: 400, Height: 400})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Grid.Projection, m.Grid.Width, m.Grid.Height, m.Colormap.Name())
	fmt.Printf("colours from %.2f to %.2f\n", m.Limits.Lo, m.Limits.Hi)
	fmt.Println(m.Title)
	var buf bytes.Buffer // or an http.ResponseWriter, a file, …
	if err := png.Encode(&buf, m.Image); err != nil {
		log.Fatal(err)
	}
	// Output:
	// EPSG:3031 400 400 viridis
	// colours from 0.75 to 35.25
	// demo · order 6
}

// Read a variable of a zagg store and look up values.
func ExampleReadLayer() {
	ctx := context.Background()
	s := zarrstore.New(zarrstore.NewMemBackend())
	_, err := s.Setup(ctx, zarrstore.Layout{
		ParentOrder: 2,
		Orders:      []int{4},
		Variables: []zarrstore.Variable{{Name: "h_mean", DataType: zarrstore.Float32,
			Attributes: map[string]any{"units": "m"}}},
		Parents: []uint64{170},
	})
	if err != nil {
		log.Fatal(err)
	}
	// Chunk 0 holds the children of order-2 parent 170: order-4 cells
	// 2720 … 2735.
	vals := make([]float32, 16)
	for i := range vals {
		vals[i] = float32(100 + i)
	}
	if err := s.WriteChunk(ctx, "4/h_mean", 0, vals); err != nil {
		log.Fatal(err)
	}
	layer, err := render.ReadLayer(ctx, s, "h_mean", -1, render.ReadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(layer.Name, layer.Order(), layer.Latitude(), layer.Units, layer.Len())
	fmt.Println(layer.Value(2721), layer.Value(5))
	// Output:
	// h_mean 4 authalic m 16
	// 101 NaN
}

func ExampleParseColormap() {
	cm, err := render.ParseColormap("rdbu_r")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cm.Name(), cm.Diverging(), cm.At(0), cm.At(1))
	// Output:
	// rdbu_r true {5 48 97 255} {103 0 31 255}
}

// Sample gives the value behind every pixel, for services that encode maps
// themselves.
func ExampleSample() {
	layer, _ := render.FromCells(3, healpix.Authalic, []uint64{700}, []float64{42})
	lat, lon := healpix.NestCenter(3, 700)
	x, y := render.EPSG3031().Forward(healpix.GeodeticFromAuthalic(lat), lon)
	g, err := render.NewGrid(render.EPSG3031(), render.Extent{MinX: x - 1500, MinY: y - 1500, MaxX: x + 1500, MaxY: y + 1500}, 1000)
	if err != nil {
		log.Fatal(err)
	}
	vals, _ := render.Sample(nil, g, layer, 1)
	fmt.Println(g.Width, g.Height, vals)
	// Output:
	// 3 3 [42 42 42 42 42 42 42 42 42]
}
