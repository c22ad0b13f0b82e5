package groq

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokNumber
	tokString
	tokParam
	tokPunct
	tokInvalid
)

type token struct {
	kind       tokenKind
	text       string // punctuation, identifier, parameter name or raw number text
	str        string // decoded value of a string literal
	num        float64
	start, end int
}

// lexer produces tokens on demand; the parser needs at most two tokens of lookahead.
type lexer struct {
	src string
	pos int
}

// punctuation is ordered longest first so that "..." wins over "..".
var punctuation = []string{
	"...", "..", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "**", "::",
	"*", "@", "^", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", "!", "<", ">", "+", "-", "/", "%", "=", ";",
}

func (lx *lexer) skipSpace() {
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			lx.pos++
		case c == '/' && lx.pos+1 < len(lx.src) && lx.src[lx.pos+1] == '/':
			nl := strings.IndexByte(lx.src[lx.pos:], '\n')
			if nl < 0 {
				lx.pos = len(lx.src)
			} else {
				lx.pos += nl + 1
			}
		default:
			return
		}
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (lx *lexer) next() token {
	lx.skipSpace()
	start := lx.pos
	if start >= len(lx.src) {
		return token{kind: tokEOF, start: start, end: start}
	}
	c := lx.src[start]
	switch {
	case isIdentStart(c):
		end := start + 1
		for end < len(lx.src) && isIdentPart(lx.src[end]) {
			end++
		}
		lx.pos = end
		return token{kind: tokIdent, text: lx.src[start:end], start: start, end: end}
	case c == '$':
		end := start + 1
		for end < len(lx.src) && isIdentPart(lx.src[end]) {
			end++
		}
		lx.pos = end
		if end == start+1 {
			return token{kind: tokInvalid, text: "$", start: start, end: end}
		}
		return token{kind: tokParam, text: lx.src[start+1 : end], start: start, end: end}
	case isDigit(c):
		return lx.number(start)
	case c == '"' || c == '\'':
		return lx.string(start, c)
	}
	for _, p := range punctuation {
		if strings.HasPrefix(lx.src[start:], p) {
			lx.pos = start + len(p)
			return token{kind: tokPunct, text: p, start: start, end: lx.pos}
		}
	}
	_, size := utf8.DecodeRuneInString(lx.src[start:])
	lx.pos = start + size
	return token{kind: tokInvalid, text: lx.src[start:lx.pos], start: start, end: lx.pos}
}

func (lx *lexer) number(start int) token {
	s := lx.src
	end := start
	for end < len(s) && isDigit(s[end]) {
		end++
	}
	// A fraction needs a digit after the dot; "1..2" is a range.
	if end+1 < len(s) && s[end] == '.' && isDigit(s[end+1]) {
		end++
		for end < len(s) && isDigit(s[end]) {
			end++
		}
	}
	if end < len(s) && (s[end] == 'e' || s[end] == 'E') {
		e := end + 1
		if e < len(s) && (s[e] == '+' || s[e] == '-') {
			e++
		}
		if e < len(s) && isDigit(s[e]) {
			for e < len(s) && isDigit(s[e]) {
				e++
			}
			end = e
		}
	}
	lx.pos = end
	f, err := strconv.ParseFloat(s[start:end], 64)
	if err != nil {
		// Out-of-range literals saturate to ±Inf, which ParseFloat reports as an error but still returns.
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return token{kind: tokInvalid, text: s[start:end], start: start, end: end}
		}
	}
	return token{kind: tokNumber, text: s[start:end], num: f, start: start, end: end}
}

func (lx *lexer) string(start int, quote byte) token {
	s := lx.src
	var b strings.Builder
	i := start + 1
	for i < len(s) {
		c := s[i]
		if c == quote {
			lx.pos = i + 1
			return token{kind: tokString, str: b.String(), start: start, end: lx.pos}
		}
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(s) {
			break
		}
		e := s[i+1]
		i += 2
		switch e {
		case '"', '\'', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, n, ok := decodeUnicodeEscape(s[i:])
			if !ok {
				lx.pos = i
				return token{kind: tokInvalid, text: s[start:i], start: start, end: i}
			}
			i += n
			// A high surrogate followed by an escaped low surrogate is one code point.
			if r >= 0xD800 && r < 0xDC00 && strings.HasPrefix(s[i:], "\\u") {
				if r2, n2, ok2 := decodeUnicodeEscape(s[i+2:]); ok2 && r2 >= 0xDC00 && r2 < 0xE000 {
					r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
					i += 2 + n2
				}
			}
			b.WriteRune(r)
		default:
			lx.pos = i
			return token{kind: tokInvalid, text: s[start:i], start: start, end: i}
		}
	}
	lx.pos = len(s)
	return token{kind: tokInvalid, text: s[start:], start: start, end: len(s)}
}

// decodeUnicodeEscape reads the part after `\u`: four hex digits or `{hex}`.
func decodeUnicodeEscape(s string) (rune, int, bool) {
	if strings.HasPrefix(s, "{") {
		end := strings.IndexByte(s, '}')
		if end < 2 || end > 7 {
			return 0, 0, false
		}
		v, err := strconv.ParseUint(s[1:end], 16, 32)
		if err != nil || v > utf8.MaxRune {
			return 0, 0, false
		}
		return rune(v), end + 1, true
	}
	if len(s) < 4 {
		return 0, 0, false
	}
	v, err := strconv.ParseUint(s[:4], 16, 32)
	if err != nil {
		return 0, 0, false
	}
	return rune(v), 4, true
}
