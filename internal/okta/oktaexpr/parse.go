// Package oktaexpr is the part of the Okta Expression Language that group rules use: comparisons on
// user profile attributes, AND/OR/NOT with parentheses, the String.* and Arrays.* functions rules allow,
// and the isMemberOf* group functions. The provider uses it to check expressions offline (with line and
// column, at terraform validate) and to build them from document fields with safe quoting; the fake org
// uses it to evaluate rules.
//
//   - lexer.go: tokens; string literals escape their quote by doubling it, as in Spring's language.
//   - parse.go: the grammar, Parse and SyntaxError.
//   - eval.go: Eval over a user, the functions, and the type rules.
//   - build.go: Quote and Match, which build expressions no field value can change the structure of.
package oktaexpr

import (
	"fmt"
	"strconv"
	"strings"
)

// Expr is a parsed expression.
type Expr struct {
	src  string
	root node
}

// String returns the expression as it was written.
func (e *Expr) String() string { return e.src }

type node interface{ pos() int }

type (
	literalNode struct {
		at    int
		value any // string, float64, bool or nil
	}
	attrNode struct {
		at   int
		name string // the attribute after "user."
	}
	notNode struct {
		at int
		x  node
	}
	binaryNode struct {
		at   int
		op   string
		l, r node
	}
	callNode struct {
		at   int
		name string
		args []node
	}
)

func (n literalNode) pos() int { return n.at }
func (n attrNode) pos() int    { return n.at }
func (n notNode) pos() int     { return n.at }
func (n binaryNode) pos() int  { return n.at }
func (n callNode) pos() int    { return n.at }

// SyntaxError is an expression Okta would refuse, with where in it the problem is.
type SyntaxError struct {
	Msg string
	// Offset is the byte offset in the expression; Line and Column count from 1, Column in characters.
	Offset, Line, Column int
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

func syntaxErrorAt(src string, offset int, msg string) *SyntaxError {
	line, col := 1, 1
	for i, r := range src {
		if i >= offset {
			break
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return &SyntaxError{Msg: msg, Offset: offset, Line: line, Column: col}
}

// maxDepth bounds nesting, so a hostile expression cannot exhaust the stack.
const maxDepth = 64

// Parse parses an expression and checks what can be checked without a user: known functions with the
// right number of arguments, attributes on user, and a boolean result. Every error is a *SyntaxError.
func Parse(src string) (*Expr, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	root, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.errorAt(t.pos, fmt.Sprintf("unexpected %q after the end of the expression", t.text))
	}
	if k := kindOf(root); k != kindBool && k != kindAny {
		return nil, p.errorAt(root.pos(), "a group rule's expression must be true or false, but this is a "+k.String())
	}
	return &Expr{src: src, root: root}, nil
}

type parser struct {
	src  string
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) errorAt(offset int, msg string) *SyntaxError {
	return syntaxErrorAt(p.src, offset, msg)
}

func (p *parser) or(depth int) (node, error) {
	return p.binary(depth, []string{"||"}, p.and)
}

func (p *parser) and(depth int) (node, error) {
	return p.binary(depth, []string{"&&"}, p.comparison)
}

func (p *parser) binary(depth int, ops []string, operand func(int) (node, error)) (node, error) {
	l, err := operand(depth)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tokOp || !contains(ops, t.text) {
			return l, nil
		}
		p.next()
		r, err := operand(depth)
		if err != nil {
			return nil, err
		}
		for _, side := range []node{l, r} {
			if k := kindOf(side); k != kindBool && k != kindAny {
				return nil, p.errorAt(side.pos(), fmt.Sprintf("%s needs true or false on both sides, but this is a %s", opWord(t.text), k))
			}
		}
		l = binaryNode{at: t.pos, op: t.text, l: l, r: r}
	}
}

func (p *parser) comparison(depth int) (node, error) {
	l, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind != tokOp || !contains([]string{"==", "!=", "<", "<=", ">", ">="}, t.text) {
		return l, nil
	}
	p.next()
	r, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	if t.text != "==" && t.text != "!=" {
		for _, side := range []node{l, r} {
			if k := kindOf(side); k == kindBool {
				return nil, p.errorAt(side.pos(), fmt.Sprintf("%s compares numbers or strings, not true or false", t.text))
			}
		}
	}
	if next := p.peek(); next.kind == tokOp && contains([]string{"==", "!=", "<", "<=", ">", ">="}, next.text) {
		return nil, p.errorAt(next.pos, "comparisons cannot be chained: join them with AND or OR")
	}
	return binaryNode{at: t.pos, op: t.text, l: l, r: r}, nil
}

func (p *parser) unary(depth int) (node, error) {
	if depth > maxDepth {
		return nil, p.errorAt(p.peek().pos, fmt.Sprintf("the expression nests deeper than %d levels", maxDepth))
	}
	t := p.peek()
	if t.kind == tokOp && t.text == "!" {
		p.next()
		x, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		if k := kindOf(x); k != kindBool && k != kindAny {
			return nil, p.errorAt(x.pos(), "NOT needs true or false, but this is a "+k.String())
		}
		return notNode{at: t.pos, x: x}, nil
	}
	return p.primary(depth)
}

func (p *parser) primary(depth int) (node, error) {
	t := p.next()
	switch t.kind {
	case tokString:
		return literalNode{at: t.pos, value: t.text}, nil
	case tokNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, p.errorAt(t.pos, fmt.Sprintf("%q is not a number", t.text))
		}
		return literalNode{at: t.pos, value: f}, nil
	case tokLParen:
		x, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tokRParen {
			return nil, p.errorAt(c.pos, "expected ')' to close the '(' at column "+strconv.Itoa(syntaxErrorAt(p.src, t.pos, "").Column))
		}
		return x, nil
	case tokIdent:
		return p.identifier(t, depth)
	case tokEOF:
		return nil, p.errorAt(t.pos, "the expression ends where a value was expected")
	}
	return nil, p.errorAt(t.pos, fmt.Sprintf("unexpected %q where a value was expected", t.text))
}

func (p *parser) identifier(t token, depth int) (node, error) {
	switch strings.ToLower(t.text) {
	case "true":
		return literalNode{at: t.pos, value: true}, nil
	case "false":
		return literalNode{at: t.pos, value: false}, nil
	case "null":
		return literalNode{at: t.pos, value: nil}, nil
	}
	if p.peek().kind == tokLParen {
		return p.call(t, depth)
	}
	attr, ok := strings.CutPrefix(t.text, "user.")
	if !ok || attr == "" || strings.Contains(attr, ".") {
		return nil, p.errorAt(t.pos, fmt.Sprintf("%q is not something a group rule can read: use a user profile attribute such as user.department", t.text))
	}
	return attrNode{at: t.pos, name: attr}, nil
}

func (p *parser) call(name token, depth int) (node, error) {
	fn, ok := functions[name.text]
	if !ok {
		return nil, p.errorAt(name.pos, fmt.Sprintf("%s is not a function group rules allow (%s)", name.text, functionNames()))
	}
	p.next() // (
	var args []node
	if p.peek().kind != tokRParen {
		for {
			a, err := p.or(depth + 1)
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			if p.peek().kind != tokComma {
				break
			}
			p.next()
		}
	}
	if c := p.next(); c.kind != tokRParen {
		return nil, p.errorAt(c.pos, fmt.Sprintf("expected ',' or ')' in the arguments of %s", name.text))
	}
	if len(args) < fn.min || fn.max >= 0 && len(args) > fn.max {
		return nil, p.errorAt(name.pos, fmt.Sprintf("%s takes %s, not %d", name.text, fn.arity(), len(args)))
	}
	for i, a := range args {
		want := fn.arg(i)
		if k := kindOf(a); want != kindAny && k != kindAny && k != want {
			return nil, p.errorAt(a.pos(), fmt.Sprintf("argument %d of %s must be a %s, not a %s", i+1, name.text, want, k))
		}
	}
	return callNode{at: name.pos, name: name.text, args: args}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func opWord(op string) string {
	if op == "&&" {
		return "AND"
	}
	return "OR"
}
