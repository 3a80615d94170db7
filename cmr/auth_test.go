package cmr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testUser     = "glaciologist"
	testPassword = "pa55-w0rd-do-not-log"
	testToken    = "eyJ0eXAiOiJKV1QiLCJvcmlnaW4iOiJFYXJ0aGRhdGEgTG9naW4ifQ.secret-token"
)

// earthdataStandIn is a loopback Earthdata Login + s3credentials server.
type earthdataStandIn struct {
	srv *httptest.Server

	mu        sync.Mutex
	tokenHits int
	credHits  int
	lifetime  time.Duration // validity of issued S3 credentials
	appNames  []string
}

func newEarthdataStandIn(t *testing.T) *earthdataStandIn {
	e := &earthdataStandIn{lifetime: time.Hour}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/users/find_or_create_token", func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.tokenHits++
		e.mu.Unlock()
		u, p, ok := r.BasicAuth()
		if !ok || u != testUser || p != testPassword {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"invalid_credentials","error_description":"Invalid user credentials"}`)
			return
		}
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expiration_date":"01/20/2027"}`, testToken)
	})
	mux.HandleFunc("GET /s3credentials", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			http.Redirect(w, r, "https://"+EDLHost+"/oauth/authorize?client_id=x", http.StatusTemporaryRedirect)
			return
		}
		e.mu.Lock()
		e.credHits++
		n := e.credHits
		exp := time.Now().Add(e.lifetime).UTC()
		e.appNames = append(e.appNames, r.Header.Get("app-name"))
		e.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]string{
			"accessKeyId":     fmt.Sprintf("ASIATESTKEY%04d", n),
			"secretAccessKey": fmt.Sprintf("secret-access-key-%d", n),
			"sessionToken":    fmt.Sprintf("session-token-%d", n),
			"expiration":      exp.Format("2006-01-02 15:04:05-07:00"),
		})
	})
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

func assertNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{testPassword, testToken, "secret-access-key", "session-token"} {
		if strings.Contains(s, secret) {
			t.Errorf("%s leaks a secret: %s", what, s)
		}
	}
}

func TestS3CredentialsRefreshBeforeExpiry(t *testing.T) {
	e := newEarthdataStandIn(t)
	ts := &TokenSource{
		Login: Login{Username: testUser, Password: testPassword},
		EDL:   &EDL{BaseURL: e.srv.URL, HTTPClient: e.srv.Client()},
	}
	p := &S3Credentials{Endpoint: e.srv.URL + "/s3credentials", Token: ts, AppName: "zagg-test", HTTPClient: e.srv.Client()}
	window := 10 * time.Minute
	ctx := context.Background()

	// Credentials valid beyond the window are reused.
	e.lifetime = window + time.Hour
	cache := NewS3CredentialsProvider(p, window)
	c1, err := cache.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c1.AccessKeyID != "ASIATESTKEY0001" || !c1.CanExpire || c1.SessionToken != "session-token-1" {
		t.Fatalf("first credentials: %+v", c1.AccessKeyID)
	}
	c2, _ := cache.Retrieve(ctx)
	if c2.AccessKeyID != c1.AccessKeyID {
		t.Errorf("second Retrieve refreshed early: %s", c2.AccessKeyID)
	}

	// Credentials that expire inside the window (in 9 minutes, still
	// valid) are replaced on the next Retrieve: no clock needs to pass.
	e.lifetime = window - time.Minute
	cache = NewS3CredentialsProvider(p, window)
	c3, err := cache.Retrieve(ctx)
	if err != nil || c3.AccessKeyID != "ASIATESTKEY0002" {
		t.Fatalf("credentials close to expiry: %v, %v", c3.AccessKeyID, err)
	}
	e.lifetime = time.Hour
	c4, err := cache.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c4.AccessKeyID != "ASIATESTKEY0003" {
		t.Errorf("credentials not refreshed before expiry: %s", c4.AccessKeyID)
	}
	if time.Until(c4.Expires) < 30*time.Minute {
		t.Errorf("refreshed credentials expire at %v", c4.Expires)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tokenHits != 1 {
		t.Errorf("EDL token requested %d times, want 1 (cached)", e.tokenHits)
	}
	if e.credHits != 3 || e.appNames[0] != "zagg-test" {
		t.Errorf("s3credentials hits %d app-name %q", e.credHits, e.appNames)
	}
}

func TestAuthErrorsHideSecrets(t *testing.T) {
	e := newEarthdataStandIn(t)
	ctx := context.Background()
	edl := &EDL{BaseURL: e.srv.URL, HTTPClient: e.srv.Client()}
	// Wrong password: 401, ErrAuth, message names the user but not the password.
	_, err := edl.FindOrCreateToken(ctx, testUser, Secret(testPassword+"x"))
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "invalid_credentials") {
		t.Errorf("wrong password: err = %v", err)
	}
	assertNoSecrets(t, "EDL error", err.Error())
	// Rejected token: the endpoint redirects to the login page.
	p := &S3Credentials{Endpoint: e.srv.URL + "/s3credentials", Token: &TokenSource{Login: Login{Token: testToken + "-expired"}}, HTTPClient: e.srv.Client()}
	_, err = p.Retrieve(ctx)
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "307") {
		t.Errorf("rejected token: err = %v", err)
	}
	assertNoSecrets(t, "s3credentials error", err.Error())
	// Unreachable endpoint.
	p.Endpoint = "http://127.0.0.1:1/s3credentials"
	_, err = p.Retrieve(ctx)
	if !errors.Is(err, ErrAuth) {
		t.Errorf("unreachable: err = %v", err)
	}
	assertNoSecrets(t, "transport error", err.Error())
	// A login and the credentials never print their secrets.
	l := Login{Token: testToken, Username: testUser, Password: testPassword, Source: "option"}
	for _, s := range []string{fmt.Sprint(l), fmt.Sprintf("%+v", l), fmt.Sprintf("%#v", l), fmt.Sprintf("%s %q %x", l.Token, l.Password, l.Token)} {
		assertNoSecrets(t, "formatted login", s)
	}
	b, _ := json.Marshal(l)
	assertNoSecrets(t, "JSON login", string(b))
	if Secret(testToken).Reveal() != testToken {
		t.Error("Reveal")
	}
}

func TestS3CredentialsReplies(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":       `<html>`,
		"no keys":        `{"expiration":"2021-01-27 00:50:09+00:00"}`,
		"bad expiration": `{"accessKeyId":"a","secretAccessKey":"b","sessionToken":"c","expiration":"tomorrow"}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }))
			defer srv.Close()
			p := &S3Credentials{Endpoint: srv.URL, Token: &TokenSource{Login: Login{Token: "t"}}, HTTPClient: srv.Client()}
			if _, err := p.Retrieve(context.Background()); !errors.Is(err, ErrAuth) {
				t.Errorf("err = %v, want ErrAuth", err)
			}
		})
	}
	if got, err := parseS3Expiration("2021-01-27 00:50:09+00:00"); err != nil || !got.Equal(time.Date(2021, 1, 27, 0, 50, 9, 0, time.UTC)) {
		t.Errorf("parseS3Expiration = %v, %v", got, err)
	}
}

func TestTokenSourceRenews(t *testing.T) {
	e := newEarthdataStandIn(t)
	now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	ts := &TokenSource{Login: Login{Username: testUser, Password: testPassword},
		EDL: &EDL{BaseURL: e.srv.URL, HTTPClient: e.srv.Client()}, now: func() time.Time { return now }}
	for range 3 {
		if tok, err := ts.Token(context.Background()); err != nil || tok.Reveal() != testToken {
			t.Fatalf("Token = %v, %v", tok, err)
		}
	}
	now = time.Date(2027, 1, 19, 12, 0, 0, 0, time.UTC) // less than a day before 01/20/2027
	if _, err := ts.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e.tokenHits != 2 {
		t.Errorf("token requested %d times, want 2", e.tokenHits)
	}
}

func writeNetrc(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "netrc")
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFindLogin(t *testing.T) {
	netrc := writeNetrc(t, "# my hosts\nmachine example.com login other password nope\n"+
		"macdef init\nlogin fake password fake\n\nmachine urs.earthdata.nasa.gov\n  login "+testUser+"\n  password "+testPassword+"\n", 0o600)
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name   string
		opts   LoginOptions
		user   string
		token  string
		source string
	}{
		{"explicit token wins", LoginOptions{Token: "tok", Getenv: env(map[string]string{EnvToken: "envtok"})}, "", "tok", "option"},
		{"explicit user", LoginOptions{Username: "u", Password: "p", Getenv: env(nil)}, "u", "", "option"},
		{"env token", LoginOptions{Getenv: env(map[string]string{EnvToken: "envtok", EnvUsername: "u", EnvPassword: "p"})}, "", "envtok", EnvToken},
		{"env user", LoginOptions{Getenv: env(map[string]string{EnvUsername: "u", EnvPassword: "p"}), NetrcPath: netrc}, "u", "", "EARTHDATA_USERNAME/EARTHDATA_PASSWORD"},
		{"netrc path", LoginOptions{Getenv: env(nil), NetrcPath: netrc}, testUser, "", "netrc " + netrc},
		{"NETRC variable", LoginOptions{Getenv: env(map[string]string{EnvNetrc: netrc})}, testUser, "", "netrc " + netrc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := FindLogin(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if l.Username != tt.user || l.Token.Reveal() != tt.token || l.Source != tt.source {
				t.Errorf("got user %q token %v source %q", l.Username, l.Token.Reveal() != "", l.Source)
			}
		})
	}
	// Failures.
	open := writeNetrc(t, "machine urs.earthdata.nasa.gov login a password b\n", 0o644)
	empty := writeNetrc(t, "machine example.com login a password b\n", 0o600)
	for name, opts := range map[string]LoginOptions{
		"nothing":          {Getenv: env(nil), NetrcPath: filepath.Join(t.TempDir(), "missing")},
		"half explicit":    {Username: "u", Getenv: env(nil)},
		"world-readable":   {Getenv: env(nil), NetrcPath: open},
		"no matching host": {Getenv: env(nil), NetrcPath: empty},
	} {
		if _, err := FindLogin(opts); !errors.Is(err, ErrNoCredentials) {
			t.Errorf("%s: err = %v, want ErrNoCredentials", name, err)
		} else {
			assertNoSecrets(t, name, err.Error())
		}
	}
}

func TestParseNetrc(t *testing.T) {
	tests := []struct {
		data, machine, login, password string
		ok                             bool
	}{
		{"machine a login x password y", "a", "x", "y", true},
		{"machine a login x password y\ndefault login d password e", "b", "d", "e", true},
		{"default login d password e\nmachine a login x password y", "a", "x", "y", true},
		{"machine a login x account z password y port 21", "a", "x", "y", true},
		{"machine b login x password y", "a", "", "", false},
		{"macdef m\nmachine a login evil password evil\n\nmachine a login x password y", "a", "x", "y", true},
		{"", "a", "", "", false},
	}
	for _, tt := range tests {
		l, p, ok, err := ParseNetrc([]byte(tt.data), tt.machine)
		if err != nil || l != tt.login || p != tt.password || ok != tt.ok {
			t.Errorf("ParseNetrc(%q, %q) = %q, %q, %v, %v", tt.data, tt.machine, l, p, ok, err)
		}
	}
	for _, bad := range []string{"machine", "machine a login", "login x password y"} {
		if _, _, _, err := ParseNetrc([]byte(bad), "a"); err == nil {
			t.Errorf("ParseNetrc(%q): no error", bad)
		}
	}
}

func FuzzParseNetrc(f *testing.F) {
	f.Add("machine urs.earthdata.nasa.gov login u password p\ndefault login d password e\n")
	f.Add("macdef x\nfoo\n\nmachine a login b password c")
	f.Fuzz(func(t *testing.T, s string) {
		_, p, _, err := ParseNetrc([]byte(s), EDLHost)
		if err != nil && p != "" && strings.Contains(err.Error(), p) {
			t.Fatalf("error %q contains the password", err)
		}
	})
}
