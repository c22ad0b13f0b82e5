package oktaexpr

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokString
	tokNumber
	tokOp     // == != < <= > >= && || !
	tokLParen // (
	tokRParen // )
	tokComma
)

type token struct {
	kind tokenKind
	text string // the identifier, the decoded string, the number or the operator
	pos  int    // byte offset in the source
}

// lex splits src into tokens. The words AND, OR and NOT (any case) become the operators &&, || and !.
func lex(src string) ([]token, error) {
	var out []token
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRuneInString(src[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return nil, syntaxErrorAt(src, i, "the expression is not valid UTF-8")
		case unicode.IsSpace(r):
			i += size
		case r == '(':
			out = append(out, token{tokLParen, "(", i})
			i++
		case r == ')':
			out = append(out, token{tokRParen, ")", i})
			i++
		case r == ',':
			out = append(out, token{tokComma, ",", i})
			i++
		case r == '"' || r == '\'':
			s, n, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			out = append(out, token{tokString, s, i})
			i += n
		case r >= '0' && r <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			out = append(out, token{tokNumber, src[i:j], i})
			i = j
		case r == '_' || unicode.IsLetter(r):
			j := i
			for j < len(src) {
				c, n := utf8.DecodeRuneInString(src[j:])
				if c != '_' && c != '.' && !unicode.IsLetter(c) && !unicode.IsDigit(c) {
					break
				}
				j += n
			}
			word := src[i:j]
			switch strings.ToUpper(word) {
			case "AND":
				out = append(out, token{tokOp, "&&", i})
			case "OR":
				out = append(out, token{tokOp, "||", i})
			case "NOT":
				out = append(out, token{tokOp, "!", i})
			default:
				if strings.HasSuffix(word, ".") || strings.Contains(word, "..") {
					return nil, syntaxErrorAt(src, i, fmt.Sprintf("%q is not a valid name", word))
				}
				out = append(out, token{tokIdent, word, i})
			}
			i = j
		default:
			op := ""
			for _, o := range []string{"==", "!=", "<=", ">=", "&&", "||", "<", ">", "!"} {
				if strings.HasPrefix(src[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				if r == '=' {
					return nil, syntaxErrorAt(src, i, "a single '=' assigns; compare with '=='")
				}
				return nil, syntaxErrorAt(src, i, fmt.Sprintf("unexpected character %q", r))
			}
			out = append(out, token{tokOp, op, i})
			i += len(op)
		}
	}
	return append(out, token{tokEOF, "", len(src)}), nil
}

// lexString reads a string literal at src[start]. As in the Spring Expression Language that Okta's
// expressions are built on, the quote character is escaped by doubling it; a backslash is an ordinary
// character. It returns the decoded string and the literal's length in bytes.
func lexString(src string, start int) (string, int, error) {
	quote := src[start]
	var b strings.Builder
	for i := start + 1; i < len(src); i++ {
		c := src[i]
		if c == quote {
			if i+1 < len(src) && src[i+1] == quote {
				b.WriteByte(quote)
				i++
				continue
			}
			return b.String(), i + 1 - start, nil
		}
		b.WriteByte(c)
	}
	return "", 0, syntaxErrorAt(src, start, "the string is not closed")
}
