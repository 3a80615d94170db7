package doctest

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Block is one fenced code block of a Markdown page.
type Block struct {
	Line     int               // 1-based line of the opening fence
	Lang     string            // first word of the info string ("sh", "go", ...)
	Runnable bool              // the info string's second word is "runnable"
	Options  map[string]string // key=value words after "runnable"
	Text     string            // the block's content, each line ending in "\n"
}

// Link is one link target of a Markdown page, outside code.
type Link struct {
	Line   int
	Target string
}

// Command is one command line of the guide's tools found in a shell block
// or an indented code block: it starts with "zagg " or "go run
// ./examples/...". Continuation lines (ending in a backslash) are joined.
type Command struct {
	Line int
	Text string
}

// Page is what the checks need of one Markdown page.
type Page struct {
	Blocks   []Block
	Links    []Link
	Commands []Command
	Anchors  map[string]bool // heading slugs and explicit <a id/name> anchors
}

// shellLangs are the info-string languages whose blocks hold shell commands.
var shellLangs = map[string]bool{"": true, "sh": true, "bash": true, "shell": true, "console": true}

// commands appends the tool command lines of text (starting at line first).
func (p *Page) commands(text string, first int) {
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		start := i
		l := strings.TrimSpace(lines[i])
		for strings.HasSuffix(l, "\\") && i+1 < len(lines) {
			i++
			l = strings.TrimSuffix(l, "\\") + " " + strings.TrimSpace(lines[i])
		}
		l = strings.TrimPrefix(l, "$ ")
		if strings.HasPrefix(l, "zagg ") || strings.HasPrefix(l, "go run ./examples/") {
			p.Commands = append(p.Commands, Command{Line: first + start, Text: l})
		}
	}
}

var (
	fenceRE    = regexp.MustCompile("^( {0,3})(```+|~~~+)(.*)$")
	headingRE  = regexp.MustCompile(`^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$`)
	linkRE     = regexp.MustCompile(`!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^()\s>]+)>?(?:\s+"[^"]*")?\s*\)`)
	refDefRE   = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$`)
	htmlLinkRE = regexp.MustCompile(`<(?:a|img)\s[^>]*?(?:href|src)="([^"]+)"`)
	htmlIDRE   = regexp.MustCompile(`<a\s[^>]*?(?:id|name)="([^"]+)"`)
	codeSpanRE = regexp.MustCompile("`+[^`]*`+")
)

// Parse reads a Markdown page: its fenced blocks, its links outside code and
// the anchors its headings define. An unclosed fence is an error.
func Parse(src string) (*Page, error) {
	p := &Page{Anchors: map[string]bool{}}
	slugs := map[string]int{}
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if m := fenceRE.FindStringSubmatch(line); m != nil {
			b := Block{Line: i + 1, Options: map[string]string{}}
			words := strings.Fields(m[3])
			if len(words) > 0 {
				b.Lang = words[0]
			}
			if len(words) > 1 && words[1] == "runnable" {
				b.Runnable = true
				for _, w := range words[2:] {
					k, v, _ := strings.Cut(w, "=")
					b.Options[k] = v
				}
			}
			fence := m[2]
			var text strings.Builder
			closed := false
			for i++; i < len(lines); i++ {
				l := lines[i]
				if closes(l, fence) {
					closed = true
					break
				}
				text.WriteString(strings.TrimPrefix(l, m[1]))
				text.WriteString("\n")
			}
			if !closed {
				return nil, fmt.Errorf("line %d: unclosed code fence", b.Line)
			}
			b.Text = text.String()
			p.Blocks = append(p.Blocks, b)
			if shellLangs[b.Lang] {
				p.commands(b.Text, b.Line+1)
			}
			continue
		}
		if strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t") {
			p.commands(line, i+1) // indented code (or an indented paragraph)
			continue
		}
		if m := headingRE.FindStringSubmatch(line); m != nil {
			s := Slug(m[2])
			if n, ok := slugs[s]; ok {
				slugs[s] = n + 1
				s = fmt.Sprintf("%s-%d", s, n+1)
			} else {
				slugs[s] = 0
			}
			p.Anchors[s] = true
		}
		for _, m := range htmlIDRE.FindAllStringSubmatch(line, -1) {
			p.Anchors[m[1]] = true
		}
		plain := codeSpanRE.ReplaceAllString(line, "")
		for _, m := range linkRE.FindAllStringSubmatch(plain, -1) {
			p.Links = append(p.Links, Link{Line: i + 1, Target: m[1]})
		}
		for _, m := range htmlLinkRE.FindAllStringSubmatch(plain, -1) {
			p.Links = append(p.Links, Link{Line: i + 1, Target: m[1]})
		}
		if m := refDefRE.FindStringSubmatch(plain); m != nil {
			p.Links = append(p.Links, Link{Line: i + 1, Target: m[1]})
		}
	}
	return p, nil
}

// closes reports whether line closes a block opened with fence: at most
// three spaces of indent, at least as many fence characters, then spaces.
func closes(line, fence string) bool {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 {
		return false
	}
	t = strings.TrimRight(t, " ")
	return len(t) >= len(fence) && strings.Trim(t, fence[:1]) == ""
}

var (
	inlineLinkRE = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	htmlTagRE    = regexp.MustCompile(`<[^>]+>`)
)

// Slug returns GitHub's anchor for a heading's text: the rendered text in
// lower case, without characters other than letters, marks, digits,
// connector punctuation (_), spaces and hyphens, spaces turned into
// hyphens. (A repeated heading gets -1, -2, ...: see Parse.)
func Slug(heading string) string {
	s := inlineLinkRE.ReplaceAllString(heading, "$1")
	s = htmlTagRE.ReplaceAllString(s, "")
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || unicode.Is(unicode.Pc, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
