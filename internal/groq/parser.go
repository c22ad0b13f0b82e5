package groq

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Query is a parsed GROQ query, safe for concurrent evaluation.
type Query struct {
	src    string
	root   expr
	params []string
	// paramDependent is set when some bracket traversal can only be classified once parameter values
	// are known (`[$n]` is an element access for a number, an attribute for a string).
	paramDependent bool
	// nonFinite is set when a number literal overflowed to infinity; results then need exporting.
	nonFinite bool
	// cached is the number of scope-independent sub-expressions cached per evaluation.
	cached int
}

// Source returns the query text as given to Parse.
func (q *Query) Source() string { return q.src }

// Params returns the names of the parameters the query references, sorted and without duplicates.
func (q *Query) Params() []string { return append([]string(nil), q.params...) }

type parser struct {
	src    string
	toks   []token
	pos    int
	depth  int
	params map[string]struct{}
	funcs  map[string]*customFunc
	// fnParams holds the parameter names of the custom function whose body is being parsed.
	fnParams       map[string]bool
	paramDependent bool
	nonFinite      bool
	paramRefs      []*paramExpr
	operators      int
	// spans locates the nodes validation may reject, for error positions.
	spans map[expr][2]int
}

// mark records the span of an operator node: from its operator token to the last token read.
func (p *parser) mark(x expr, op token) {
	p.spans[x] = [2]int{op.start, p.toks[p.pos-1].end}
}

type parseAbort struct{ err *SyntaxError }

// Parse parses a GROQ query. A query that does not parse or is invalid returns a *SyntaxError.
func Parse(src string) (q *Query, err error) {
	p := &parser{src: src, params: map[string]struct{}{}, spans: map[expr][2]int{}}
	defer func() {
		if r := recover(); r != nil {
			pa, ok := r.(parseAbort)
			if !ok {
				panic(r)
			}
			q, err = nil, pa.err
		}
	}()
	lx := lexer{src: src}
	for {
		t := lx.next()
		p.toks = append(p.toks, t)
		if t.kind == tokEOF {
			break
		}
		if t.kind == tokInvalid {
			p.failAt(t, "unexpected token %s, expected expression", p.quote(t))
		}
	}
	p.parseFuncDecls()
	root := p.parseExpr(0)
	if t := p.peek(); t.kind != tokEOF {
		p.failAt(t, "unexpected token %s, expected end of query", p.quote(t))
	}
	p.validate(root, ctxTop)
	h := &hoister{}
	root = h.rewrite(root, false)
	names := make([]string, 0, len(p.params))
	for n := range p.params {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, pe := range p.paramRefs {
		pe.idx = sort.SearchStrings(names, pe.name)
	}
	q = &Query{src: src, root: root, params: names, paramDependent: p.paramDependent, cached: h.n, nonFinite: p.nonFinite}
	return q, nil
}

// quote renders a token as the Content Lake quotes it in messages: its source text, quoted.
func (p *parser) quote(t token) string { return strconv.Quote(p.src[t.start:t.end]) }

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) peekNext() token {
	if p.pos+1 < len(p.toks) {
		return p.toks[p.pos+1]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) advance() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

func (p *parser) isPunct(text string) bool {
	t := p.peek()
	return t.kind == tokPunct && t.text == text
}

func (p *parser) isIdent(text string) bool {
	t := p.peek()
	return t.kind == tokIdent && t.text == text
}

// Position gives the 1-based line and column (in characters) of a byte offset into src, as SyntaxError
// reports them; callers use it for positions the Content Lake reports as offsets.
func Position(src string, off int) (line, col int) {
	return lineCol(src, off)
}

// lineCol gives the 1-based line and column (in characters) of a byte offset.
func lineCol(src string, off int) (int, int) {
	line, col := 1, 1
	for i, r := range src {
		if i >= off {
			break
		}
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

func (p *parser) failSpan(start, end int, format string, args ...any) {
	line, col := lineCol(p.src, start)
	panic(parseAbort{&SyntaxError{Message: fmt.Sprintf(format, args...), Query: p.src, Start: start, End: end, Line: line, Col: col}})
}

func (p *parser) failAt(t token, format string, args ...any) {
	if t.kind == tokEOF {
		format = strings.Replace(format, "unexpected token %s", "unexpected end-of-file", 1)
		if len(args) > 0 {
			args = args[1:]
		}
	}
	p.failSpan(t.start, t.end, format, args...)
}

func (p *parser) expectPunct(text string) token {
	t := p.peek()
	if t.kind != tokPunct || t.text != text {
		p.failAt(t, "unexpected token %s, expected %q", p.quote(t), text)
	}
	return p.advance()
}

// enter guards recursion so that deeply nested queries fail cleanly instead of exhausting the stack.
func (p *parser) enter(t token) {
	p.depth++
	if p.depth > DefaultMaxDepth {
		line, col := lineCol(p.src, t.start)
		panic(parseAbort{&SyntaxError{
			Message: fmt.Sprintf("query nests deeper than %d levels; simplify it", DefaultMaxDepth),
			Query:   p.src, Start: t.start, End: t.end, Line: line, Col: col, cause: ErrLimit,
		}})
	}
}
func (p *parser) leave() { p.depth-- }

// maxOperators bounds the binary operators in one query, and with it the depth of operator chains.
const maxOperators = 10_000

// Precedence levels from the spec, highest binding last.
const (
	precPair    = 1
	precOr      = 2
	precAnd     = 3
	precCompare = 4
	precRange   = 5
	precAdd     = 6
	precMul     = 7
	precNeg     = 8
	precPow     = 9
	precNot     = 10
)

func (p *parser) infix(t token) (prec int, ok bool) {
	switch t.kind {
	case tokPunct:
		switch t.text {
		case "=>":
			return precPair, true
		case "||":
			return precOr, true
		case "&&":
			return precAnd, true
		case "==", "!=", "<", "<=", ">", ">=":
			return precCompare, true
		case "..", "...":
			return precRange, true
		case "+", "-":
			return precAdd, true
		case "*", "/", "%":
			return precMul, true
		case "**":
			return precPow, true
		}
	case tokIdent:
		switch t.text {
		case "in", "match", "asc", "desc":
			return precCompare, true
		}
	}
	return 0, false
}

var binOps = map[string]binOp{
	"==": opEq, "!=": opNeq, "<": opLt, "<=": opLte, ">": opGt, ">=": opGte, "in": opIn, "match": opMatch,
	"+": opAdd, "-": opSub, "*": opMul, "/": opDiv, "%": opMod,
}

func (p *parser) parseExpr(minPrec int) expr {
	t := p.peek()
	p.enter(t)
	defer p.leave()
	left := p.parsePrefix()
	var nonAssocUsed [precNot + 1]bool
	for {
		t := p.peek()
		prec, ok := p.infix(t)
		if !ok || prec < minPrec || nonAssocUsed[prec] {
			return left
		}
		// Each operator of a chain like `a || b || c` deepens the tree by one. Long chains are
		// ordinary in generated filters, so they have their own, larger budget.
		p.operators++
		if p.operators > maxOperators {
			line, col := lineCol(p.src, t.start)
			panic(parseAbort{&SyntaxError{
				Message: fmt.Sprintf("query has more than %d operators; simplify it", maxOperators),
				Query:   p.src, Start: t.start, End: t.end, Line: line, Col: col, cause: ErrLimit,
			}})
		}
		p.advance()
		switch prec {
		case precPair:
			left = &pairExpr{left, p.parseExpr(prec + 1)}
			p.mark(left, t)
			nonAssocUsed[prec] = true
		case precOr:
			left = &orExpr{left, p.parseExpr(prec + 1)}
		case precAnd:
			left = &andExpr{left, p.parseExpr(prec + 1)}
		case precCompare:
			nonAssocUsed[prec] = true
			switch t.text {
			case "asc", "desc":
				left = &orderDirExpr{left, t.text == "desc"}
				p.mark(left, t)
				continue
			}
			left = &binExpr{binOps[t.text], left, p.parseExpr(prec + 1)}
		case precRange:
			left = &rangeExpr{left, p.parseExpr(prec + 1), t.text == "..."}
			p.mark(left, t)
			nonAssocUsed[prec] = true
		case precAdd, precMul:
			left = &binExpr{binOps[t.text], left, p.parseExpr(prec + 1)}
		case precPow:
			left = &binExpr{opPow, left, p.parseExpr(prec)}
		}
	}
}

func (p *parser) parsePrefix() expr {
	t := p.peek()
	if t.kind == tokPunct {
		switch t.text {
		case "-":
			p.advance()
			return foldNeg(p.parseExpr(precNeg))
		case "+":
			p.advance()
			return &posExpr{p.parseExpr(precNot)}
		case "!":
			p.advance()
			return &notExpr{p.parseExpr(precNot)}
		}
	}
	return p.parsePostfix(p.parsePrimary())
}

// foldNeg turns `-3` into a literal so that `[-1]` is recognised as an element access.
func foldNeg(x expr) expr {
	if l, ok := x.(*litExpr); ok {
		if f, ok := l.val.(float64); ok {
			return &litExpr{-f}
		}
	}
	return &negExpr{x}
}

func (p *parser) parsePrimary() expr {
	t := p.peek()
	switch t.kind {
	case tokNumber:
		p.advance()
		if math.IsInf(t.num, 0) {
			p.nonFinite = true
		}
		return &litExpr{t.num}
	case tokString:
		p.advance()
		return &litExpr{t.str}
	case tokParam:
		p.advance()
		// In a function body its own parameters shadow the query's.
		if p.fnParams[t.text] {
			return &paramExpr{name: t.text, fnArg: true}
		}
		p.params[t.text] = struct{}{}
		pe := &paramExpr{name: t.text}
		p.paramRefs = append(p.paramRefs, pe)
		return pe
	case tokIdent:
		return p.parseIdent()
	case tokPunct:
		switch t.text {
		case "*":
			p.advance()
			return &everythingExpr{}
		case "@":
			p.advance()
			return &thisExpr{}
		case "^":
			p.advance()
			level := 1
			for p.isPunct(".") && p.peekNext().kind == tokPunct && p.peekNext().text == "^" {
				p.advance()
				p.advance()
				level++
			}
			return &parentExpr{level}
		case "(":
			p.advance()
			x := p.parseExpr(0)
			p.expectPunct(")")
			return &parenExpr{x}
		case "[":
			return p.parseArray()
		case "{":
			return p.parseObject()
		}
	}
	p.failAt(t, "unexpected token %s, expected expression", p.quote(t))
	return nil
}

// parenExpr marks parentheses: they end a traversal chain and scope pairs and ranges.
type parenExpr struct{ x expr }

func (p *parser) parseIdent() expr {
	t := p.advance()
	switch t.text {
	case "true":
		return &litExpr{true}
	case "false":
		return &litExpr{false}
	case "null":
		return &litExpr{nil}
	}
	name := t.text
	if p.isPunct("::") {
		p.advance()
		n := p.peek()
		if n.kind != tokIdent {
			p.failAt(n, "unexpected token %s, expected function name", p.quote(n))
		}
		p.advance()
		name = t.text + "::" + n.text
		if !p.isPunct("(") {
			p.failAt(p.peek(), "unexpected token %s, expected \"(\"", p.quote(p.peek()))
		}
	}
	if p.isPunct("(") {
		return p.parseCall(t, name)
	}
	return &attrExpr{t.text}
}

func (p *parser) parseArgs(selectorArg int) []expr {
	p.expectPunct("(")
	var args []expr
	for !p.isPunct(")") {
		if len(args) == selectorArg {
			args = append(args, &selectorExpr{p.parseSelector()})
		} else {
			args = append(args, p.parseExpr(0))
		}
		if !p.isPunct(",") {
			break
		}
		p.advance()
	}
	p.expectPunct(")")
	return args
}

func (p *parser) parseCall(nameTok token, name string) expr {
	full := name
	if !strings.Contains(full, "::") {
		full = "global::" + name
	}
	selectorArg := -1
	switch full {
	case "diff::changedAny", "diff::changedOnly":
		selectorArg = 2
	case "delta::changedAny", "delta::changedOnly":
		selectorArg = 0
	}
	args := p.parseArgs(selectorArg)
	end := p.toks[p.pos-1].end
	if cf, ok := p.funcs[full]; ok {
		if len(args) != len(cf.params) {
			p.failSpan(nameTok.start, end, "function %s() takes %d arguments, got %d", full, len(cf.params), len(args))
		}
		return &callExpr{name: full, args: args, custom: cf}
	}
	fn, ok := functions[full]
	if !ok {
		p.failSpan(nameTok.start, end, "undefined function %s()", name)
	}
	if len(args) < fn.minArgs || (fn.maxArgs >= 0 && len(args) > fn.maxArgs) {
		p.failSpan(nameTok.start, end, "wrong number of arguments to %s(): got %d", name, len(args))
	}
	if fn.pipeOnly {
		p.failSpan(nameTok.start, end, "%s() can only be used in a pipe", name)
	}
	call := &callExpr{name: full, fn: fn, args: args}
	p.spans[call] = [2]int{nameTok.start, end}
	return call
}

func (p *parser) parseArray() expr {
	p.expectPunct("[")
	arr := &arrayExpr{}
	for !p.isPunct("]") {
		spread := false
		if p.isPunct("...") {
			p.advance()
			spread = true
		}
		arr.elems = append(arr.elems, arrayElem{p.parseExpr(0), spread})
		if !p.isPunct(",") {
			break
		}
		p.advance()
	}
	p.expectPunct("]")
	return arr
}

func (p *parser) parseObject() *objectExpr {
	open := p.expectPunct("{")
	p.enter(open)
	defer p.leave()
	obj := &objectExpr{}
	for !p.isPunct("}") {
		start := p.peek()
		if p.isPunct("...") {
			p.advance()
			if p.isPunct(",") || p.isPunct("}") {
				obj.entries = append(obj.entries, objEntry{kind: entrySpread})
			} else {
				obj.entries = append(obj.entries, objEntry{kind: entrySpread, val: p.parseExpr(0)})
			}
		} else {
			x := p.parseExpr(0)
			if p.isPunct(":") {
				p.advance()
				key, ok := constString(x)
				if !ok {
					p.failSpan(start.start, p.toks[p.pos-1].end, "object key must be a string")
				}
				obj.entries = append(obj.entries, objEntry{kind: entryKeyed, key: key, val: p.parseExpr(0)})
			} else if pe, ok := x.(*pairExpr); ok {
				obj.entries = append(obj.entries, objEntry{kind: entryConditional, cond: pe.l, val: pe.r})
			} else {
				name, ok := determineName(x)
				if !ok {
					p.failSpan(start.start, p.toks[p.pos-1].end, "cannot determine property key for expression")
				}
				obj.entries = append(obj.entries, objEntry{kind: entryKeyed, key: name, val: x})
			}
		}
		if !p.isPunct(",") {
			break
		}
		p.advance()
	}
	p.expectPunct("}")
	return obj
}

func constString(x expr) (string, bool) {
	if l, ok := x.(*litExpr); ok {
		s, ok := l.val.(string)
		return s, ok
	}
	return "", false
}

// determineName gives the key a projection entry without an explicit key gets: the last attribute
// the expression reads.
func determineName(x expr) (string, bool) {
	switch n := x.(type) {
	case *attrExpr:
		return n.name, true
	case *traversalExpr:
		for i := len(n.steps) - 1; i >= 0; i-- {
			st := n.steps[i]
			switch st.kind {
			case stAttr:
				return st.name, true
			case stDeref:
				if st.name != "" {
					return st.name, true
				}
			}
		}
		return determineName(n.base)
	case *pipeExpr:
		return determineName(n.base)
	}
	return "", false
}

// parsePostfix reads the traversal chain and pipes that follow a primary expression.
func (p *parser) parsePostfix(base expr) expr {
	var steps []step
	// Traversal steps and pipes nest evaluation, so they count towards the nesting limit.
	entered := 0
	defer func() { p.depth -= entered }()
	finish := func() expr {
		if len(steps) == 0 {
			return base
		}
		return p.newTraversal(base, steps)
	}
	for {
		t := p.peek()
		if t.kind != tokPunct {
			return finish()
		}
		switch t.text {
		case ".", "->", "{", "[", "|":
			entered++
			p.enter(t)
		}
		switch t.text {
		case ".":
			p.advance()
			n := p.peek()
			if n.kind != tokIdent {
				p.failAt(n, "unexpected token %s, expected identifier", p.quote(n))
			}
			p.advance()
			steps = append(steps, step{kind: stAttr, name: n.text, start: t.start})
		case "->":
			p.advance()
			st := step{kind: stDeref, start: t.start}
			if n := p.peek(); n.kind == tokIdent && n.start == t.end {
				p.advance()
				st.name = n.text
			}
			steps = append(steps, st)
		case "{":
			steps = append(steps, step{kind: stProject, obj: p.parseObject(), start: t.start})
		case "[":
			steps = append(steps, p.parseBracket())
		case "|":
			n := p.peekNext()
			if n.kind == tokPunct && n.text == "{" {
				p.advance()
				steps = append(steps, step{kind: stProject, obj: p.parseObject(), start: t.start})
				continue
			}
			if n.kind != tokIdent {
				p.failAt(n, "unexpected token %s, expected function call", p.quote(n))
			}
			p.advance()
			base = p.parsePipe(finish())
			steps = nil
		default:
			return finish()
		}
	}
}

func (p *parser) parsePipe(base expr) expr {
	n := p.advance()
	name := n.text
	if p.isPunct("::") {
		p.advance()
		m := p.advance()
		name = n.text + "::" + m.text
	}
	if name == "global::order" {
		name = "order"
	}
	if name != "order" && name != "score" {
		p.failSpan(n.start, n.end, "undefined pipe function %s()", name)
	}
	if !p.isPunct("(") {
		p.failAt(p.peek(), "unexpected token %s, expected \"(\"", p.quote(p.peek()))
	}
	args := p.parseArgs(-1)
	if len(args) == 0 {
		p.failSpan(n.start, p.toks[p.pos-1].end, "%s() needs at least one argument", name)
	}
	return &pipeExpr{base: base, name: name, args: args}
}

func (p *parser) parseBracket() step {
	open := p.expectPunct("[")
	if p.isPunct("]") {
		p.advance()
		return step{kind: stArray, start: open.start}
	}
	x := p.parseExpr(0)
	p.expectPunct("]")
	end := p.toks[p.pos-1].end
	if r, ok := x.(*rangeExpr); ok {
		st := step{kind: stSlice, lo: r.l, hi: r.r, exclusive: r.exclusive, start: open.start}
		if !isConstant(r.l) || !isConstant(r.r) {
			p.failSpan(open.start, end, "slice bounds must be constant integers")
		}
		if !dependsOnParams(r.l) && !dependsOnParams(r.r) {
			for _, b := range []expr{r.l, r.r} {
				if !isInteger(constEval(b, nil)) {
					p.failSpan(open.start, end, "slice bounds must be integers")
				}
			}
		} else {
			p.paramDependent = true
		}
		return st
	}
	if isConstant(x) {
		if dependsOnParams(x) {
			p.paramDependent = true
			return step{kind: stBracket, x: x, start: open.start}
		}
		st, err := classifyBracket(x, constEval(x, nil), open.start)
		if err != "" {
			p.failSpan(open.start, end, "%s", err)
		}
		return st
	}
	return step{kind: stFilter, x: x, start: open.start}
}

func isInteger(v any) bool {
	f, ok := v.(float64)
	return ok && f == math.Trunc(f) && !math.IsInf(f, 0)
}

// classifyBracket decides what a `[expr]` with a constant value means.
func classifyBracket(x expr, v any, start int) (step, string) {
	switch val := v.(type) {
	case string:
		return step{kind: stAttr, name: val, start: start}, ""
	case float64:
		if !isInteger(val) {
			return step{}, "array index must be an integer"
		}
		return step{kind: stElem, idx: int(math.Max(math.Min(val, math.MaxInt32), math.MinInt32)), start: start}, ""
	}
	return step{kind: stFilter, x: x, start: start}, ""
}

func (p *parser) newTraversal(base expr, steps []step) expr {
	switch base.(type) {
	case *everythingExpr, *arrayExpr, *pipeExpr:
		steps = append([]step{{kind: stArray}}, steps...)
	}
	t := &traversalExpr{base: base, steps: steps}
	for _, st := range steps {
		if st.kind == stBracket || (st.kind == stSlice && (dependsOnParams(st.lo) || dependsOnParams(st.hi))) {
			return t
		}
	}
	t.plan = buildPlan(steps)
	t.splitDatasetFilter()
	return t
}

// parseFuncDecls reads leading `fn ns::name($a, ...) = body;` declarations.
func (p *parser) parseFuncDecls() {
	// Declarations may call each other in any order, so register every signature first.
	for i := 0; i+4 < len(p.toks); i++ {
		t := p.toks[i]
		if !(t.kind == tokIdent && t.text == "fn" && p.toks[i+1].kind == tokIdent && p.toks[i+2].text == "::" &&
			p.toks[i+3].kind == tokIdent && p.toks[i+4].text == "(") {
			continue
		}
		cf := &customFunc{name: p.toks[i+1].text + "::" + p.toks[i+3].text}
		for j := i + 5; j < len(p.toks) && p.toks[j].kind == tokParam; j += 2 {
			cf.params = append(cf.params, p.toks[j].text)
		}
		if p.funcs == nil {
			p.funcs = map[string]*customFunc{}
		}
		if _, dup := p.funcs[cf.name]; !dup {
			p.funcs[cf.name] = cf
		}
	}
	for p.isIdent("fn") && p.peekNext().kind == tokIdent {
		start := p.advance()
		ns := p.advance()
		name := ns.text
		if !p.isPunct("::") {
			p.failAt(p.peek(), "unexpected token %s, expected \"::\"", p.quote(p.peek()))
		}
		p.advance()
		fnName := p.peek()
		if fnName.kind != tokIdent {
			p.failAt(fnName, "unexpected token %s, expected function name", p.quote(fnName))
		}
		p.advance()
		name += "::" + fnName.text
		p.expectPunct("(")
		cf := &customFunc{name: name}
		params := map[string]bool{}
		for !p.isPunct(")") {
			pt := p.peek()
			if pt.kind != tokParam {
				p.failAt(pt, "unexpected token %s, expected parameter", p.quote(pt))
			}
			p.advance()
			cf.params = append(cf.params, pt.text)
			params[pt.text] = true
			if !p.isPunct(",") {
				break
			}
			p.advance()
		}
		p.expectPunct(")")
		p.expectPunct("=")
		if pre := p.funcs[name]; pre != nil {
			if pre.body != nil {
				p.failSpan(start.start, fnName.end, "function %s is declared twice", name)
			}
			pre.params = cf.params
			cf = pre
		} else {
			if p.funcs == nil {
				p.funcs = map[string]*customFunc{}
			}
			p.funcs[name] = cf
		}
		saved := p.fnParams
		p.fnParams = params
		cf.body = p.parseExpr(0)
		p.fnParams = saved
		semi := p.expectPunct(";")
		if len(cf.params) != 1 {
			p.failSpan(start.start, semi.end, "custom function %s must take exactly one parameter", name)
		}
		p.validate(cf.body, ctxTop)
	}
}

func (p *parser) parseSelector() *selector {
	t := p.peek()
	p.enter(t)
	defer p.leave()
	var path []selComponent
	switch {
	case t.kind == tokIdent && t.text == "anywhere" && p.peekNext().kind == tokPunct && p.peekNext().text == "(":
		p.advance()
		p.advance()
		cond := p.parseExpr(0)
		p.expectPunct(")")
		path = append(path, selComponent{kind: selAnywhere, cond: cond})
	case t.kind == tokIdent:
		p.advance()
		path = append(path, selComponent{kind: selAttr, name: t.text})
	case t.kind == tokPunct && t.text == "(":
		path = append(path, selComponent{kind: selAttr, group: p.parseSelectorGroup()})
	default:
		p.failAt(t, "unexpected token %s, expected selector", p.quote(t))
	}
	for {
		t := p.peek()
		if t.kind != tokPunct {
			break
		}
		if t.text == "." {
			p.advance()
			n := p.peek()
			switch {
			case n.kind == tokIdent:
				p.advance()
				path = append(path, selComponent{kind: selAttr, name: n.text})
			case n.kind == tokPunct && n.text == "(":
				path = append(path, selComponent{kind: selAttr, group: p.parseSelectorGroup()})
			default:
				p.failAt(n, "unexpected token %s, expected selector", p.quote(n))
			}
			continue
		}
		if t.text == "[" {
			p.advance()
			if p.isPunct("]") {
				p.advance()
				path = append(path, selComponent{kind: selArray})
				continue
			}
			x := p.parseExpr(0)
			end := p.expectPunct("]")
			if isConstant(x) {
				p.failSpan(t.start, end.end, "selector filters must depend on the element")
			}
			p.validate(x, ctxTop)
			path = append(path, selComponent{kind: selFilter, cond: x})
			continue
		}
		break
	}
	if t := p.peek(); !(t.kind == tokPunct && (t.text == "," || t.text == ")")) {
		p.failAt(t, "unexpected token %s, expected end of selector", p.quote(t))
	}
	return &selector{paths: [][]selComponent{path}}
}

func (p *parser) parseSelectorGroup() *selector {
	p.expectPunct("(")
	g := &selector{}
	for {
		s := p.parseSelector()
		g.paths = append(g.paths, s.paths...)
		if !p.isPunct(",") {
			break
		}
		p.advance()
	}
	p.expectPunct(")")
	return g
}
