package groq

// expr is a node of a parsed query. Every node evaluates itself in a scope; evaluation errors
// (limits, cancellation, missing parameters) unwind as panics of *evalAbort and are recovered in
// Evaluate, which keeps the hot path free of error plumbing.
type expr interface {
	eval(s *scope) any
}

type litExpr struct{ val any }

// paramExpr reads a query parameter, or, inside a custom function body, an argument of the call.
type paramExpr struct {
	name  string
	fnArg bool
	// idx is the position of name in Query.params, where evaluation keeps the values.
	idx int
}
type everythingExpr struct{}
type thisExpr struct{}
type parentExpr struct{ level int }
type attrExpr struct{ name string }

type arrayElem struct {
	val    expr
	spread bool
}
type arrayExpr struct{ elems []arrayElem }

type entryKind int

const (
	entryKeyed entryKind = iota
	entrySpread
	entryConditional
)

type objEntry struct {
	kind entryKind
	key  string
	val  expr // nil for a bare `...` (spread of this)
	cond expr
}
type objectExpr struct{ entries []objEntry }

type andExpr struct{ l, r expr }
type orExpr struct{ l, r expr }
type notExpr struct{ x expr }
type negExpr struct{ x expr }
type posExpr struct{ x expr }

type binOp int

const (
	opEq binOp = iota
	opNeq
	opLt
	opLte
	opGt
	opGte
	opIn
	opMatch
	opAdd
	opSub
	opMul
	opDiv
	opMod
	opPow
)

type binExpr struct {
	op   binOp
	l, r expr
}

type rangeExpr struct {
	l, r      expr
	exclusive bool
}
type pairExpr struct{ l, r expr }
type orderDirExpr struct {
	x    expr
	desc bool
}

type callExpr struct {
	name string
	fn   *function
	args []expr
	// custom is set for calls to `fn` declarations of the query.
	custom *customFunc
}

type pipeExpr struct {
	base expr
	name string
	args []expr
}

type customFunc struct {
	name   string
	params []string
	body   expr
}

// selector is the key-path argument of diff:: and delta:: functions.
type selector struct {
	// alternatives, each a path of components; a path matching any alternative is selected.
	paths [][]selComponent
}

type selKind int

const (
	selAttr selKind = iota
	selArray
	selFilter
	selAnywhere
)

type selComponent struct {
	kind selKind
	name string
	cond expr
	// group, when set, replaces name: a parenthesised set of alternatives at this position.
	group *selector
}

type selectorExpr struct{ sel *selector }

// Traversal steps.
type stepKind int

const (
	stAttr stepKind = iota
	stDeref
	stElem
	stSlice
	stFilter
	stArray
	stProject
	stBracket // `[expr]` whose meaning depends on parameter values; resolved per evaluation
)

type step struct {
	kind      stepKind
	name      string // attribute name; for stDeref an optional attribute to read
	x         expr   // element index, filter condition, bracket expression
	lo, hi    expr   // slice bounds
	exclusive bool
	obj       *objectExpr
	idx       int // constant element index
	start     int // byte offset, for errors
}

type traversalExpr struct {
	base  expr
	steps []step
	plan  traverser // nil when a step depends on parameters
	// For `*[filter]...`, datasetFilter and afterFilter split the plan so that the filter runs over
	// the dataset in storage order and only its matches are put in _id order (see eval).
	datasetFilter, afterFilter traverser
}
