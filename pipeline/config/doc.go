// Package config reads, validates and writes zagg pipeline configurations:
// which datasets of a granule to read (data_source), which statistics to
// compute (aggregation, compiled by package agg) and how to write them
// (output). It depends on agg and healpix only, so tools can check a config
// without pulling in the pipeline.
//
// A Config is zagg 0.1.0's pipeline YAML, which works unchanged, plus a few
// keys of this port. Load reads a file, Parse a document (YAML
// or JSON, as carried by Lambda events), Builtin a built-in ("atl06",
// zagg 0.1.0's ATL06 land-ice statistics). Loading validates everything that
// can be checked without data — unknown keys, functions, dtypes, columns,
// params, expressions, filters, orders, codecs — and reports the first
// problem as a *Error naming the file, line, column and YAML key path:
//
//	atl06.yaml:27:23: aggregation.variables.h_min.function: Cannot resolve 'mni' as numpy function
//
// The schema, with this port's additions marked (+):
//
//	data_source:
//	  reader: h5coro                # informational (h5coro | h5read)
//	  driver: s3                    # s3 (default) | https | file
//	  groups: [gt1l, gt1r, gt2l, gt2r, gt3l, gt3r]   # substituted for {group}
//	  coordinates:                  # exactly latitude and longitude
//	    latitude:  "/{group}/land_ice_segments/latitude"
//	    longitude: "/{group}/land_ice_segments/longitude"
//	  variables:                    # column name: dataset path template
//	    h_li: "/{group}/land_ice_segments/h_li"
//	    s_li: "/{group}/land_ice_segments/h_li_sigma"
//	  quality_filter:               # keep rows where dataset == value
//	    dataset: "/{group}/land_ice_segments/atl06_quality_summary"
//	    value: 0
//	  filters:                      # (+) ==, !=, <, <=, >, >=, in, not_in, between
//	    - {variable: h_li, op: between, value: [-500, 9000]}
//	  on_granule_error: fail        # (+) fail (default) | skip
//	aggregation:                    # see package agg
//	  coordinates:
//	    cell_ids: {dtype: uint64, fill_value: 0}
//	    morton:   {dtype: int64,  fill_value: 0}
//	  variables:                    # YAML order = output order
//	    count:   {function: len, source: h_li, dtype: int32, fill_value: 0}
//	    h_mean:  {function: average, source: h_li, params: {weights: "1.0 / s_li**2"}}
//	    h_sigma: {expression: "1.0 / np.sqrt(np.sum(1.0 / s_li**2))",
//	              units: meters, long_name: "uncertainty of h_mean"}   # (+) units, long_name
//	                                # (default: from the source dataset's HDF5 attributes)
//	output:
//	  grid: {type: healpix, indexing_scheme: nested, child_order: 12,
//	         parent_order: 6}       # (+) parent_order overrides the catalog's
//	  store: ./output.zarr          # local path or s3://bucket/prefix
//	  codec: zstd                   # (+) none | gzip | zstd | crc32c, or {name, level}
//	  inner_chunk_order: 10         # (+) sharding_indexed, inner chunk = one order-10 cell
//	  latitude: authalic            # (+) authalic | geodetic (zagg 0.1.0 cells); absent: the catalog's
//	  orders: [12, 9, 6]            # (+) orders to write; default child..parent
//	catalog: catalog.json           # optional
//	bounds:                         # optional; validated, not used
//	  temporal: {start_date: 2024-01-06, end_date: 2024-04-06}
//
// Differences from zagg 0.1.0, all deliberate: unknown keys anywhere are
// errors (0.1.0 ignored unknown top-level keys); a function's source is
// required (0.1.0 silently used h_li), except for len/count; numeric-string
// params ("0.25") are numbers; expressions are a sandboxed numpy subset, not
// Python eval; values equal to a dataset's HDF5 fill value are dropped
// (0.1.0 kept them); a config without output.latitude follows its catalog's
// convention (authalic for catalogs of this port, geodetic — 0.1.0's cell
// assignment — for 0.1.0 catalogs). The 0.1.0 quickstart's top-level store:
// is read as output.store (Config.Notes says so).
package config
