// Package render draws zagg's HEALPix statistics as maps: a store variable
// (or any set of cell values) is rasterised onto a polar stereographic
// (EPSG:3031, EPSG:3413) or equirectangular grid and returned as an
// image.Image, ready to encode as PNG.
//
// This file is completed as the package grows; see the package documentation
// of the released version.
package render
