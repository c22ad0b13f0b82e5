package groq

// A key path addresses a value inside a document: object keys (string) and array indexes (int).
type keyPath []any

// diffPaths lists the innermost key paths at which before and after differ.
func diffPaths(before, after any, prefix keyPath, out *[]keyPath, s *scope) {
	s.ctx.tick(1)
	switch b := before.(type) {
	case map[string]any:
		if a, ok := after.(map[string]any); ok {
			for k, bv := range b {
				av, present := a[k]
				if !present {
					*out = append(*out, extend(prefix, k))
					continue
				}
				diffPaths(bv, av, extend(prefix, k), out, s)
			}
			for k := range a {
				if _, present := b[k]; !present {
					*out = append(*out, extend(prefix, k))
				}
			}
			return
		}
	case []any:
		if a, ok := after.([]any); ok {
			for i := 0; i < len(a) || i < len(b); i++ {
				if i >= len(a) || i >= len(b) {
					*out = append(*out, extend(prefix, i))
					continue
				}
				diffPaths(b[i], a[i], extend(prefix, i), out, s)
			}
			return
		}
	}
	if !deepEqual(before, after) {
		*out = append(*out, append(keyPath(nil), prefix...))
	}
}

func extend(p keyPath, k any) keyPath {
	out := make(keyPath, len(p)+1)
	copy(out, p)
	out[len(p)] = k
	return out
}

// Outcomes of matching a diff key path against a selector.
const (
	selNone    = iota // the path is outside the selection
	selPrefix         // the path is an ancestor of selected paths
	selCovered        // the path is inside the selection
)

func step1(v any, k any) any {
	switch key := k.(type) {
	case string:
		if m, ok := v.(map[string]any); ok {
			return m[key]
		}
	case int:
		if arr, ok := v.([]any); ok && key < len(arr) {
			return arr[key]
		}
	}
	return nil
}

// matchSelector reports how a key path relates to the paths a selector picks in before or after.
func matchSelector(sel *selector, path keyPath, before, after any, s *scope) int {
	best := selNone
	for _, alt := range sel.paths {
		if r := matchComponents(alt, path, before, after, s); r > best {
			best = r
		}
	}
	return best
}

func matchComponents(comps []selComponent, path keyPath, before, after any, s *scope) int {
	if len(comps) == 0 {
		return selCovered
	}
	if len(path) == 0 {
		if selectsSomething(comps, before, after, s) {
			return selPrefix
		}
		return selNone
	}
	c := comps[0]
	rest := comps[1:]
	if c.group != nil {
		best := selNone
		for _, alt := range c.group.paths {
			joined := append(append([]selComponent(nil), alt...), rest...)
			if r := matchComponents(joined, path, before, after, s); r > best {
				best = r
			}
		}
		return best
	}
	k := path[0]
	switch c.kind {
	case selAttr:
		if name, ok := k.(string); !ok || name != c.name {
			return selNone
		}
	case selArray, selFilter:
		idx, ok := k.(int)
		if !ok {
			return selNone
		}
		_, barr := before.([]any)
		_, aarr := after.([]any)
		if !barr && !aarr {
			return selNone
		}
		if c.kind == selFilter {
			hit := false
			for _, side := range []any{before, after} {
				if arr, ok := side.([]any); ok && idx < len(arr) {
					if c.cond.eval(s.nested(arr[idx])) == true {
						hit = true
					}
				}
			}
			if !hit {
				return selNone
			}
		}
	case selAnywhere:
		// anywhere(cond) selects every object, at any depth, for which cond holds.
		for _, side := range []any{before, after} {
			if _, ok := side.(map[string]any); ok && c.cond.eval(s.nested(side)) == true {
				return selCovered
			}
		}
		return matchComponents(comps, path[1:], step1(before, k), step1(after, k), s)
	}
	return matchComponents(rest, path[1:], step1(before, k), step1(after, k), s)
}

// changed implements diff::changedAny (only=false) and diff::changedOnly (only=true).
func changed(before, after any, sel *selector, s *scope, only bool) any {
	var paths []keyPath
	diffPaths(before, after, nil, &paths, s)
	for _, p := range paths {
		r := matchSelector(sel, p, before, after, s)
		if !only && r != selNone {
			return true
		}
		if only && r != selCovered {
			return false
		}
	}
	return only
}

// selectsSomething reports whether the selector components pick any path below the given values:
// `[]` and filters select nothing in a value that is an array on neither side.
func selectsSomething(comps []selComponent, before, after any, s *scope) bool {
	if len(comps) == 0 {
		return true
	}
	c := comps[0]
	rest := comps[1:]
	if c.group != nil {
		for _, alt := range c.group.paths {
			if selectsSomething(append(append([]selComponent(nil), alt...), rest...), before, after, s) {
				return true
			}
		}
		return false
	}
	switch c.kind {
	case selAttr:
		return selectsSomething(rest, step1(before, c.name), step1(after, c.name), s)
	case selArray, selFilter:
		for _, side := range []any{before, after} {
			arr, ok := side.([]any)
			if !ok {
				continue
			}
			for i, e := range arr {
				if c.kind == selFilter && c.cond.eval(s.nested(e)) != true {
					continue
				}
				if selectsSomething(rest, step1(before, i), step1(after, i), s) {
					return true
				}
			}
		}
		return false
	}
	return true
}
