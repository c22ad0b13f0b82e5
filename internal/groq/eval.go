package groq

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

type evalCtx struct {
	goctx  context.Context
	env    *Env
	docs   []any
	params map[string]any
	// paramVals holds the values of Query.params, in that order.
	paramVals []any
	now       time.Time
	steps     int
	maxSteps  int
	// index maps _id to document; built on the first dereference.
	index map[string]any
	// plans holds the traversal plans of parameter-dependent traversals for this evaluation.
	plans map[*traversalExpr]traverser
	depth int
	// special is set once a value exists that exportValue must convert (datetime, path, range, pair).
	special     bool
	docsOrdered bool
	// patterns holds compiled match pattern tokens.
	patterns map[string]*regexp.Regexp
	// cache holds the values of scope-independent sub-expressions (see hoist.go).
	cache     []cacheSlot
	cacheSize int
}

type scope struct {
	this   any
	parent *scope
	ctx    *evalCtx
	fnArgs map[string]any
}

func (s *scope) nested(this any) *scope {
	return &scope{this: this, parent: s, ctx: s.ctx, fnArgs: s.fnArgs}
}

// evalAbort carries an evaluation error up to Evaluate.
type evalAbort struct{ err error }

func abort(err error) { panic(&evalAbort{err}) }

// tick counts one unit of evaluation work and enforces the step cap and cancellation.
func (c *evalCtx) tick(n int) {
	c.steps += n
	if c.steps > c.maxSteps {
		abort(fmt.Errorf("query needs more than %d evaluation steps; narrow the filter or raise the step cap: %w", c.maxSteps, ErrLimit))
	}
	if c.goctx != nil && c.steps&0xfff < n {
		if err := c.goctx.Err(); err != nil {
			abort(fmt.Errorf("query evaluation stopped: %w", err))
		}
	}
}

// Evaluate runs the query against env. A parameter the query references but env does not provide
// returns a *ParamError; exceeding the step cap or nesting depth returns an error wrapping ErrLimit.
func (q *Query) Evaluate(ctx context.Context, env *Env) (result any, err error) {
	if env == nil {
		env = &Env{}
	}
	for _, name := range q.params {
		if _, ok := env.Params[name]; !ok {
			return nil, &ParamError{Name: name}
		}
	}
	c := &evalCtx{goctx: ctx, env: env, docs: env.Documents, maxSteps: env.MaxSteps, now: env.Now, cacheSize: q.cached}
	if c.maxSteps <= 0 {
		c.maxSteps = DefaultMaxSteps
	}
	if c.now.IsZero() {
		c.now = time.Now()
	}
	if len(env.Params) > 0 {
		c.params = make(map[string]any, len(env.Params))
		for k, v := range env.Params {
			c.params[k] = normalizeJSON(v)
		}
	}
	if len(q.params) > 0 {
		c.paramVals = make([]any, len(q.params))
		for i, name := range q.params {
			c.paramVals[i] = c.params[name]
		}
	}
	if c.docs == nil {
		c.docs = []any{}
	}
	defer func() {
		if r := recover(); r != nil {
			ab, ok := r.(*evalAbort)
			if !ok {
				panic(r)
			}
			result, err = nil, ab.err
		}
	}()
	if q.paramDependent {
		if err := q.resolvePlans(c); err != nil {
			return nil, err
		}
	}
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("query evaluation stopped: %w", err)
		}
	}
	v := q.root.eval(&scope{ctx: c})
	if c.special || q.nonFinite {
		v = exportValue(v)
	}
	return v, nil
}

// resolvePlans classifies parameter-dependent bracket traversals now that parameter values are known.
func (q *Query) resolvePlans(c *evalCtx) error {
	c.plans = map[*traversalExpr]traverser{}
	var walkErr error
	var walk func(x expr)
	walk = func(x expr) {
		if x == nil || walkErr != nil {
			return
		}
		if t, ok := x.(*traversalExpr); ok && t.plan == nil {
			steps := make([]step, len(t.steps))
			copy(steps, t.steps)
			for i, st := range steps {
				switch st.kind {
				case stBracket:
					ns, msg := classifyBracket(st.x, constEval(st.x, c.params), st.start)
					if msg != "" {
						walkErr = bracketError(q.src, st.start, msg)
						return
					}
					steps[i] = ns
				case stSlice:
					for _, b := range []expr{st.lo, st.hi} {
						if !isInteger(constEval(b, c.params)) {
							walkErr = bracketError(q.src, st.start, "slice bounds must be integers")
							return
						}
					}
				}
			}
			c.plans[t] = buildPlan(steps)
		}
		for _, ch := range children(x) {
			walk(ch)
		}
	}
	walk(q.root)
	return walkErr
}

// bracketError reports a bracket traversal that parameter values made invalid, such as `[$i]` with
// a fractional $i.
func bracketError(src string, start int, msg string) *SyntaxError {
	end := start + 1
	if i := strings.IndexByte(src[start:], ']'); i >= 0 {
		end = start + i + 1
	}
	line, col := lineCol(src, start)
	return &SyntaxError{Message: msg, Query: src, Start: start, End: end, Line: line, Col: col}
}

func (e *litExpr) eval(*scope) any { return e.val }

func (e *paramExpr) eval(s *scope) any {
	if e.fnArg {
		return s.fnArgs[e.name]
	}
	if vals := s.ctx.paramVals; vals != nil {
		return vals[e.idx]
	}
	v, ok := s.ctx.params[e.name]
	if !ok {
		abort(&ParamError{Name: e.name})
	}
	return v
}

func (e *everythingExpr) eval(s *scope) any {
	c := s.ctx
	if !c.docsOrdered {
		c.docs = orderedByID(c.docs, true)
		c.docsOrdered = true
	}
	return c.docs
}
func (e *thisExpr) eval(s *scope) any { return s.this }

func (e *parentExpr) eval(s *scope) any {
	cur := s
	for i := 0; i < e.level; i++ {
		cur = cur.parent
		if cur == nil {
			return nil
		}
	}
	return cur.this
}

func (e *attrExpr) eval(s *scope) any {
	if m, ok := s.this.(map[string]any); ok {
		return m[e.name]
	}
	return nil
}

func (e *parenExpr) eval(s *scope) any { return e.x.eval(s) }

func (e *arrayExpr) eval(s *scope) any {
	out := make([]any, 0, len(e.elems))
	for _, el := range e.elems {
		v := el.val.eval(s)
		if el.spread {
			if arr, ok := v.([]any); ok {
				s.ctx.tick(len(arr))
				out = append(out, arr...)
			}
			continue
		}
		out = append(out, v)
	}
	return out
}

func (e *objectExpr) eval(s *scope) any {
	out := make(map[string]any, len(e.entries))
	for _, en := range e.entries {
		switch en.kind {
		case entryKeyed:
			out[en.key] = en.val.eval(s)
		case entrySpread:
			var v any
			if en.val == nil {
				v = s.this
			} else {
				v = en.val.eval(s)
			}
			if m, ok := v.(map[string]any); ok {
				s.ctx.tick(len(m))
				for k, x := range m {
					out[k] = x
				}
			}
		case entryConditional:
			if c, _ := en.cond.eval(s).(bool); c {
				if m, ok := en.val.eval(s).(map[string]any); ok {
					for k, x := range m {
						out[k] = x
					}
				}
			}
		}
	}
	return out
}

func (e *andExpr) eval(s *scope) any {
	l := e.l.eval(s)
	if l == false {
		return false
	}
	r := e.r.eval(s)
	if r == false {
		return false
	}
	if l == true && r == true {
		return true
	}
	return nil
}

func (e *orExpr) eval(s *scope) any {
	l := e.l.eval(s)
	if l == true {
		return true
	}
	r := e.r.eval(s)
	if r == true {
		return true
	}
	if l == false && r == false {
		return false
	}
	return nil
}

func (e *notExpr) eval(s *scope) any {
	if b, ok := e.x.eval(s).(bool); ok {
		return !b
	}
	return nil
}

func (e *negExpr) eval(s *scope) any {
	if f, ok := e.x.eval(s).(float64); ok {
		return -f
	}
	return nil
}

func (e *posExpr) eval(s *scope) any {
	if f, ok := e.x.eval(s).(float64); ok {
		return f
	}
	return nil
}

func (e *rangeExpr) eval(s *scope) any {
	s.ctx.special = true
	return rangeValue{e.l.eval(s), e.r.eval(s), e.exclusive}
}

func (e *pairExpr) eval(s *scope) any {
	s.ctx.special = true
	return pairValue{e.l.eval(s), e.r.eval(s)}
}

func (e *orderDirExpr) eval(s *scope) any { return e.x.eval(s) }

func (e *selectorExpr) eval(s *scope) any { return nil }

func (e *binExpr) eval(s *scope) any {
	l := e.l.eval(s)
	r := e.r.eval(s)
	switch e.op {
	case opEq:
		return equal(l, r)
	case opNeq:
		return !equal(l, r)
	case opLt, opLte, opGt, opGte:
		c := partialCompare(l, r)
		if c == incomparable {
			return nil
		}
		switch e.op {
		case opLt:
			return c < 0
		case opLte:
			return c <= 0
		case opGt:
			return c > 0
		default:
			return c >= 0
		}
	case opIn:
		if ce, ok := e.r.(*cachedExpr); ok {
			if v, ok := ce.membership(l, s); ok {
				return v
			}
		}
		return evalIn(l, r, s)
	case opMatch:
		return evalMatch(l, r, s)
	case opAdd:
		return add(l, r, s)
	case opSub:
		return sub(l, r)
	}
	x, ok1 := l.(float64)
	y, ok2 := r.(float64)
	if !ok1 || !ok2 {
		return nil
	}
	var v float64
	switch e.op {
	case opMul:
		v = x * y
	case opDiv:
		if y == 0 {
			return nil
		}
		v = x / y
	case opMod:
		if y == 0 {
			return nil
		}
		v = math.Mod(x, y)
	case opPow:
		v = math.Pow(x, y)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

func evalIn(l, r any, s *scope) any {
	switch rv := r.(type) {
	case []any:
		for _, x := range rv {
			s.ctx.tick(1)
			if equal(l, x) {
				return true
			}
		}
		return false
	case rangeValue:
		lo := partialCompare(l, rv.lo)
		hi := partialCompare(l, rv.hi)
		if lo == incomparable || hi == incomparable {
			return nil
		}
		if rv.exclusive {
			return lo >= 0 && hi < 0
		}
		return lo >= 0 && hi <= 0
	case pathValue:
		var id string
		switch lv := l.(type) {
		case string:
			id = lv
		case pathValue:
			id = string(lv)
		default:
			return false
		}
		s.ctx.tick(len(rv) * (len(id) + 1) / 16)
		return matchPath(string(rv), id)
	}
	return nil
}

func add(l, r any, s *scope) any {
	switch x := l.(type) {
	case float64:
		switch y := r.(type) {
		case float64:
			v := x + y
			if math.IsInf(v, 0) {
				return nil
			}
			return v
		case dateTime:
			return dateTime{y.t.Add(secondsDuration(x))}
		}
	case string:
		if y, ok := r.(string); ok {
			// Building values costs steps in proportion to their size, so that repeated doubling
			// (through recursive custom functions) hits the step cap instead of exhausting memory.
			s.ctx.tick(len(x) + len(y))
			return x + y
		}
	case []any:
		if y, ok := r.([]any); ok {
			s.ctx.tick(len(x) + len(y))
			out := make([]any, 0, len(x)+len(y))
			return append(append(out, x...), y...)
		}
	case map[string]any:
		if y, ok := r.(map[string]any); ok {
			s.ctx.tick(len(x) + len(y))
			out := make(map[string]any, len(x)+len(y))
			for k, v := range x {
				out[k] = v
			}
			for k, v := range y {
				out[k] = v
			}
			return out
		}
	case dateTime:
		if y, ok := r.(float64); ok {
			return dateTime{x.t.Add(secondsDuration(y))}
		}
	}
	return nil
}

func sub(l, r any) any {
	switch x := l.(type) {
	case float64:
		if y, ok := r.(float64); ok {
			v := x - y
			if math.IsInf(v, 0) {
				return nil
			}
			return v
		}
	case dateTime:
		switch y := r.(type) {
		case float64:
			return dateTime{x.t.Add(-secondsDuration(y))}
		case dateTime:
			return x.t.Sub(y.t).Seconds()
		}
	}
	return nil
}

func secondsDuration(f float64) time.Duration {
	return time.Duration(f * float64(time.Second))
}

func (e *callExpr) eval(s *scope) any {
	if e.custom != nil {
		c := s.ctx
		c.depth++
		if c.depth > DefaultMaxDepth {
			abort(fmt.Errorf("custom function calls nested deeper than %d: %w", DefaultMaxDepth, ErrLimit))
		}
		args := make(map[string]any, len(e.args))
		for i, a := range e.args {
			args[e.custom.params[i]] = a.eval(s)
		}
		// The body runs in a new root scope: it sees its arguments, not the caller's scopes.
		inner := &scope{ctx: c, fnArgs: args}
		v := e.custom.body.eval(inner)
		c.depth--
		return v
	}
	return e.fn.call(e.args, s)
}

func (e *pipeExpr) eval(s *scope) any {
	base, ok := e.base.eval(s).([]any)
	if !ok {
		return nil
	}
	switch e.name {
	case "order":
		return pipeOrder(base, e.args, s)
	case "score":
		return pipeScore(base, e.args, s)
	}
	return nil
}

func (e *traversalExpr) eval(s *scope) any {
	if e.datasetFilter != nil {
		c := s.ctx
		matches, _ := e.datasetFilter(c.docs, s).([]any)
		return e.afterFilter(orderedByID(matches, false), s)
	}
	plan := e.plan
	if plan == nil {
		plan = s.ctx.plans[e]
		if plan == nil {
			// Only reachable through constant evaluation at parse time.
			plan = buildPlan(e.steps)
		}
	}
	return plan(e.base.eval(s), s)
}

// normalizeJSON converts common Go values in parameters into the JSON forms the engine works on.
func normalizeJSON(v any) any {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case uint:
		return float64(x)
	case uint64:
		return float64(x)
	case float32:
		return normalizeJSON(float64(x))
	case float64:
		// JSON has no infinities or NaN; treat them as absent.
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return x
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeJSON(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalizeJSON(e)
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = e
		}
		return out
	case nil, bool, string:
		return v
	}
	// Any other Go value (structs, typed slices, json.Number, ...) takes the shape encoding/json
	// gives it; a value JSON cannot represent is treated as absent.
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil
	}
	return out
}

// orderedByID returns the documents in _id order, the order in which the Content Lake returns `*`
// when a query does not order it. Datasets that are already in order are not copied, and the order
// of the last unordered dataset is remembered, so that a caller evaluating many queries over the
// same slice pays for sorting once.
func orderedByID(docs []any, remember bool) []any {
	ids := make([]string, len(docs))
	sorted := true
	for i, d := range docs {
		ids[i] = docID(d)
		if i > 0 && ids[i-1] > ids[i] {
			sorted = false
		}
	}
	if sorted {
		return docs
	}
	if remember {
		if perm := lastOrder.lookup(docs, ids); perm != nil {
			return permute(docs, perm)
		}
	}
	perm := make([]int32, len(docs))
	for i := range perm {
		perm[i] = int32(i)
	}
	// Ties on _id keep dataset order, which makes the unstable sort deterministic.
	slices.SortFunc(perm, func(a, b int32) int {
		if c := strings.Compare(ids[a], ids[b]); c != 0 {
			return c
		}
		return int(a - b)
	})
	if remember {
		lastOrder.store(docs, perm)
	}
	return permute(docs, perm)
}

func docID(d any) string {
	if m, ok := d.(map[string]any); ok {
		id, _ := m["_id"].(string)
		return id
	}
	return ""
}

func permute(docs []any, perm []int32) []any {
	out := make([]any, len(docs))
	for i, p := range perm {
		out[i] = docs[p]
	}
	return out
}

// orderCache remembers the _id order of one dataset slice.
type orderCache struct {
	mu    sync.Mutex
	first *any
	n     int
	perm  []int32
}

var lastOrder orderCache

// lookup returns the remembered order if it belongs to this slice and still sorts its current
// contents (the caller may have changed documents in place since).
func (c *orderCache) lookup(docs []any, ids []string) []int32 {
	c.mu.Lock()
	perm := c.perm
	ok := len(docs) > 0 && c.first == &docs[0] && c.n == len(docs)
	c.mu.Unlock()
	if !ok {
		return nil
	}
	for i := 1; i < len(perm); i++ {
		if ids[perm[i-1]] > ids[perm[i]] {
			return nil
		}
	}
	return perm
}

func (c *orderCache) store(docs []any, perm []int32) {
	c.mu.Lock()
	c.first, c.n, c.perm = &docs[0], len(docs), perm
	c.mu.Unlock()
}
