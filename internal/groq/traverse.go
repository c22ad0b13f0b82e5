package groq

import "math"

// traverser applies a chain of traversal steps to a base value.
type traverser func(base any, s *scope) any

// Traversal kinds from the spec: how a (chain of) traversal(s) relates to arrays.
type travKind int

const (
	kindPlain  travKind = iota // works on and returns unknown types
	kindArray                  // works on and returns arrays
	kindSource                 // works on an array, returns an unknown type
	kindTarget                 // works on an unknown type, returns an array
)

// splitDatasetFilter prepares `*[filter]...` to filter before ordering by _id. Filtering and ordering
// commute (each element is judged on its own), and filtering first visits documents in the order
// they sit in memory and sorts only the matches.
func (t *traversalExpr) splitDatasetFilter() {
	if _, ok := t.base.(*everythingExpr); !ok || len(t.steps) < 2 || t.steps[1].kind != stFilter {
		return
	}
	// The first step is the implicit array postfix; an array postfix in the filter's place combines
	// with the remaining steps exactly as the filter does, being of the same kind.
	rest := append([]step{{kind: stArray}}, t.steps[2:]...)
	t.datasetFilter = stepFunc(t.steps[1])
	t.afterFilter = buildPlan(rest)
}

// buildPlan combines steps right to left following the spec's traversal grammar (join, map,
// flat-map and inner-map combinations).
func buildPlan(steps []step) traverser {
	t, _ := combine(steps)
	return t
}

func combine(steps []step) (traverser, travKind) {
	first := steps[0]
	f := stepFunc(first)
	var fk travKind
	switch first.kind {
	case stAttr, stDeref, stProject:
		fk = kindPlain
	case stSlice, stFilter, stArray:
		fk = kindArray
	case stElem, stBracket:
		fk = kindSource
	}
	if len(steps) == 1 {
		return f, fk
	}
	next, nk := combine(steps[1:])
	join := func(base any, s *scope) any { return next(f(base, s), s) }
	switch first.kind {
	case stAttr, stDeref:
		if nk == kindPlain || nk == kindSource {
			return join, kindPlain
		}
		return join, kindTarget
	case stProject:
		switch nk {
		case kindPlain:
			return join, kindPlain
		case kindTarget:
			return join, kindTarget
		}
		inner := func(base any, s *scope) any {
			arr, ok := base.([]any)
			if !ok {
				return nil
			}
			out := make([]any, len(arr))
			for i, v := range arr {
				out[i] = f(v, s)
			}
			return next(out, s)
		}
		if nk == kindArray {
			return inner, kindArray
		}
		return inner, kindSource
	case stSlice, stFilter, stArray:
		switch nk {
		case kindArray:
			return join, kindArray
		case kindSource:
			return join, kindSource
		case kindPlain:
			if len(steps) == 2 && steps[1].kind == stProject {
				return mapProjection(f, steps[1].obj), kindArray
			}
			return func(base any, s *scope) any {
				arr, ok := f(base, s).([]any)
				if !ok {
					return nil
				}
				s.ctx.tick(len(arr))
				out := make([]any, len(arr))
				for i, v := range arr {
					out[i] = next(v, s)
				}
				return out
			}, kindArray
		default: // kindTarget
			return func(base any, s *scope) any {
				arr, ok := f(base, s).([]any)
				if !ok {
					return nil
				}
				s.ctx.tick(len(arr))
				out := []any{}
				for _, v := range arr {
					// The suite (and groq-js) keep non-array results in place rather than dropping them.
					r := next(v, s)
					if inner, ok := r.([]any); ok {
						out = append(out, inner...)
					} else {
						out = append(out, r)
					}
				}
				return out
			}, kindArray
		}
	default: // stElem, stBracket
		if nk == kindArray || nk == kindTarget {
			return join, kindArray
		}
		return join, kindSource
	}
}

// mapProjection is `[...]{...}`, the most common traversal, with one scope reused for every element.
func mapProjection(f traverser, obj *objectExpr) traverser {
	return func(base any, s *scope) any {
		arr, ok := f(base, s).([]any)
		if !ok {
			return nil
		}
		s.ctx.tick(len(arr))
		out := make([]any, len(arr))
		child := s.nested(nil)
		for i, v := range arr {
			if _, ok := v.(map[string]any); ok {
				child.this = v
				out[i] = obj.eval(child)
			}
		}
		return out
	}
}

func stepFunc(st step) traverser {
	switch st.kind {
	case stAttr:
		name := st.name
		return func(base any, s *scope) any {
			if m, ok := base.(map[string]any); ok {
				return m[name]
			}
			return nil
		}
	case stDeref:
		name := st.name
		return func(base any, s *scope) any {
			doc := deref(base, s)
			if name == "" {
				return doc
			}
			if m, ok := doc.(map[string]any); ok {
				return m[name]
			}
			return nil
		}
	case stElem:
		idx := st.idx
		return func(base any, s *scope) any {
			arr, ok := base.([]any)
			if !ok {
				return nil
			}
			i := idx
			if i < 0 {
				i += len(arr)
			}
			if i < 0 || i >= len(arr) {
				return nil
			}
			return arr[i]
		}
	case stSlice:
		return func(base any, s *scope) any {
			arr, ok := base.([]any)
			if !ok {
				return nil
			}
			lo, _ := st.lo.eval(s).(float64)
			hi, _ := st.hi.eval(s).(float64)
			n := float64(len(arr))
			if lo < 0 {
				lo += n
			}
			if hi < 0 {
				hi += n
			}
			if !st.exclusive {
				hi++
			}
			lo = math.Max(0, math.Min(lo, n))
			hi = math.Max(0, math.Min(hi, n))
			if hi <= lo {
				return []any{}
			}
			out := make([]any, int(hi)-int(lo))
			copy(out, arr[int(lo):int(hi)])
			return out
		}
	case stFilter:
		cond := st.x
		return func(base any, s *scope) any {
			arr, ok := base.([]any)
			if !ok {
				return base
			}
			s.ctx.tick(len(arr))
			child := s.nested(nil)
			out := []any{}
			for _, v := range arr {
				child.this = v
				if cond.eval(child) == true {
					out = append(out, v)
				}
			}
			return out
		}
	case stArray:
		return func(base any, s *scope) any {
			if arr, ok := base.([]any); ok {
				return arr
			}
			return nil
		}
	case stProject:
		obj := st.obj
		return func(base any, s *scope) any {
			if _, ok := base.(map[string]any); !ok {
				return nil
			}
			s.ctx.tick(1)
			return obj.eval(s.nested(base))
		}
	}
	// stBracket outside a resolved plan (a parameter-dependent bracket met during constant
	// evaluation): decide by the value at hand.
	return func(base any, s *scope) any {
		switch k := st.x.eval(s).(type) {
		case string:
			return stepFunc(step{kind: stAttr, name: k})(base, s)
		case float64:
			if isInteger(k) {
				return stepFunc(step{kind: stElem, idx: int(k)})(base, s)
			}
			return nil
		}
		return stepFunc(step{kind: stFilter, x: st.x})(base, s)
	}
}

func deref(base any, s *scope) any {
	m, ok := base.(map[string]any)
	if !ok {
		return nil
	}
	ref, ok := m["_ref"].(string)
	if !ok {
		return nil
	}
	c := s.ctx
	if c.index == nil {
		c.tick(len(c.docs))
		c.index = make(map[string]any, len(c.docs))
		for _, d := range c.docs {
			if dm, ok := d.(map[string]any); ok {
				if id, ok := dm["_id"].(string); ok {
					if _, seen := c.index[id]; !seen {
						c.index[id] = d
					}
				}
			}
		}
	}
	return c.index[ref]
}
