package cmr

import (
	"errors"
	"fmt"
	"strings"
)

// Errors returned by this package. They are wrapped with context (which
// request, which granule, which key); test for them with [errors.Is].
var (
	// ErrHTTP reports a CMR or Earthdata reply with an unexpected HTTP status
	// after all retries. The concrete error is a *[HTTPError].
	ErrHTTP = errors.New("cmr: HTTP error")

	// ErrTimedOut reports a CMR page that carried the CMR-Time-Out header:
	// CMR stopped the search early and the page may be partial. The search
	// fails instead of silently dropping granules.
	ErrTimedOut = errors.New("cmr: CMR reported a timed-out (partial) search page")

	// ErrResponse reports a reply body or header that cannot be decoded
	// (malformed JSON, a missing required field, an inconsistent hit count).
	ErrResponse = errors.New("cmr: invalid response")

	// ErrQuery reports a search query that cannot be sent (missing short
	// name, start after end, a malformed bounding box).
	ErrQuery = errors.New("cmr: invalid query")

	// ErrNoGranules reports a catalog request whose search found no
	// granule, or no granule touching the region (BuildCatalog).
	ErrNoGranules = errors.New("cmr: no granules")

	// ErrGranuleName reports a file name that does not follow the ICESat-2
	// granule naming convention.
	ErrGranuleName = errors.New("cmr: not an ICESat-2 granule name")

	// ErrCycle reports an ICESat-2 cycle number outside the supported range.
	ErrCycle = errors.New("cmr: invalid ICESat-2 cycle")

	// ErrGeoJSON reports GeoJSON that cannot be decoded into polygons.
	ErrGeoJSON = errors.New("cmr: invalid GeoJSON")

	// ErrGeometry reports a polygon that is not a valid region on the
	// sphere (too few distinct vertices, non-finite or out-of-range
	// coordinates, antipodal consecutive vertices, self-intersections).
	ErrGeometry = errors.New("cmr: invalid polygon")

	// ErrNoFootprint reports a granule without a usable footprint polygon
	// (ECS-era records that carry only an Orbit block).
	ErrNoFootprint = errors.New("cmr: granule has no footprint polygon")

	// ErrCatalog reports a catalog file that cannot be loaded; the message
	// names the offending key or entry.
	ErrCatalog = errors.New("cmr: invalid catalog file")

	// ErrUnknownCell reports a cell asked for (Catalog.Select, --cell) that
	// the catalog does not list.
	ErrUnknownCell = errors.New("cmr: cell not in catalog")

	// ErrNoHTTPSURL reports an s3:// granule URL the catalog cannot turn
	// into its HTTPS twin (Catalog.HTTPSURL).
	ErrNoHTTPSURL = errors.New("cmr: no HTTPS URL for granule")

	// ErrNoCredentials reports that no Earthdata login was found in the
	// options, the environment or the netrc file.
	ErrNoCredentials = errors.New("cmr: no Earthdata credentials")

	// ErrAuth reports that Earthdata Login or the s3credentials endpoint
	// refused the credentials or returned an unusable reply.
	ErrAuth = errors.New("cmr: Earthdata authentication failed")
)

// HTTPError is the error for an HTTP reply with an unexpected status. It
// never contains credentials: the URL is reduced to scheme, host and path.
type HTTPError struct {
	Method     string   // request method
	URL        string   // scheme://host/path of the request, without query
	StatusCode int      // HTTP status
	Messages   []string // "errors" of a CMR error body, if any
	RequestID  string   // CMR-Request-Id header, if any
	Attempts   int      // number of attempts made
}

// Error implements error.
func (e *HTTPError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cmr: %s %s: HTTP %d", e.Method, e.URL, e.StatusCode)
	if len(e.Messages) > 0 {
		fmt.Fprintf(&b, ": %s", strings.Join(e.Messages, "; "))
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (CMR-Request-Id %s)", e.RequestID)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrHTTP) true.
func (e *HTTPError) Unwrap() error { return ErrHTTP }
