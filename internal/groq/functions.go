package groq

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

type function struct {
	name             string
	minArgs, maxArgs int // maxArgs < 0: variadic
	call             func(args []expr, s *scope) any
	// pipeOnly marks order() and score(), which exist only as pipe functions.
	pipeOnly bool
}

var functions = map[string]*function{}

func register(name string, minArgs, maxArgs int, call func(args []expr, s *scope) any) {
	functions[name] = &function{name: name, minArgs: minArgs, maxArgs: maxArgs, call: call}
}

// unary registers a function of one evaluated argument.
func unary(name string, f func(v any, s *scope) any) {
	register(name, 1, 1, func(args []expr, s *scope) any { return f(args[0].eval(s), s) })
}

func init() {
	for _, name := range []string{"global::order", "global::score"} {
		functions[name] = &function{name: name, maxArgs: -1, pipeOnly: true}
	}

	register("global::after", 0, 0, func(_ []expr, s *scope) any { return deltaSide(s, false) })
	register("global::before", 0, 0, func(_ []expr, s *scope) any { return deltaSide(s, true) })
	register("global::coalesce", 0, -1, func(args []expr, s *scope) any {
		for _, a := range args {
			if v := a.eval(s); v != nil {
				return v
			}
		}
		return nil
	})
	unary("global::count", func(v any, _ *scope) any {
		if arr, ok := v.([]any); ok {
			return float64(len(arr))
		}
		return nil
	})
	unary("global::dateTime", func(v any, s *scope) any {
		switch x := v.(type) {
		case string:
			if t, ok := parseDateTime(x); ok {
				s.ctx.special = true
				return dateTime{t}
			}
		case dateTime:
			s.ctx.special = true
			return x
		}
		return nil
	})
	unary("global::defined", func(v any, _ *scope) any { return v != nil })
	register("global::identity", 0, 0, func(_ []expr, s *scope) any { return "me" })
	unary("global::length", func(v any, _ *scope) any {
		switch x := v.(type) {
		case string:
			return float64(utf8.RuneCountInString(x))
		case []any:
			return float64(len(x))
		}
		return nil
	})
	unary("global::lower", func(v any, _ *scope) any {
		if str, ok := v.(string); ok {
			return strings.ToLower(str)
		}
		return nil
	})
	unary("global::upper", func(v any, _ *scope) any {
		if str, ok := v.(string); ok {
			return strings.ToUpper(str)
		}
		return nil
	})
	functions["string::lower"] = functions["global::lower"]
	functions["string::upper"] = functions["global::upper"]
	register("global::now", 0, 0, func(_ []expr, s *scope) any { return formatDateTime(s.ctx.now) })
	register("dateTime::now", 0, 0, func(_ []expr, s *scope) any {
		s.ctx.special = true
		return dateTime{s.ctx.now}
	})
	unary("global::path", func(v any, s *scope) any {
		if str, ok := v.(string); ok {
			s.ctx.special = true
			return pathValue(str)
		}
		return nil
	})
	register("global::references", 1, -1, func(args []expr, s *scope) any {
		ids := map[string]bool{}
		for _, a := range args {
			switch v := a.eval(s).(type) {
			case string:
				ids[v] = true
			case []any:
				for _, e := range v {
					if str, ok := e.(string); ok {
						ids[str] = true
					}
				}
			}
		}
		if len(ids) == 0 {
			return false
		}
		return hasReference(s.this, ids, s)
	})
	register("global::round", 1, 2, func(args []expr, s *scope) any {
		n, ok := args[0].eval(s).(float64)
		if !ok {
			return nil
		}
		prec := 0.0
		if len(args) == 2 {
			p, ok := args[1].eval(s).(float64)
			if !ok || p < 0 || p != math.Trunc(p) {
				return nil
			}
			prec = p
		}
		return finite(roundHalfAway(n, prec))
	})
	register("global::select", 0, -1, func(args []expr, s *scope) any {
		for _, a := range args {
			if pe, ok := a.(*pairExpr); ok {
				if pe.l.eval(s) == true {
					return pe.r.eval(s)
				}
				continue
			}
			return a.eval(s)
		}
		return nil
	})
	unary("global::string", func(v any, _ *scope) any {
		switch x := v.(type) {
		case string:
			return x
		case bool:
			if x {
				return "true"
			}
			return "false"
		case float64:
			return formatNumber(x)
		case dateTime:
			return formatDateTime(x.t)
		}
		return nil
	})
	register("global::boost", 2, 2, func(args []expr, s *scope) any {
		v := args[0].eval(s)
		if n, ok := args[1].eval(s).(float64); !ok || n < 0 {
			return nil
		}
		return v
	})
	unary("global::pt", func(v any, _ *scope) any {
		switch v.(type) {
		case map[string]any, []any:
			return v
		}
		return nil
	})
	unary("pt::text", func(v any, _ *scope) any { return ptText(v) })

	register("array::join", 2, 2, func(args []expr, s *scope) any {
		arr, ok := args[0].eval(s).([]any)
		sep, ok2 := args[1].eval(s).(string)
		if !ok || !ok2 {
			return nil
		}
		parts := make([]string, len(arr))
		for i, e := range arr {
			switch x := e.(type) {
			case string:
				parts[i] = x
			case float64:
				parts[i] = formatNumber(x)
			case bool:
				if x {
					parts[i] = "true"
				} else {
					parts[i] = "false"
				}
			case dateTime:
				parts[i] = formatDateTime(x.t)
			default:
				return nil
			}
		}
		return strings.Join(parts, sep)
	})
	unary("array::compact", func(v any, _ *scope) any {
		arr, ok := v.([]any)
		if !ok {
			return nil
		}
		out := []any{}
		for _, e := range arr {
			if e != nil {
				out = append(out, e)
			}
		}
		return out
	})
	unary("array::unique", func(v any, s *scope) any {
		arr, ok := v.([]any)
		if !ok {
			return nil
		}
		out := []any{}
		for _, e := range arr {
			dup := false
			switch e.(type) {
			case []any, map[string]any:
			default:
				for _, o := range out {
					if equal(o, e) {
						dup = true
						break
					}
				}
			}
			s.ctx.tick(len(out))
			if !dup {
				out = append(out, e)
			}
		}
		return out
	})
	register("array::intersects", 2, 2, func(args []expr, s *scope) any {
		a, ok := args[0].eval(s).([]any)
		b, ok2 := args[1].eval(s).([]any)
		if !ok || !ok2 {
			return nil
		}
		s.ctx.tick(len(a) * len(b))
		for _, x := range a {
			for _, y := range b {
				if equal(x, y) {
					return true
				}
			}
		}
		return false
	})

	register("string::split", 2, 2, func(args []expr, s *scope) any {
		str, ok := args[0].eval(s).(string)
		sep, ok2 := args[1].eval(s).(string)
		if !ok || !ok2 {
			return nil
		}
		if str == "" {
			return []any{}
		}
		var parts []string
		if sep == "" {
			for _, r := range str {
				parts = append(parts, string(r))
			}
		} else {
			parts = strings.Split(str, sep)
		}
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out
	})
	register("string::startsWith", 2, 2, func(args []expr, s *scope) any {
		str, ok := args[0].eval(s).(string)
		prefix, ok2 := args[1].eval(s).(string)
		if !ok || !ok2 {
			return nil
		}
		return strings.HasPrefix(str, prefix)
	})

	unary("math::sum", func(v any, _ *scope) any {
		nums, ok := numbers(v)
		if !ok {
			return nil
		}
		sum := 0.0
		for _, n := range nums {
			sum += n
		}
		return finite(sum)
	})
	unary("math::avg", func(v any, _ *scope) any {
		nums, ok := numbers(v)
		if !ok || len(nums) == 0 {
			return nil
		}
		sum := 0.0
		for _, n := range nums {
			sum += n
		}
		return finite(sum / float64(len(nums)))
	})
	unary("math::min", func(v any, _ *scope) any {
		nums, ok := numbers(v)
		if !ok || len(nums) == 0 {
			return nil
		}
		m := nums[0]
		for _, n := range nums[1:] {
			m = math.Min(m, n)
		}
		return m
	})
	unary("math::max", func(v any, _ *scope) any {
		nums, ok := numbers(v)
		if !ok || len(nums) == 0 {
			return nil
		}
		m := nums[0]
		for _, n := range nums[1:] {
			m = math.Max(m, n)
		}
		return m
	})

	register("sanity::projectId", 0, 0, func(_ []expr, s *scope) any { return s.ctx.env.ProjectID })
	register("sanity::dataset", 0, 0, func(_ []expr, s *scope) any { return s.ctx.env.Dataset })
	unary("sanity::versionOf", func(v any, s *scope) any {
		base, ok := v.(string)
		if !ok {
			return nil
		}
		id, ok := thisID(s)
		if !ok {
			return false
		}
		// The published document, its draft, and its version in any release.
		if id == base || id == "drafts."+base {
			return true
		}
		if rest, ok := strings.CutPrefix(id, "versions."); ok {
			if _, doc, ok := strings.Cut(rest, "."); ok {
				return doc == base
			}
		}
		return false
	})
	unary("sanity::partOfRelease", func(v any, s *scope) any {
		release, ok := v.(string)
		if !ok {
			return nil
		}
		id, ok := thisID(s)
		if !ok {
			return false
		}
		return strings.HasPrefix(id, "versions."+release+".")
	})
	register("releases::all", 0, 0, func(_ []expr, s *scope) any {
		out := []any{}
		for _, d := range s.ctx.docs {
			if m, ok := d.(map[string]any); ok && m["_type"] == "system.release" {
				out = append(out, d)
			}
		}
		return out
	})

	register("diff::changedAny", 3, 3, func(args []expr, s *scope) any {
		return changed(args[0].eval(s), args[1].eval(s), selectorArg(args[2]), s, false)
	})
	register("diff::changedOnly", 3, 3, func(args []expr, s *scope) any {
		return changed(args[0].eval(s), args[1].eval(s), selectorArg(args[2]), s, true)
	})
	register("delta::changedAny", 1, 1, func(args []expr, s *scope) any {
		return changed(deltaSide(s, true), deltaSide(s, false), selectorArg(args[0]), s, false)
	})
	register("delta::changedOnly", 1, 1, func(args []expr, s *scope) any {
		return changed(deltaSide(s, true), deltaSide(s, false), selectorArg(args[0]), s, true)
	})
	register("global::operation", 0, 0, func(_ []expr, s *scope) any { return deltaOperation(s) })
	register("delta::operation", 0, 0, func(_ []expr, s *scope) any { return deltaOperation(s) })
}

func deltaOperation(s *scope) any {
	{
		before, after := deltaSide(s, true), deltaSide(s, false)
		switch {
		case before == nil && after == nil:
			return nil
		case before == nil:
			return "create"
		case after == nil:
			return "delete"
		}
		return "update"
	}
}

var errNotDelta = errors.New("before(), after() and delta:: functions need delta mode (a webhook evaluation with before and after documents)")

func deltaSide(s *scope, before bool) any {
	d := s.ctx.env.Delta
	if d == nil {
		abort(errNotDelta)
	}
	if before {
		return normalizeJSON(d.Before)
	}
	return normalizeJSON(d.After)
}

// finite turns the infinities that overflowing arithmetic produces into null; JSON has no infinity.
func finite(f float64) any {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil
	}
	return f
}

// numbers returns the numbers of an array, skipping nulls; any other element makes it fail.
func numbers(v any) ([]float64, bool) {
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]float64, 0, len(arr))
	for _, e := range arr {
		switch x := e.(type) {
		case nil:
		case float64:
			out = append(out, x)
		default:
			return nil, false
		}
	}
	return out, true
}

func roundHalfAway(n, prec float64) float64 {
	scale := math.Pow(10, prec)
	if math.IsInf(scale, 0) {
		return n
	}
	v := n * scale
	if math.IsInf(v, 0) {
		// Too large to carry that many decimals: it has none to round.
		return n
	}
	r := math.Floor(math.Abs(v) + 0.5)
	if v < 0 {
		r = -r
	}
	return r / scale
}

func hasReference(v any, ids map[string]bool, s *scope) bool {
	switch x := v.(type) {
	case map[string]any:
		// An object with _ref is a reference: it either points at one of ids or it does not, and
		// its other attributes are not searched.
		if ref, present := x["_ref"]; present {
			str, ok := ref.(string)
			return ok && ids[str]
		}
		for _, e := range x {
			if hasReference(e, ids, s) {
				return true
			}
		}
	case []any:
		s.ctx.tick(len(x))
		for _, e := range x {
			if hasReference(e, ids, s) {
				return true
			}
		}
	}
	return false
}

// ptText renders Portable Text as plain text: the span texts of each block (any object with a
// children array), blocks separated by blank lines; null when there are no blocks.
func ptText(v any) any {
	var blocks []map[string]any
	var collect func(v any)
	collect = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				collect(e)
			}
		case map[string]any:
			if _, ok := x["children"].([]any); ok {
				blocks = append(blocks, x)
			}
		}
	}
	collect(v)
	if len(blocks) == 0 {
		return nil
	}
	parts := make([]string, len(blocks))
	for i, b := range blocks {
		var sb strings.Builder
		children, _ := b["children"].([]any) // collect kept only blocks whose children are an array
		for _, c := range children {
			cm, ok := c.(map[string]any)
			if !ok || cm["_type"] != "span" {
				continue
			}
			if t, ok := cm["text"].(string); ok {
				sb.WriteString(t)
			}
		}
		parts[i] = sb.String()
	}
	return strings.Join(parts, "\n\n")
}

type orderKey struct {
	idx  int
	keys []any
}

func pipeOrder(base []any, args []expr, s *scope) any {
	items := make([]orderKey, len(base))
	desc := make([]bool, len(args))
	for j, a := range args {
		if od, ok := a.(*orderDirExpr); ok {
			desc[j] = od.desc
		}
	}
	s.ctx.tick(len(base) * len(args))
	child := s.nested(nil)
	allKeys := make([]any, len(base)*len(args))
	for i, v := range base {
		child.this = v
		keys := allKeys[i*len(args) : (i+1)*len(args)]
		for j, a := range args {
			keys[j] = a.eval(child)
		}
		items[i] = orderKey{i, keys}
	}
	slices.SortStableFunc(items, func(x, y orderKey) int {
		for j := range args {
			c := totalCompare(x.keys[j], y.keys[j])
			if c == 0 {
				continue
			}
			if desc[j] {
				return -c
			}
			return c
		}
		return 0
	})
	out := make([]any, len(base))
	for i, it := range items {
		out[i] = base[it.idx]
	}
	return out
}

// selectorArg returns the selector the parser put in place of a diff::/delta:: selector argument.
func selectorArg(e expr) *selector {
	se, ok := e.(*selectorExpr)
	if !ok {
		panic(fmt.Sprintf("groq: selector argument parsed as %T", e))
	}
	return se.sel
}

// thisID returns the _id of the document in scope (@), if @ is a document.
func thisID(s *scope) (string, bool) {
	m, ok := s.this.(map[string]any)
	if !ok {
		return "", false
	}
	id, ok := m["_id"].(string)
	return id, ok
}
