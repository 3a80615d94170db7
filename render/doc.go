// Package render draws zagg's HEALPix statistics as maps: one variable of a
// store (or any set of cell values) is rasterised onto a polar stereographic
// or equirectangular pixel grid and returned as an image.Image, ready for
// image/png. Services can serve maps with it; the command
// "go run ./examples/local render" writes PNG files with it.
//
// # Pull, not push
//
// Every pixel shows the value of the HEALPix cell that contains the pixel's
// centre, found the way the pipeline bins points: pixel centre → inverse
// map projection (geodetic WGS84 latitude and longitude) → the layer's
// latitude convention (healpix.Authalic converts to authalic latitude,
// healpix.Geodetic uses the geodetic latitude unchanged) → HEALPix NESTED
// hash at the layer's order → lookup. So the map agrees with the binning,
// convention included, and nothing is resampled: no holes appear between
// cells and no cell is smeared over its neighbours. Pixels whose cell holds
// no value (never written, equal to the array's fill value, or NaN) are
// transparent.
//
// # Layers
//
// A Layer is one variable at one order, read from a zagg store by ReadLayer
// (only the chunks that were written are read, concurrently) or built from
// (cell, value) pairs by FromCells. Values are kept as float32 in blocks of
// 4096 consecutive cells, allocated only where data exist, so an order-12
// layer of the whole Antarctic ice sheet (~6 million cells) takes ~25 MB.
//
// # Projections and grids
//
// Map coordinates are metres, x east and y north. EPSG3031 (WGS 84 /
// Antarctic Polar Stereographic: true scale at 71°S, central meridian 0°)
// and EPSG3413 (WGS 84 / NSIDC Sea Ice Polar Stereographic North: 70°N,
// 45°W) follow EPSG Guidance Note 7-2, polar stereographic variant B; they
// agree with the Guidance Note's worked examples, PROJ and vectors computed
// from Snyder's formulas (testdata) to a millimetre. Equirectangular covers everything else. A Grid
// is a rectangle of square pixels in a projection; pixel (0, 0) is the
// north-west corner.
//
// Render chooses what is not given: the projection from the data's latitudes
// (south of 50°S: EPSG:3031; north of 50°N: EPSG:3413; else
// equirectangular), the extent from the outline of the cells holding values,
// a 2 km spacing (coarsened to keep the longest side within
// Options.MaxSize, refined for small regions).
//
// # Colours
//
// Colour limits default to the 2nd and 98th percentiles of the layer's
// values (numpy's linear method), robust to outliers; values beyond the
// limits take the end colours. The default colormap is Viridis; for signed
// data (limits of opposite signs of comparable size) it is CoolWarm with
// limits symmetric about zero. RdBu is available, and every map reversed
// ("_r"). Render adds a title (variable, order, time window) and a colorbar
// labelled with the variable's units, written with a small built-in bitmap
// font, and can draw a region outline (e.g. cmr.Antarctica().Polygons).
//
// # Errors and limits
//
// Errors wrap the package's Err… sentinels (test with errors.Is). Sizes are
// bounded: at most MaxPixels pixels per image, Options.MaxSize pixels on a
// side of an automatically sized map, ReadOptions.MaxCells cells per layer.
// Malformed store metadata or chunks give errors, never panics.
//
// Facts behind this package: EPSG Guidance Note 7-2 (polar stereographic
// variant B), Snyder (1987), Map Projections: A Working Manual, and PROJ for
// the projections; rendering pulls each pixel's value from the cell holding
// its centre (HEALPix lookup), never pushes cells to pixels.
package render
