package pipeline

import (
	"errors"
)

// Errors of the catalog, the cell reader, the store and the runner. They are
// wrapped with context (the catalog key, granule URL or store path); test for
// them with errors.Is. A malformed catalog file is an error wrapping
// cmr.ErrCatalog.
var (
	// ErrEmptyCatalog means a run was given a catalog (or a selection of
	// cells) with no cell to process.
	ErrEmptyCatalog = errors.New("pipeline: no cells to process")
	// ErrConvention means the latitude conventions of the catalog, the config
	// and an existing store disagree. A run never mixes conventions: cells
	// hashed with one convention are different cells under the other.
	ErrConvention = errors.New("pipeline: latitude conventions differ")
	// ErrGranule means a granule could not be read: it is missing, not HDF5,
	// corrupt, or lacks a dataset the config names. The error names the URL.
	ErrGranule = errors.New("pipeline: granule unreadable")
	// ErrDriver means a granule URL cannot be read with the configured
	// driver (e.g. an https URL with the s3 driver, or no S3 client).
	ErrDriver = errors.New("pipeline: granule driver")
	// ErrStore means the output store is missing from the run or cannot be
	// set up for the config (see also zarrstore.ErrLayoutMismatch).
	ErrStore = errors.New("pipeline: store")
)
