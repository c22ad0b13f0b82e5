package groq

import (
	"regexp"
	"strings"
)

// matchPath reports whether id matches a path() pattern: `*` matches within one dot-separated
// segment, `**` matches across segments.
func matchPath(pattern, id string) bool {
	type key struct{ p, i int }
	memo := map[key]bool{}
	var m func(p, i int) bool
	m = func(p, i int) bool {
		k := key{p, i}
		if v, ok := memo[k]; ok {
			return v
		}
		var res bool
		switch {
		case p == len(pattern):
			res = i == len(id)
		case strings.HasPrefix(pattern[p:], "**"):
			res = m(p+2, i) || (i < len(id) && m(p, i+1))
		case pattern[p] == '*':
			res = m(p+1, i) || (i < len(id) && id[i] != '.' && m(p, i+1))
		default:
			res = i < len(id) && id[i] == pattern[p] && m(p+1, i+1)
		}
		memo[k] = res
		return res
	}
	return m(0, 0)
}

// Text is split into tokens at whitespace and punctuation that does not occur inside words; dots,
// apostrophes and underscores stay inside tokens ("ding.dong" is one token).
const matchSeparators = "!@#$%^&*(),\\/?\";:{}|[]+<>-"

func isMatchSeparator(r rune, wildcard bool) bool {
	if r == '*' && wildcard {
		return false
	}
	if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v' || r == 0x85 || r == 0xA0 || r == 0x2028 || r == 0x2029 || r == 0x3000 || (r >= 0x2000 && r <= 0x200A) || r == 0x1680 || r == 0x202F || r == 0x205F || r == 0xFEFF {
		return true
	}
	return r < 128 && strings.ContainsRune(matchSeparators, r)
}

func matchTokenize(s string, wildcard bool) []string {
	fields := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return isMatchSeparator(r, wildcard) })
	out := fields[:0]
	for _, f := range fields {
		// Dots join words ("ding.dong") but do not belong to the word at a sentence end.
		if f = strings.Trim(f, "."); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func stringsOf(v any, strict bool) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if str, ok := e.(string); ok {
				out = append(out, str)
			} else if strict {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

func analyzePatterns(r any) ([]*regexp.Regexp, bool) {
	patterns, ok := stringsOf(r, true)
	if !ok {
		return nil, false
	}
	var out []*regexp.Regexp
	for _, p := range patterns {
		for _, tok := range matchTokenize(p, true) {
			var b strings.Builder
			b.WriteString("^")
			for i, part := range strings.Split(tok, "*") {
				if i > 0 {
					b.WriteString(".*")
				}
				b.WriteString(regexp.QuoteMeta(part))
			}
			b.WriteString("$")
			out = append(out, regexp.MustCompile(b.String()))
		}
	}
	return out, true
}

func textTokens(l any) []string {
	texts, _ := stringsOf(l, false)
	var toks []string
	for _, t := range texts {
		toks = append(toks, matchTokenize(t, false)...)
	}
	return toks
}

// evalMatch implements `text match pattern`: every token of the pattern must match some token of
// the text, where `*` in a pattern token matches any characters.
func evalMatch(l, r any) any {
	pats, ok := analyzePatterns(r)
	if !ok || len(pats) == 0 {
		return false
	}
	toks := textTokens(l)
	for _, re := range pats {
		found := false
		for _, t := range toks {
			if re.MatchString(t) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// matchScore counts the text tokens a successful match hits, for score().
func matchScore(l, r any) float64 {
	if evalMatch(l, r) != true {
		return 0
	}
	pats, _ := analyzePatterns(r)
	n := 0.0
	for _, t := range textTokens(l) {
		for _, re := range pats {
			if re.MatchString(t) {
				n++
				break
			}
		}
	}
	return n
}
