package main

import (
	"github.com/zagg-go/zagg/pipeline/cellmap"
	"github.com/zagg-go/zagg/zarrstore"
)

// The modes of the one-pass map step (pipeline/cellmap):
//
//	mapbuild  map the cell's granules: each read once, its points routed to
//	          their parent cells and stored as one object per granule
//	mapped    process the cell from the objects mapbuild stored
const (
	modeMapBuild = "mapbuild"
	modeMapped   = "mapped"
)

// mapStore returns the sidecar cell-map store of a source, as indexStore
// does for the indexes.
func mapStore(dir, source, endpoint string) (*cellmap.Store, error) {
	if source == "s3" {
		z, err := openS3Store("s3://out/dense-cellmap", endpoint)
		if err != nil {
			return nil, err
		}
		return &cellmap.Store{Backend: z.Backend()}, nil
	}
	return &cellmap.Store{Backend: zarrstore.NewFSBackend(dir+"/cellmap-store", false)}, nil
}
