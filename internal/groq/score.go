package groq

import "sort"

// pipeScore implements `| score(...)`: each object gets `_score`, the sum of its predicates' scores
// added to any score it already had, and the result is sorted by score, highest first.
func pipeScore(base []any, args []expr, s *scope) any {
	type scored struct {
		v     any
		score float64
	}
	items := make([]scored, len(base))
	s.ctx.tick(len(base) * len(args))
	child := s.nested(nil)
	for i, el := range base {
		m, ok := el.(map[string]any)
		if !ok {
			items[i] = scored{el, -1}
			continue
		}
		child.this = m
		sum := 0.0
		if prev, ok := m["_score"].(float64); ok {
			sum = prev
		}
		for _, a := range args {
			sum += scoreOf(a, child)
		}
		out := make(map[string]any, len(m)+1)
		for k, v := range m {
			out[k] = v
		}
		out["_score"] = sum
		items[i] = scored{out, sum}
	}
	sort.SliceStable(items, func(a, b int) bool { return items[a].score > items[b].score })
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

// scoreOf is the score evaluator of a predicate: matches count their matching tokens, && and ||
// add up their sides, boost() multiplies, and any other predicate scores 1 when true.
func scoreOf(x expr, s *scope) float64 {
	switch n := x.(type) {
	case *parenExpr:
		return scoreOf(n.x, s)
	case *andExpr:
		l, r := scoreOf(n.l, s), scoreOf(n.r, s)
		if l == 0 || r == 0 {
			return 0
		}
		return l + r
	case *orExpr:
		return scoreOf(n.l, s) + scoreOf(n.r, s)
	case *binExpr:
		if n.op == opMatch {
			return matchScore(n.l.eval(s), n.r.eval(s), s)
		}
	case *callExpr:
		if n.name == "global::boost" {
			f, ok := n.args[1].eval(s).(float64)
			if !ok || f < 0 {
				return 0
			}
			sc := scoreOf(n.args[0], s)
			if sc > 0 {
				return sc * f
			}
			return 0
		}
	}
	if x.eval(s) == true {
		return 1
	}
	return 0
}
