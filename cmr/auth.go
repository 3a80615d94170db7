package cmr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Earthdata endpoints.
const (
	// EDLHost is the Earthdata Login host, the netrc machine name.
	EDLHost = "urs.earthdata.nasa.gov"
	// DefaultEDLURL is the Earthdata Login base URL.
	DefaultEDLURL = "https://" + EDLHost
	// NSIDCS3CredentialsURL issues temporary S3 credentials for NSIDC's
	// cloud bucket (usable only from AWS us-west-2, valid one hour).
	NSIDCS3CredentialsURL = "https://data.nsidc.earthdatacloud.nasa.gov/s3credentials"
)

// Environment variables read by [FindLogin].
const (
	EnvToken    = "EARTHDATA_TOKEN"
	EnvUsername = "EARTHDATA_USERNAME"
	EnvPassword = "EARTHDATA_PASSWORD"
	EnvNetrc    = "NETRC"
)

// Secret is a credential (token, password, secret key). It formats as
// "[redacted]" with every fmt verb and in JSON, so it cannot leak into logs,
// errors or files by accident; use [Secret.Reveal] where the value is needed.
type Secret string

const redacted = "[redacted]"

// String implements fmt.Stringer without revealing the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString implements fmt.GoStringer without revealing the secret.
func (s Secret) GoString() string { return `cmr.Secret("` + s.String() + `")` }

// Format implements fmt.Formatter: every verb prints "[redacted]".
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, s.GoString())
		return
	}
	io.WriteString(f, s.String())
}

// MarshalText implements encoding.TextMarshaler (and so JSON) without
// revealing the secret.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

// Login is an Earthdata identity: either a bearer token or a username and
// password. Its secrets are [Secret]s.
type Login struct {
	Token    Secret // EDL bearer token, if known
	Username string
	Password Secret
	// Source says where the login came from ("option", "EARTHDATA_TOKEN",
	// "EARTHDATA_USERNAME/EARTHDATA_PASSWORD", "netrc <path>").
	Source string
}

// LoginOptions configures [FindLogin].
type LoginOptions struct {
	// Token, or Username and Password, given explicitly take precedence.
	Token    Secret
	Username string
	Password Secret
	// Getenv reads the environment (default os.Getenv).
	Getenv func(string) string
	// NetrcPath is the netrc file (default $NETRC, else ~/.netrc, or
	// ~/_netrc on Windows). A missing file is not an error.
	NetrcPath string
	// Machine is the netrc machine to look up (default EDLHost).
	Machine string
}

// FindLogin finds Earthdata credentials in this order: the explicit options,
// EARTHDATA_TOKEN, EARTHDATA_USERNAME + EARTHDATA_PASSWORD, the netrc entry
// for urs.earthdata.nasa.gov (or its default entry). It returns
// ErrNoCredentials if there are none.
func FindLogin(opts LoginOptions) (Login, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	switch {
	case opts.Token != "":
		return Login{Token: opts.Token, Source: "option"}, nil
	case opts.Username != "" || opts.Password != "":
		if opts.Username == "" || opts.Password == "" {
			return Login{}, fmt.Errorf("%w: username and password must be given together", ErrNoCredentials)
		}
		return Login{Username: opts.Username, Password: opts.Password, Source: "option"}, nil
	}
	if t := strings.TrimSpace(getenv(EnvToken)); t != "" {
		return Login{Token: Secret(t), Source: EnvToken}, nil
	}
	u, p := getenv(EnvUsername), getenv(EnvPassword)
	if u != "" && p != "" {
		return Login{Username: u, Password: Secret(p), Source: EnvUsername + "/" + EnvPassword}, nil
	}
	path := opts.NetrcPath
	if path == "" {
		path = getenv(EnvNetrc)
	}
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return Login{}, fmt.Errorf("%w: %s not set and no home directory for .netrc", ErrNoCredentials, EnvToken)
		}
		name := ".netrc"
		if runtime.GOOS == "windows" {
			name = "_netrc"
		}
		path = filepath.Join(home, name)
	}
	machine := opts.Machine
	if machine == "" {
		machine = EDLHost
	}
	data, err := readNetrc(path)
	if errors.Is(err, os.ErrNotExist) {
		return Login{}, fmt.Errorf("%w: set %s, or %s and %s, or add machine %s to %s",
			ErrNoCredentials, EnvToken, EnvUsername, EnvPassword, machine, path)
	}
	if err != nil {
		return Login{}, err
	}
	user, pass, ok, err := ParseNetrc(data, machine)
	if err != nil {
		return Login{}, fmt.Errorf("netrc %s: %w", path, err)
	}
	if !ok || user == "" || pass == "" {
		return Login{}, fmt.Errorf("%w: no login and password for machine %s in %s", ErrNoCredentials, machine, path)
	}
	return Login{Username: user, Password: Secret(pass), Source: "netrc " + path}, nil
}

// readNetrc reads a netrc file, refusing one that other users can read
// (like Python's netrc module) on systems with Unix permissions.
func readNetrc(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("netrc %s: %w", path, err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: netrc %s is accessible by other users (mode %#o); run chmod 600 %s",
			ErrNoCredentials, path, st.Mode().Perm(), path)
	}
	if st.Size() > 1<<20 {
		return nil, fmt.Errorf("%w: netrc %s is larger than 1 MiB", ErrNoCredentials, path)
	}
	return io.ReadAll(io.LimitReader(f, 1<<20))
}

// ParseNetrc returns the login and password of machine in a netrc file, or
// of its "default" entry if the machine has none. It understands the
// machine, default, login, password, account and macdef tokens; ok is false
// when no entry applies. Errors never contain the password.
func ParseNetrc(data []byte, machine string) (login, password string, ok bool, err error) {
	type entry struct{ login, password string }
	var found, dflt, cur *entry
	lines := strings.Split(string(data), "\n")
	var toks []string
	for i := 0; i < len(lines); i++ {
		fields := strings.Fields(lines[i])
		for j := 0; j < len(fields); j++ {
			if fields[j] == "macdef" {
				// A macro runs to the next empty line.
				for i++; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
				}
				break
			}
			if strings.HasPrefix(fields[j], "#") && len(toks)%2 == 0 {
				break // comment to end of line
			}
			toks = append(toks, fields[j])
		}
	}
	for k := 0; k < len(toks); k++ {
		switch t := toks[k]; t {
		case "machine":
			if k+1 >= len(toks) {
				return "", "", false, fmt.Errorf("%w: \"machine\" without a name", ErrNoCredentials)
			}
			k++
			cur = &entry{}
			if toks[k] == machine && found == nil {
				found = cur
			}
		case "default":
			cur = &entry{}
			if dflt == nil {
				dflt = cur
			}
		case "login", "password", "account":
			if k+1 >= len(toks) {
				return "", "", false, fmt.Errorf("%w: %q without a value", ErrNoCredentials, t)
			}
			k++
			if cur == nil {
				return "", "", false, fmt.Errorf("%w: %q before any machine entry", ErrNoCredentials, t)
			}
			switch t {
			case "login":
				cur.login = toks[k]
			case "password":
				cur.password = toks[k]
			}
		default:
			// Unknown tokens (e.g. "port") take no value we need; skip.
		}
	}
	switch {
	case found != nil:
		return found.login, found.password, true, nil
	case dflt != nil:
		return dflt.login, dflt.password, true, nil
	}
	return "", "", false, nil
}

// EDL talks to Earthdata Login.
type EDL struct {
	// BaseURL is the EDL root (default DefaultEDLURL).
	BaseURL string
	// HTTPClient sends requests (default: 60 s time-out). Redirects are not
	// followed, so Basic credentials never go to another host.
	HTTPClient *http.Client
}

// Token is an EDL bearer token and its expiry (zero if unknown).
type Token struct {
	AccessToken Secret
	Expires     time.Time
}

// FindOrCreateToken returns a valid user token, creating one if the user has
// none (POST /api/users/find_or_create_token with Basic auth). EDL allows two
// valid tokens per user; this endpoint reuses an existing one.
func (e *EDL) FindOrCreateToken(ctx context.Context, username string, password Secret) (Token, error) {
	base := e.BaseURL
	if base == "" {
		base = DefaultEDLURL
	}
	u := strings.TrimRight(base, "/") + "/api/users/find_or_create_token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return Token{}, fmt.Errorf("%w: EDL URL: %v", ErrAuth, err)
	}
	req.SetBasicAuth(username, password.Reveal())
	req.Header.Set("Accept", "application/json")
	body, status, err := doNoRedirect(e.HTTPClient, req, 1<<20)
	if err != nil {
		return Token{}, err
	}
	if status != http.StatusOK {
		return Token{}, fmt.Errorf("%w: EDL find_or_create_token for user %q: HTTP %d%s", ErrAuth, username, status, edlErrorCode(body))
	}
	var r struct {
		AccessToken    string `json:"access_token"`
		TokenType      string `json:"token_type"`
		ExpirationDate string `json:"expiration_date"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.AccessToken == "" {
		return Token{}, fmt.Errorf("%w: EDL find_or_create_token: reply has no access_token", ErrAuth)
	}
	tok := Token{AccessToken: Secret(r.AccessToken)}
	if r.ExpirationDate != "" {
		if t, err := time.Parse("01/02/2006", r.ExpirationDate); err == nil {
			tok.Expires = t.UTC()
		}
	}
	return tok, nil
}

// edlErrorCode extracts EDL's short error code, never the request.
func edlErrorCode(body []byte) string {
	var r struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &r) == nil && r.Error != "" && len(r.Error) < 100 {
		return " (" + r.Error + ")"
	}
	return ""
}

var defaultAuthClient = &http.Client{Timeout: 60 * time.Second}

// doNoRedirect sends req without following redirects and reads at most
// limit bytes of the reply.
func doNoRedirect(c *http.Client, req *http.Request, limit int64) ([]byte, int, error) {
	if c == nil {
		c = defaultAuthClient
	}
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := cc.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %s %s: %v", ErrAuth, req.Method, redactURL(req.URL), unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %s %s: reading reply: %v", ErrAuth, req.Method, redactURL(req.URL), err)
	}
	return body, resp.StatusCode, nil
}

// TokenSource hands out an EDL bearer token for a login: the login's own
// token, or one obtained with find_or_create_token and cached until a day
// before it expires. It is safe for concurrent use.
type TokenSource struct {
	Login Login
	EDL   *EDL // default &EDL{}

	mu  sync.Mutex
	tok Token
	now func() time.Time
}

// Token returns a bearer token.
func (s *TokenSource) Token(ctx context.Context) (Secret, error) {
	if s.Login.Token != "" {
		return s.Login.Token, nil
	}
	if s.Login.Username == "" || s.Login.Password == "" {
		return "", fmt.Errorf("%w: no token and no username/password", ErrNoCredentials)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now
	if s.now != nil {
		now = s.now
	}
	if s.tok.AccessToken != "" && (s.tok.Expires.IsZero() || now().Before(s.tok.Expires.Add(-24*time.Hour))) {
		return s.tok.AccessToken, nil
	}
	edl := s.EDL
	if edl == nil {
		edl = &EDL{}
	}
	tok, err := edl.FindOrCreateToken(ctx, s.Login.Username, s.Login.Password)
	if err != nil {
		return "", err
	}
	s.tok = tok
	return tok.AccessToken, nil
}

// S3Credentials fetches temporary AWS credentials from a DAAC's
// s3credentials endpoint with an EDL bearer token. It implements
// aws.CredentialsProvider; wrap it with [NewS3CredentialsProvider] so the
// SDK refreshes them before they expire.
type S3Credentials struct {
	// Endpoint is the s3credentials URL (default NSIDCS3CredentialsURL).
	Endpoint string
	// Token supplies the bearer token.
	Token interface {
		Token(ctx context.Context) (Secret, error)
	}
	// AppName, if set, is sent as the app-name header (labels the
	// credentials in NSIDC's metrics).
	AppName string
	// HTTPClient sends the request (default: 60 s time-out); redirects (the
	// endpoint's 307 to the login page) are not followed.
	HTTPClient *http.Client
}

var _ aws.CredentialsProvider = (*S3Credentials)(nil)

// Retrieve implements aws.CredentialsProvider.
func (p *S3Credentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if p.Token == nil {
		return aws.Credentials{}, fmt.Errorf("%w: s3credentials: no token source", ErrNoCredentials)
	}
	tok, err := p.Token.Token(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	ep := p.Endpoint
	if ep == "" {
		ep = NSIDCS3CredentialsURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ep, nil)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("%w: s3credentials URL: %v", ErrAuth, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.Reveal())
	req.Header.Set("Accept", "application/json")
	if p.AppName != "" {
		req.Header.Set("app-name", p.AppName)
	}
	body, status, err := doNoRedirect(p.HTTPClient, req, 1<<20)
	if err != nil {
		return aws.Credentials{}, err
	}
	switch {
	case status >= 300 && status < 400:
		return aws.Credentials{}, fmt.Errorf("%w: %s: HTTP %d redirect to the login page: the token was not accepted", ErrAuth, redactURL(req.URL), status)
	case status != http.StatusOK:
		return aws.Credentials{}, fmt.Errorf("%w: %s: HTTP %d", ErrAuth, redactURL(req.URL), status)
	}
	var r struct {
		AccessKeyID     string `json:"accessKeyId"`
		SecretAccessKey string `json:"secretAccessKey"`
		SessionToken    string `json:"sessionToken"`
		Expiration      string `json:"expiration"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return aws.Credentials{}, fmt.Errorf("%w: %s: reply is not JSON credentials", ErrAuth, redactURL(req.URL))
	}
	if r.AccessKeyID == "" || r.SecretAccessKey == "" || r.SessionToken == "" {
		return aws.Credentials{}, fmt.Errorf("%w: %s: reply lacks accessKeyId, secretAccessKey or sessionToken", ErrAuth, redactURL(req.URL))
	}
	exp, err := parseS3Expiration(r.Expiration)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("%w: %s: expiration: %v", ErrAuth, redactURL(req.URL), err)
	}
	return aws.Credentials{
		AccessKeyID: r.AccessKeyID, SecretAccessKey: r.SecretAccessKey, SessionToken: r.SessionToken,
		Source: "EarthdataS3Credentials", CanExpire: true, Expires: exp,
	}, nil
}

// parseS3Expiration parses "2021-01-27 00:50:09+00:00" (and RFC 3339).
func parseS3Expiration(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05-07:00", "2006-01-02 15:04:05.999999-07:00", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a time: %q", s)
}

// DefaultRefreshWindow is how long before expiry cached S3 credentials are
// renewed by [NewS3CredentialsProvider].
const DefaultRefreshWindow = 10 * time.Minute

// NewS3CredentialsProvider wraps p in an aws.CredentialsCache that renews
// the credentials window (default DefaultRefreshWindow when ≤ 0) before they
// expire, so long runs never use expired keys.
func NewS3CredentialsProvider(p *S3Credentials, window time.Duration) *aws.CredentialsCache {
	if window <= 0 {
		window = DefaultRefreshWindow
	}
	return aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) {
		o.ExpiryWindow = window
	})
}

// NewNSIDCS3Credentials returns a refreshing aws.CredentialsProvider for
// NSIDC's cloud bucket for a login (see [FindLogin]): the login's token, or
// one obtained from Earthdata Login with its username and password, is
// exchanged at the s3credentials endpoint, and the credentials are renewed
// DefaultRefreshWindow before they expire. The credentials only work from
// AWS us-west-2.
func NewNSIDCS3Credentials(login Login) *aws.CredentialsCache {
	return NewS3CredentialsProvider(&S3Credentials{Token: &TokenSource{Login: login}, AppName: "zagg-go"}, 0)
}
