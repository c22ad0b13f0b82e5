package groq

// Sub-expressions that depend on no scope at all, such as the `*[_type == "author"]._id` in
// `*[_type == "book" && author._ref in *[_type == "author"]._id]`, give the same value for every
// element a filter or projection visits. They are evaluated once per query evaluation and cached,
// which turns such joins from quadratic into linear work.

type cachedExpr struct {
	x  expr
	id int
}

type cacheSlot struct {
	done bool
	val  any
	// set indexes the cached array for `in`, built on the first large membership test.
	set map[any]bool
}

func (e *cachedExpr) slot(s *scope) *cacheSlot {
	c := s.ctx
	if e.id >= c.cacheSize {
		// An evaluation without a cache (constant evaluation) just computes the value.
		return &cacheSlot{done: true, val: e.x.eval(s)}
	}
	if c.cache == nil {
		c.cache = make([]cacheSlot, c.cacheSize)
	}
	sl := &c.cache[e.id]
	if !sl.done {
		sl.val = e.x.eval(s)
		sl.done = true
	}
	return sl
}

func (e *cachedExpr) eval(s *scope) any { return e.slot(s).val }

// membership answers `l in cached` with a hash set once the array is large enough to pay for it.
func (e *cachedExpr) membership(l any, s *scope) (any, bool) {
	sl := e.slot(s)
	arr, ok := sl.val.([]any)
	if !ok || len(arr) < 16 {
		return nil, false
	}
	if sl.set == nil {
		sl.set = make(map[any]bool, len(arr))
		for _, v := range arr {
			switch v.(type) {
			case string, float64, bool:
				sl.set[v] = true
			}
		}
	}
	switch l.(type) {
	case string, float64, bool:
		return sl.set[l], true
	}
	// Other values (null, containers) need the full comparison.
	return nil, false
}

type hoister struct {
	n int
	// facts memoises scopeReach and containsEverything per node, keeping the rewrite linear.
	facts map[expr]nodeFacts
}

type nodeFacts struct {
	reach      int
	pure, star bool
}

func (h *hoister) factsOf(x expr) nodeFacts {
	if f, ok := h.facts[x]; ok {
		return f
	}
	if h.facts == nil {
		h.facts = map[expr]nodeFacts{}
	}
	r, pure := h.scopeReach(x)
	star := false
	if _, ok := x.(*everythingExpr); ok {
		star = true
	}
	for _, c := range children(x) {
		star = star || h.factsOf(c).star
	}
	f := nodeFacts{r, pure, star}
	h.facts[x] = f
	return f
}

// scopeReach returns how far out an expression reads scopes (-1: none, 0: this, k: k-th parent)
// and whether it is pure (no custom-function arguments, whose values differ per call).
func (h *hoister) scopeReach(x expr) (int, bool) {
	reach, pure := -1, true
	merge := func(r int, p bool) {
		if r > reach {
			reach = r
		}
		pure = pure && p
	}
	nested := func(y expr) {
		if y == nil {
			return
		}
		f := h.factsOf(y)
		merge(f.reach-1, f.pure)
	}
	switch n := x.(type) {
	case *thisExpr, *attrExpr:
		return 0, true
	case *parentExpr:
		return n.level, true
	case *paramExpr:
		return -1, !n.fnArg
	case *cachedExpr:
		return -1, true
	case *callExpr:
		if n.custom != nil || impureFunctions[n.name] && n.name != "global::now" && n.name != "dateTime::now" {
			merge(0, true)
		}
		for _, a := range n.args {
			if se, ok := a.(*selectorExpr); ok {
				for _, c := range selectorConds(se.sel) {
					nested(c)
				}
				continue
			}
			f := h.factsOf(a)
			merge(f.reach, f.pure)
		}
		return reach, pure
	case *pipeExpr:
		f := h.factsOf(n.base)
		merge(f.reach, f.pure)
		for _, a := range n.args {
			nested(a)
		}
		return reach, pure
	case *traversalExpr:
		f := h.factsOf(n.base)
		merge(f.reach, f.pure)
		for _, st := range n.steps {
			switch st.kind {
			case stFilter:
				nested(st.x)
			case stProject:
				nested(st.obj)
			default:
				for _, c := range []expr{st.x, st.lo, st.hi} {
					if c != nil {
						f := h.factsOf(c)
						merge(f.reach, f.pure)
					}
				}
			}
		}
		return reach, pure
	case *objectExpr:
		for _, e := range n.entries {
			if e.kind == entrySpread && e.val == nil {
				merge(0, true)
			}
		}
	}
	for _, c := range children(x) {
		f := h.factsOf(c)
		merge(f.reach, f.pure)
	}
	return reach, pure
}

func selectorConds(sel *selector) []expr {
	var out []expr
	for _, path := range sel.paths {
		for _, c := range path {
			if c.cond != nil {
				out = append(out, c.cond)
			}
			if c.group != nil {
				out = append(out, selectorConds(c.group)...)
			}
		}
	}
	return out
}

// rewrite walks the tree; inNested is set inside filters, projections and pipe arguments, where a
// sub-expression may be evaluated many times.
func (h *hoister) rewrite(x expr, inNested bool) expr {
	if x == nil {
		return nil
	}
	if inNested {
		if _, isLit := x.(*litExpr); !isLit {
			if f := h.factsOf(x); f.reach < 0 && f.pure && f.star {
				h.rewriteChildren(x, inNested)
				c := &cachedExpr{x: x, id: h.n}
				h.n++
				return c
			}
		}
	}
	h.rewriteChildren(x, inNested)
	return x
}

func (h *hoister) rewriteChildren(x expr, inNested bool) {
	switch n := x.(type) {
	case *arrayExpr:
		for i := range n.elems {
			n.elems[i].val = h.rewrite(n.elems[i].val, inNested)
		}
	case *objectExpr:
		for i := range n.entries {
			n.entries[i].cond = h.rewrite(n.entries[i].cond, inNested)
			n.entries[i].val = h.rewrite(n.entries[i].val, inNested)
		}
	case *andExpr:
		n.l, n.r = h.rewrite(n.l, inNested), h.rewrite(n.r, inNested)
	case *orExpr:
		n.l, n.r = h.rewrite(n.l, inNested), h.rewrite(n.r, inNested)
	case *notExpr:
		n.x = h.rewrite(n.x, inNested)
	case *negExpr:
		n.x = h.rewrite(n.x, inNested)
	case *posExpr:
		n.x = h.rewrite(n.x, inNested)
	case *binExpr:
		n.l, n.r = h.rewrite(n.l, inNested), h.rewrite(n.r, inNested)
	case *rangeExpr:
		n.l, n.r = h.rewrite(n.l, inNested), h.rewrite(n.r, inNested)
	case *pairExpr:
		n.l, n.r = h.rewrite(n.l, inNested), h.rewrite(n.r, inNested)
	case *orderDirExpr:
		n.x = h.rewrite(n.x, inNested)
	case *parenExpr:
		n.x = h.rewrite(n.x, inNested)
	case *callExpr:
		for i, a := range n.args {
			if _, ok := a.(*selectorExpr); ok {
				continue
			}
			// select() and score() inspect their argument nodes, so pairs and boosts stay unwrapped.
			if _, ok := a.(*pairExpr); ok {
				h.rewriteChildren(a, inNested)
				continue
			}
			n.args[i] = h.rewrite(a, inNested)
		}
	case *pipeExpr:
		n.base = h.rewrite(n.base, inNested)
		for i, a := range n.args {
			if od, ok := a.(*orderDirExpr); ok {
				od.x = h.rewrite(od.x, true)
				continue
			}
			if n.name == "score" {
				h.rewriteChildren(a, true)
				continue
			}
			n.args[i] = h.rewrite(a, true)
		}
	case *traversalExpr:
		n.base = h.rewrite(n.base, inNested)
		for i := range n.steps {
			st := &n.steps[i]
			switch st.kind {
			case stFilter:
				st.x = h.rewrite(st.x, true)
			case stProject:
				h.rewriteChildren(st.obj, true)
			}
		}
		if n.plan != nil {
			// Plans capture their steps' expressions, so rebuild them over the rewritten ones.
			n.plan = buildPlan(n.steps)
			n.splitDatasetFilter()
		}
	}
}
