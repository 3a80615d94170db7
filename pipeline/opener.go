package pipeline

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/zagg-go/zagg/cmr"
	"github.com/zagg-go/zagg/h5read"
	"github.com/zagg-go/zagg/h5read/s3src"
)

// Opener opens the granule at a catalog URL as an HDF5 file. The CellReader
// closes every File it opens. Implementations must be safe for concurrent
// use. S3Opener, HTTPSOpener, DirOpener and FSOpener are the drivers of
// data_source.driver (s3, https, file).
type Opener interface {
	Open(ctx context.Context, url string, opts ...h5read.Option) (*h5read.File, error)
}

// OpenerFunc adapts a function to the Opener interface.
type OpenerFunc func(ctx context.Context, url string, opts ...h5read.Option) (*h5read.File, error)

var _ Opener = OpenerFunc(nil)

// Open calls f.
func (f OpenerFunc) Open(ctx context.Context, url string, opts ...h5read.Option) (*h5read.File, error) {
	return f(ctx, url, opts...)
}

// S3Opener reads s3://bucket/key URLs with ranged GetObject requests on
// client (the s3 driver).
func S3Opener(client s3src.GetObjectAPI) Opener {
	return OpenerFunc(func(ctx context.Context, u string, opts ...h5read.Option) (*h5read.File, error) {
		if client == nil {
			return nil, fmt.Errorf("%w: no S3 client to read %s", ErrDriver, u)
		}
		bucket, key, err := SplitS3URL(u)
		if err != nil {
			return nil, err
		}
		return s3src.Open(ctx, client, bucket, key, opts...)
	})
}

// SplitS3URL splits "s3://bucket/key" into bucket and key.
func SplitS3URL(u string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%w: %q is not an s3:// URL", ErrDriver, u)
	}
	bucket, key, _ = strings.Cut(rest, "/")
	if bucket == "" || key == "" {
		return "", "", fmt.Errorf("%w: %q names no bucket and key", ErrDriver, u)
	}
	return bucket, key, nil
}

// HTTPSOpener reads granules with ranged HTTPS GETs (the https driver).
// rewrite turns a catalog URL into the URL to fetch (cmr.Catalog.HTTPSURL turns
// s3:// URLs into their HTTPS twins; nil keeps the URL); token returns the
// Earthdata bearer token sent with each request (nil sends none). A nil
// client means http.DefaultClient.
func HTTPSOpener(client *http.Client, rewrite func(string) (string, error), token func(context.Context) (string, error)) Opener {
	return OpenerFunc(func(ctx context.Context, u string, opts ...h5read.Option) (*h5read.File, error) {
		if rewrite != nil {
			var err error
			if u, err = rewrite(u); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrDriver, err)
			}
		}
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			return nil, fmt.Errorf("%w: %q is not an https:// URL", ErrDriver, u)
		}
		var tok string
		if token != nil {
			var err error
			if tok, err = token(ctx); err != nil {
				return nil, fmt.Errorf("%w: Earthdata token: %v", ErrDriver, err)
			}
		}
		return h5read.OpenHTTP(ctx, client, u, tok, opts...)
	})
}

// DirOpener reads granules from a local directory (the file driver, for
// pre-downloaded granules). A URL maps to a file under root: "file:///abs"
// and absolute paths are used as they are; for s3:// and https:// URLs the
// object key (the path after the bucket or host) is tried under root first,
// then the base name alone, so a directory holding either the bucket's layout
// or a flat folder of granules works.
func DirOpener(root string) Opener {
	return OpenerFunc(func(ctx context.Context, u string, opts ...h5read.Option) (*h5read.File, error) {
		var tried []string
		for _, rel := range localCandidates(u) {
			name := rel
			if !filepath.IsAbs(name) {
				name = filepath.Join(root, filepath.FromSlash(rel))
			}
			if _, err := os.Stat(name); err != nil {
				tried = append(tried, name)
				continue
			}
			return h5read.OpenFile(ctx, name, opts...)
		}
		return nil, fmt.Errorf("%w: %s: no such file (tried %s)", ErrGranule, u, strings.Join(tried, ", "))
	})
}

// FSOpener reads granules from a file system such as an embed.FS (the demo's
// built-in sample granules), mapping URLs to names as DirOpener does. Each
// read opens the file, reads at the offset and closes it again, so no handle
// outlives a read; the files must implement io.ReaderAt (embed.FS and
// os.DirFS files do).
func FSOpener(fsys fs.FS) Opener {
	return OpenerFunc(func(ctx context.Context, u string, opts ...h5read.Option) (*h5read.File, error) {
		var tried []string
		for _, rel := range localCandidates(u) {
			rel = strings.TrimPrefix(rel, "/")
			if !fs.ValidPath(rel) {
				continue
			}
			st, err := fs.Stat(fsys, rel)
			if err != nil {
				tried = append(tried, rel)
				continue
			}
			return h5read.Open(ctx, &fsReaderAt{fsys: fsys, name: rel}, st.Size(), opts...)
		}
		return nil, fmt.Errorf("%w: %s: not found (tried %s)", ErrGranule, u, strings.Join(tried, ", "))
	})
}

// fsReaderAt reads a file of an fs.FS at offsets, opening it per read.
type fsReaderAt struct {
	fsys fs.FS
	name string
}

// ReadAt implements io.ReaderAt.
func (r *fsReaderAt) ReadAt(p []byte, off int64) (int, error) {
	f, err := r.fsys.Open(r.name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	ra, ok := f.(io.ReaderAt)
	if !ok {
		return 0, fmt.Errorf("%w: %s does not support reads at offsets", ErrDriver, r.name)
	}
	return ra.ReadAt(p, off)
}

// localCandidates lists the relative (or absolute) paths a URL may map to in
// a local folder.
func localCandidates(u string) []string {
	if p, ok := strings.CutPrefix(u, "file://"); ok {
		return []string{p}
	}
	if i := strings.Index(u, "://"); i >= 0 {
		pu, err := url.Parse(u)
		if err != nil {
			return []string{path.Base(u)}
		}
		key := strings.TrimPrefix(pu.Path, "/")
		if base := path.Base(key); base != key {
			return []string{key, base}
		}
		return []string{key}
	}
	if filepath.IsAbs(u) {
		return []string{u}
	}
	return []string{u, path.Base(filepath.ToSlash(u))}
}

// NSIDCOpener returns the s3-driver opener for NSIDC's cloud bucket: the
// login's Earthdata token is exchanged for NSIDC's temporary S3 credentials
// (cmr.NewNSIDCS3Credentials), renewed before they expire, on a client in
// region ("" means us-west-2, the only region where those credentials work).
func NSIDCOpener(login cmr.Login, region string) Opener {
	if region == "" {
		region = "us-west-2"
	}
	return S3Opener(s3.New(s3.Options{Region: region, Credentials: cmr.NewNSIDCS3Credentials(login)}))
}

// EarthdataHTTPSOpener returns the https-driver opener: each catalog URL is
// turned into its HTTPS twin (cmr.Catalog.HTTPSURL) and fetched with ranged
// GETs carrying the login's Earthdata bearer token (obtained once, renewed
// when it expires). A nil client means one with a 5-minute timeout.
func EarthdataHTTPSOpener(cat *cmr.Catalog, login cmr.Login, client *http.Client) Opener {
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Minute}
	}
	ts := &cmr.TokenSource{Login: login}
	return HTTPSOpener(client, cat.HTTPSURL, func(ctx context.Context) (string, error) {
		tok, err := ts.Token(ctx)
		return tok.Reveal(), err
	})
}
