// Package groq parses and evaluates GROQ queries (spec.groq.dev, GROQ 1) over an in-memory dataset.
//
// Values are JSON values as encoding/json decodes them into an interface: nil, bool, float64, string,
// []any and map[string]any. Results come back in the same form, ready to be marshalled.
//
// Beyond the spec, the engine follows the Content Lake where the spec leaves room: `*` yields
// documents in _id order, and score() and match behave as the official conformance suite expects
// (TestConformance measures this against the shared suite). Work is bounded: queries nest at most
// DefaultMaxDepth levels, and evaluation stops after Env.MaxSteps steps or when its context ends.
package groq

import (
	"errors"
	"fmt"
	"time"
)

// Env is what a query is evaluated against.
type Env struct {
	// Documents is the dataset `*` ranges over: JSON objects with at least `_id`.
	Documents []any
	// Params are the values of `$name` parameters.
	Params map[string]any
	// Now is the value of now(); the zero time means the wall clock when evaluation starts.
	Now time.Time
	// ProjectID and Dataset answer sanity::projectId() and sanity::dataset().
	ProjectID, Dataset string
	// Delta, when set, evaluates in delta mode (webhook filters and projections): before() and after()
	// and the delta:: functions read it.
	Delta *Delta
	// MaxSteps caps evaluation work; 0 means DefaultMaxSteps.
	MaxSteps int
}

// Delta holds the two sides of a change, either of which may be nil (create, delete).
type Delta struct {
	Before, After any
}

// DefaultMaxSteps bounds evaluation work when Env.MaxSteps is 0.
const DefaultMaxSteps = 50_000_000

// DefaultMaxDepth bounds nesting in a parsed query.
const DefaultMaxDepth = 256

// SyntaxError is a query that does not parse. Message follows the wording of the Content Lake's
// queryParseError, for example `unexpected token "]", expected expression`.
type SyntaxError struct {
	Message    string
	Query      string
	Start, End int // byte offsets into Query
	Line, Col  int // 1-based line and column of Start
	// cause is ErrLimit for queries rejected for their nesting depth.
	cause error
}

// Unwrap lets errors.Is(err, ErrLimit) recognise queries rejected for their nesting depth.
func (e *SyntaxError) Unwrap() error { return e.cause }

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("GROQ syntax error at line %d, column %d: %s", e.Line, e.Col, e.Message)
}

// ParamError is a query that references a parameter the caller did not provide.
type ParamError struct {
	Name string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("param $%s referenced, but not provided", e.Name)
}

// ErrLimit is wrapped by errors for queries that exceed the nesting depth or the evaluation step cap.
var ErrLimit = errors.New("query exceeds evaluation limits")
