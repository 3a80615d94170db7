package render

import "errors"

// Errors reported by this package. They are wrapped with context (the
// option, cell, array or chunk concerned); test for them with errors.Is.
var (
	// ErrInvalidOptions means an option or parameter out of range: a
	// non-positive spacing, an empty or inverted extent, unordered limits,
	// an unknown projection or colormap name.
	ErrInvalidOptions = errors.New("render: invalid options")
	// ErrInvalidCell means a cell index that is not valid at the layer's
	// order, or a cell given twice.
	ErrInvalidCell = errors.New("render: invalid cell")
	// ErrNoData means a layer without a single cell holding a value, so
	// there is no extent or colour range to derive.
	ErrNoData = errors.New("render: no data")
	// ErrNotHEALPix means a store group or array that is not a zagg
	// HEALPix layout: no DGGS attributes, not 1-D, or not 12·4^order
	// cells long.
	ErrNotHEALPix = errors.New("render: not a HEALPix store variable")
	// ErrTooLarge means an image or layer above the configured bounds
	// (Options.MaxSize, MaxPixels, ReadOptions.MaxCells).
	ErrTooLarge = errors.New("render: too large")
)
