package groq

import (
	"strings"
	"unicode"
)

// matchPath reports whether id matches a path() pattern: `*` matches within one dot-separated
// segment, `**` matches across segments.
func matchPath(pattern, id string) bool {
	// Dynamic programming over (pattern position, id position) keeps hostile patterns linear-ish.
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

func matchTokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '*')
	})
}

func stringsOf(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if str, ok := e.(string); ok {
				out = append(out, str)
			}
		}
		return out, true
	}
	return nil, false
}

// evalMatch implements `text match pattern`: every token of the pattern must match some token of
// the text, where `*` in a pattern token matches any characters.
func evalMatch(l, r any) any {
	texts, ok := stringsOf(l)
	if !ok {
		return false
	}
	patterns, ok := stringsOf(r)
	if !ok {
		return false
	}
	var textToks []string
	for _, t := range texts {
		textToks = append(textToks, matchTokens(t)...)
	}
	var patToks []string
	for _, p := range patterns {
		patToks = append(patToks, matchTokens(p)...)
	}
	if len(patToks) == 0 {
		return false
	}
	for _, pt := range patToks {
		found := false
		for _, tt := range textToks {
			if globMatch(pt, tt) {
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

// globMatch matches a token against a pattern where `*` matches any run of characters.
func globMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
