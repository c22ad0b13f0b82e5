package groq

import (
	"regexp"
	"strings"
)

// matchPath reports whether id matches a path() pattern: `*` matches within one dot-separated
// segment, `**` matches across segments. It runs in time proportional to len(pattern)*len(id),
// which the caller pays for in steps.
func matchPath(pattern, id string) bool {
	// reach[i] reports whether the pattern consumed so far can end at id[:i].
	reach := make([]bool, len(id)+1)
	next := make([]bool, len(id)+1)
	reach[0] = true
	for p := 0; p < len(pattern); {
		clear(next)
		switch {
		case strings.HasPrefix(pattern[p:], "**"):
			seen := false
			for i := range reach {
				seen = seen || reach[i]
				next[i] = seen
			}
			p += 2
		case pattern[p] == '*':
			run := false
			for i := range reach {
				run = reach[i] || (run && id[i-1] != '.')
				next[i] = run
			}
			p++
		default:
			for i := 1; i <= len(id); i++ {
				next[i] = reach[i-1] && id[i-1] == pattern[p]
			}
			p++
		}
		reach, next = next, reach
	}
	return reach[len(id)]
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

func analyzePatterns(r any, s *scope) ([]*regexp.Regexp, bool) {
	patterns, ok := stringsOf(r, true)
	if !ok {
		return nil, false
	}
	var out []*regexp.Regexp
	for _, p := range patterns {
		for _, tok := range matchTokenize(p, true) {
			// Filters apply the same pattern to every document, so compile each token once.
			if re, ok := s.ctx.patterns[tok]; ok {
				out = append(out, re)
				continue
			}
			var b strings.Builder
			b.WriteString("^")
			for i, part := range strings.Split(tok, "*") {
				if i > 0 {
					b.WriteString(".*")
				}
				b.WriteString(regexp.QuoteMeta(part))
			}
			b.WriteString("$")
			re := regexp.MustCompile(b.String())
			if s.ctx.patterns == nil {
				s.ctx.patterns = map[string]*regexp.Regexp{}
			}
			s.ctx.patterns[tok] = re
			out = append(out, re)
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
func evalMatch(l, r any, s *scope) any {
	pats, ok := analyzePatterns(r, s)
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
func matchScore(l, r any, s *scope) float64 {
	if evalMatch(l, r, s) != true {
		return 0
	}
	pats, _ := analyzePatterns(r, s)
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
