package oktaexpr

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// User is what a group rule sees of a user: the profile, and the IDs of the groups the user is in.
type User struct {
	Profile  map[string]any
	GroupIDs []string
}

// kind is what a node evaluates to, as far as the parser can tell.
type kind int

const (
	kindAny kind = iota // an attribute: known only with a user
	kindBool
	kindString
	kindNumber
	kindArray
	kindNull
)

func (k kind) String() string {
	return [...]string{"value", "boolean", "string", "number", "array", "null"}[k]
}

func kindOf(n node) kind {
	switch n := n.(type) {
	case literalNode:
		switch n.value.(type) {
		case string:
			return kindString
		case float64:
			return kindNumber
		case bool:
			return kindBool
		}
		return kindNull
	case attrNode:
		return kindAny
	case callNode:
		return functions[n.name].result
	}
	return kindBool
}

type function struct {
	min, max int // max < 0: any number
	args     []kind
	result   kind
	call     func(u User, args []any) any
}

func (f function) arg(i int) kind {
	if i < len(f.args) {
		return f.args[i]
	}
	return f.args[len(f.args)-1]
}

func (f function) arity() string {
	switch {
	case f.max < 0:
		return fmt.Sprintf("at least %d arguments", f.min)
	case f.min == f.max && f.min == 1:
		return "1 argument"
	case f.min == f.max:
		return fmt.Sprintf("%d arguments", f.min)
	}
	return fmt.Sprintf("%d to %d arguments", f.min, f.max)
}

func str(v any) (string, bool) { s, ok := v.(string); return s, ok }

func stringFn(n int, result kind, f func(s []string) any) function {
	args := make([]kind, n)
	for i := range args {
		args[i] = kindString
	}
	return function{min: n, max: n, args: args, result: result, call: func(_ User, vs []any) any {
		ss := make([]string, len(vs))
		for i, v := range vs {
			s, ok := str(v)
			if !ok {
				return nil
			}
			ss[i] = s
		}
		return f(ss)
	}}
}

// functions are the ones group rules allow.
var functions = map[string]function{
	"String.stringContains": stringFn(2, kindBool, func(s []string) any { return strings.Contains(s[0], s[1]) }),
	"String.startsWith":     stringFn(2, kindBool, func(s []string) any { return strings.HasPrefix(s[0], s[1]) }),
	"String.toLowerCase":    stringFn(1, kindString, func(s []string) any { return strings.ToLower(s[0]) }),
	"String.toUpperCase":    stringFn(1, kindString, func(s []string) any { return strings.ToUpper(s[0]) }),
	"String.len":            stringFn(1, kindNumber, func(s []string) any { return float64(len([]rune(s[0]))) }),
	"String.removeSpaces": stringFn(1, kindString, func(s []string) any {
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s[0])
	}),
	"String.substringBefore": stringFn(2, kindString, func(s []string) any { before, _, _ := strings.Cut(s[0], s[1]); return before }),
	"String.substringAfter": stringFn(2, kindString, func(s []string) any {
		_, after, found := strings.Cut(s[0], s[1])
		if !found {
			return ""
		}
		return after
	}),
	"Arrays.contains": {min: 2, max: 2, args: []kind{kindAny, kindAny}, result: kindBool, call: func(_ User, vs []any) any {
		arr, _ := vs[0].([]any)
		return slices.ContainsFunc(arr, func(x any) bool { return equal(x, vs[1]) })
	}},
	"Arrays.size": {min: 1, max: 1, args: []kind{kindAny}, result: kindNumber, call: func(_ User, vs []any) any {
		arr, _ := vs[0].([]any)
		return float64(len(arr))
	}},
	"Arrays.isEmpty": {min: 1, max: 1, args: []kind{kindAny}, result: kindBool, call: func(_ User, vs []any) any {
		arr, _ := vs[0].([]any)
		return len(arr) == 0
	}},
	"isMemberOfGroup": {min: 1, max: 1, args: []kind{kindString}, result: kindBool, call: func(u User, vs []any) any {
		id, _ := str(vs[0])
		return slices.Contains(u.GroupIDs, id)
	}},
	"isMemberOfAnyGroup": {min: 1, max: -1, args: []kind{kindString}, result: kindBool, call: func(u User, vs []any) any {
		for _, v := range vs {
			if id, _ := str(v); slices.Contains(u.GroupIDs, id) {
				return true
			}
		}
		return false
	}},
}

func functionNames() string {
	names := make([]string, 0, len(functions))
	for n := range functions {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// GroupIDs returns the IDs the expression's isMemberOf* functions name: a rule that depends on groups
// other rules fill cascades, which Okta advises against.
func (e *Expr) GroupIDs() []string {
	var out []string
	var walk func(n node)
	walk = func(n node) {
		switch n := n.(type) {
		case notNode:
			walk(n.x)
		case binaryNode:
			walk(n.l)
			walk(n.r)
		case callNode:
			for _, a := range n.args {
				walk(a)
			}
			if strings.HasPrefix(n.name, "isMemberOf") {
				for _, a := range n.args {
					if l, ok := a.(literalNode); ok {
						if s, ok := l.value.(string); ok && !slices.Contains(out, s) {
							out = append(out, s)
						}
					}
				}
			}
		}
	}
	walk(e.root)
	return out
}

// Eval reports whether the user matches. A missing attribute is null, which equals only null; a result
// that is not true or false is an error, as Okta would not move such a user.
func (e *Expr) Eval(u User) (bool, error) {
	v := eval(e.root, u)
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("the expression %q gave %v for this user, not true or false", e.src, v)
	}
	return b, nil
}

func eval(n node, u User) any {
	switch n := n.(type) {
	case literalNode:
		return n.value
	case attrNode:
		return normalize(u.Profile[n.name])
	case notNode:
		b, ok := eval(n.x, u).(bool)
		if !ok {
			return nil
		}
		return !b
	case callNode:
		args := make([]any, len(n.args))
		for i, a := range n.args {
			args[i] = eval(a, u)
		}
		return functions[n.name].call(u, args)
	case binaryNode:
		switch n.op {
		case "&&":
			l, _ := eval(n.l, u).(bool)
			if !l {
				return false
			}
			r, _ := eval(n.r, u).(bool)
			return r
		case "||":
			if l, _ := eval(n.l, u).(bool); l {
				return true
			}
			r, _ := eval(n.r, u).(bool)
			return r
		case "==":
			return equal(eval(n.l, u), eval(n.r, u))
		case "!=":
			return !equal(eval(n.l, u), eval(n.r, u))
		}
		return compare(n.op, eval(n.l, u), eval(n.r, u))
	}
	return nil
}

// normalize turns profile values into the types the evaluator compares: numbers as float64, lists as []any.
func normalize(v any) any {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float32:
		return float64(x)
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return v
}

func equal(a, b any) bool {
	a, b = normalize(a), normalize(b)
	switch x := a.(type) {
	case nil:
		return b == nil
	case string, float64, bool:
		return a == b
	case []any:
		y, ok := b.([]any)
		return ok && slices.EqualFunc(x, y, equal)
	}
	return false
}

func compare(op string, a, b any) any {
	var c int
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		if !ok {
			return false
		}
		c = cmpOrdered(x, y)
	case string:
		y, ok := b.(string)
		if !ok {
			return false
		}
		c = strings.Compare(x, y)
	default:
		return false
	}
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

func cmpOrdered(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}
