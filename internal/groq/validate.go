package groq

// children lists the sub-expressions of a node, for the static checks below.
func children(x expr) []expr {
	switch n := x.(type) {
	case *arrayExpr:
		out := make([]expr, 0, len(n.elems))
		for _, e := range n.elems {
			out = append(out, e.val)
		}
		return out
	case *objectExpr:
		var out []expr
		for _, e := range n.entries {
			if e.cond != nil {
				out = append(out, e.cond)
			}
			if e.val != nil {
				out = append(out, e.val)
			}
		}
		return out
	case *andExpr:
		return []expr{n.l, n.r}
	case *orExpr:
		return []expr{n.l, n.r}
	case *notExpr:
		return []expr{n.x}
	case *negExpr:
		return []expr{n.x}
	case *posExpr:
		return []expr{n.x}
	case *binExpr:
		return []expr{n.l, n.r}
	case *rangeExpr:
		return []expr{n.l, n.r}
	case *pairExpr:
		return []expr{n.l, n.r}
	case *orderDirExpr:
		return []expr{n.x}
	case *parenExpr:
		return []expr{n.x}
	case *cachedExpr:
		return []expr{n.x}
	case *callExpr:
		return n.args
	case *pipeExpr:
		return append([]expr{n.base}, n.args...)
	case *traversalExpr:
		out := []expr{n.base}
		for _, st := range n.steps {
			for _, c := range []expr{st.x, st.lo, st.hi} {
				if c != nil {
					out = append(out, c)
				}
			}
			if st.obj != nil {
				out = append(out, st.obj)
			}
		}
		return out
	}
	return nil
}

// impureFunctions depend on the scope, the dataset or the moment of evaluation.
var impureFunctions = map[string]bool{
	"global::now": true, "dateTime::now": true, "global::identity": true, "global::before": true,
	"global::after": true, "global::references": true, "delta::operation": true, "delta::changedAny": true,
	"delta::changedOnly": true, "global::operation": true, "sanity::projectId": true, "sanity::dataset": true, "sanity::versionOf": true,
	"sanity::partOfRelease": true, "releases::all": true, "global::boost": true,
}

// isConstant reports whether an expression's value depends on nothing but literals and parameters
// (the spec's ConstantEvaluate).
func isConstant(x expr) bool {
	switch n := x.(type) {
	case *litExpr:
		return true
	case *paramExpr:
		return !n.fnArg
	case *arrayExpr, *andExpr, *orExpr, *notExpr, *negExpr, *posExpr, *binExpr, *rangeExpr, *pairExpr, *parenExpr:
	case *objectExpr:
		for _, e := range n.entries {
			if e.kind == entrySpread && e.val == nil {
				return false
			}
		}
	case *callExpr:
		if n.custom != nil || impureFunctions[n.name] {
			return false
		}
	case *traversalExpr:
		for _, st := range n.steps {
			if st.kind == stFilter || st.kind == stProject || st.kind == stDeref {
				return false
			}
		}
	default:
		return false
	}
	for _, c := range children(x) {
		if !isConstant(c) {
			return false
		}
	}
	return true
}

func dependsOnParams(x expr) bool {
	if x == nil {
		return false
	}
	if p, ok := x.(*paramExpr); ok {
		return !p.fnArg
	}
	for _, c := range children(x) {
		if dependsOnParams(c) {
			return true
		}
	}
	return false
}

// constEval evaluates a constant expression outside any dataset.
func constEval(x expr, params map[string]any) (v any) {
	ctx := &evalCtx{params: params, maxSteps: DefaultMaxSteps}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(*evalAbort); !ok {
				panic(r)
			}
			v = nil
		}
	}()
	return exportValue(x.eval(&scope{ctx: ctx}))
}

type validateCtx int

const (
	ctxTop validateCtx = iota
	ctxInScore
)

// validate rejects queries the spec declares invalid although they parse: pairs and ranges outside
// the places that take them, order directions outside order(), boost() outside score(), and a select()
// whose fallback is not last.
func (p *parser) validate(x expr, ctx validateCtx) {
	switch n := x.(type) {
	case *pairExpr:
		p.invalid(x, "a pair (=>) is only valid in select() and projections")
	case *rangeExpr:
		p.invalid(x, "a range is only valid on the right of 'in' or in a slice")
	case *orderDirExpr:
		p.invalid(x, "asc and desc are only valid in order()")
	case *binExpr:
		switch n.op {
		case opEq, opNeq, opLt, opLte, opGt, opGte, opIn, opMatch:
			// Comparisons take pairs and ranges as operands (`x in 1..3`, `"" match (1 => 2)`); they
			// compare as unequal or incomparable except where the operator gives them meaning.
			p.validatePairOrRange(n.l, ctx)
			p.validatePairOrRange(n.r, ctx)
			return
		}
		// Arithmetic has no meaning for pairs and ranges, even parenthesised.
		p.rejectPairOrRange(n.l)
		p.rejectPairOrRange(n.r)
	case *andExpr:
		p.rejectPairOrRange(n.l)
		p.rejectPairOrRange(n.r)
	case *orExpr:
		p.rejectPairOrRange(n.l)
		p.rejectPairOrRange(n.r)
	case *notExpr:
		p.rejectPairOrRange(n.x)
	case *negExpr:
		p.rejectPairOrRange(n.x)
	case *posExpr:
		p.rejectPairOrRange(n.x)
	case *parenExpr:
		// A parenthesised pair or range is a value like any other (`string((1 => 2))` is null).
		p.validatePairOrRange(n.x, ctx)
		return
	case *objectExpr:
		for _, e := range n.entries {
			if e.cond != nil {
				p.validate(e.cond, ctx)
			}
			if e.val != nil {
				p.validate(e.val, ctx)
			}
		}
		return
	case *callExpr:
		switch n.name {
		case "global::select":
			for i, a := range n.args {
				if pe, ok := a.(*pairExpr); ok {
					p.validate(pe.l, ctx)
					p.validate(pe.r, ctx)
					continue
				}
				if i != len(n.args)-1 {
					p.invalid(x, "select() takes its fallback value last")
				}
				p.validate(a, ctx)
			}
			return
		case "global::boost":
			if ctx != ctxInScore {
				p.invalid(x, "boost() is only valid in score()")
			}
		}
		for _, a := range n.args {
			p.validatePairOrRange(a, ctx)
		}
		return
	case *pipeExpr:
		p.validate(n.base, ctx)
		for _, a := range n.args {
			if n.name == "order" {
				if od, ok := a.(*orderDirExpr); ok {
					p.validate(od.x, ctx)
					continue
				}
				p.validate(a, ctx)
				continue
			}
			p.validate(a, ctxInScore)
		}
		return
	case *traversalExpr:
		p.validate(n.base, ctx)
		for _, st := range n.steps {
			for _, c := range []expr{st.x, st.lo, st.hi} {
				if c != nil {
					p.validate(c, ctxTop)
				}
			}
			if st.obj != nil {
				p.validate(st.obj, ctxTop)
			}
		}
		return
	}
	for _, c := range children(x) {
		p.validate(c, ctx)
	}
}

// validatePairOrRange accepts a pair or range (parenthesised or not) where x stands, checking only
// its operands; anything else is validated as usual.
func (p *parser) validatePairOrRange(x expr, ctx validateCtx) {
	switch o := stripParens(x).(type) {
	case *rangeExpr:
		p.validate(o.l, ctx)
		p.validate(o.r, ctx)
	case *pairExpr:
		p.validate(o.l, ctx)
		p.validate(o.r, ctx)
	default:
		p.validate(x, ctx)
	}
}

func (p *parser) rejectPairOrRange(x expr) {
	switch o := stripParens(x).(type) {
	case *rangeExpr, *pairExpr:
		p.invalid(o, "a pair or range cannot be an operand of an arithmetic or logical operator")
	}
}

func stripParens(x expr) expr {
	for {
		pe, ok := x.(*parenExpr)
		if !ok {
			return x
		}
		x = pe.x
	}
}

func (p *parser) invalid(x expr, msg string) {
	if sp, ok := p.spans[x]; ok {
		p.failSpan(sp[0], sp[1], "%s", msg)
	}
	p.failSpan(0, len(p.src), "%s", msg)
}
