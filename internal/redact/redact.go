// Package redact removes credentials from URLs and from messages that
// contain URLs, so that errors, logs and results files never echo a
// password or a presigned request's signature.
//
// Two parts of a URL are credentials: the userinfo ("user:password@") and
// the values of query parameters that sign or authorize a request
// (X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token, Signature,
// token, …; see [SensitiveParam]). Both are replaced by [Mask]; the rest of
// the URL (scheme, host, path, the other parameters) is kept so the message
// still names the object.
package redact

import "strings"

// Mask replaces every redacted userinfo and parameter value.
const Mask = "REDACTED"

// sensitive are the query parameter names (lower case) whose values are
// credentials: AWS SigV4 and SigV2 presigned URLs, CloudFront and GCS signed
// URLs, Azure SAS and generic bearer tokens and keys.
var sensitive = map[string]bool{
	"x-amz-signature":      true,
	"x-amz-credential":     true,
	"x-amz-security-token": true,
	"signature":            true,
	"awsaccesskeyid":       true,
	"policy":               true,
	"key-pair-id":          true,
	"x-goog-signature":     true,
	"x-goog-credential":    true,
	"sig":                  true,
	"token":                true,
	"access_token":         true,
	"id_token":             true,
	"refresh_token":        true,
	"password":             true,
	"passwd":               true,
	"secret":               true,
	"client_secret":        true,
	"api_key":              true,
	"apikey":               true,
	"key":                  true,
	"code":                 true,
}

// SensitiveParam reports whether the value of the query parameter name is
// redacted: the names of the list above (case-insensitive) and any name
// containing "signature", "token", "secret", "password" or "credential".
func SensitiveParam(name string) bool {
	n := strings.ToLower(name)
	if sensitive[n] {
		return true
	}
	for _, w := range []string{"signature", "token", "secret", "password", "credential"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// URL returns u with its userinfo and the values of its sensitive query
// parameters replaced by [Mask]. Anything that is not a URL with a scheme
// ("scheme://…") is returned unchanged. The URL is not parsed strictly, so a
// malformed URL is redacted too.
func URL(u string) string {
	i := strings.Index(u, "://")
	if i <= 0 || !isScheme(u[:i]) {
		return u
	}
	return u[:i+3] + redactRest(u[i+3:])
}

// redactRest redacts what follows "scheme://": authority, path, query and
// fragment.
func redactRest(s string) string {
	end := strings.IndexAny(s, "/?#")
	if end < 0 {
		end = len(s)
	}
	auth, rest := s[:end], s[end:]
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		auth = Mask + auth[at:]
	}
	q := strings.IndexByte(rest, '?')
	if q < 0 {
		return auth + rest
	}
	path, query := rest[:q+1], rest[q+1:]
	frag := ""
	if h := strings.IndexByte(query, '#'); h >= 0 {
		query, frag = query[:h], query[h:]
	}
	parts := strings.Split(query, "&")
	for k, p := range parts {
		name, _, hasValue := strings.Cut(p, "=")
		if hasValue && SensitiveParam(unescape(name)) {
			parts[k] = name + "=" + Mask
		}
	}
	return auth + path + strings.Join(parts, "&") + frag
}

// unescape decodes %XX escapes well enough to compare parameter names; an
// invalid escape is kept as it is.
func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || !('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return s != ""
}

// Text returns msg with every URL in it redacted as [URL] does. A URL
// starts at a scheme ("https://", "s3://", …) and ends at white space, a
// quote, a bracket or the end of msg, as URLs appear in Go error messages
// (net/http quotes them: Get "https://…": …).
func Text(msg string) string {
	if !strings.Contains(msg, "://") {
		return msg
	}
	var b strings.Builder
	b.Grow(len(msg))
	for {
		i := strings.Index(msg, "://")
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		// Back up over the scheme.
		s := i
		for s > 0 && isSchemeByte(msg[s-1]) {
			s--
		}
		for s < i && !isLetter(msg[s]) {
			s++ // a scheme starts with a letter
		}
		e := i + 3
		for e < len(msg) && !isURLEnd(msg[e]) {
			e++
		}
		b.WriteString(msg[:s])
		if s == i {
			b.WriteString(msg[i:e]) // no scheme: not a URL
		} else {
			b.WriteString(URL(msg[s:e]))
		}
		msg = msg[e:]
	}
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isSchemeByte(c byte) bool {
	return isLetter(c) || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
}

func isURLEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '"', '\'', '`', '<', '>', '(', ')', '[', ']', '{', '}', '\\':
		return true
	}
	return false
}

// Error wraps err so that its message is redacted with [Text]; errors.Is
// and errors.As still see err and its chain. A nil err stays nil, and an
// error whose message holds nothing to redact is returned as it is.
func Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	red := Text(msg)
	if red == msg {
		return err
	}
	return &redacted{msg: red, err: err}
}

// redacted is an error with a redacted message.
type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }
