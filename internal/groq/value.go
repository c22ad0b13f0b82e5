package groq

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Values beyond JSON that exist only during evaluation. exportValue turns them into JSON.
type dateTime struct{ t time.Time }
type pathValue string
type rangeValue struct {
	lo, hi    any
	exclusive bool
}
type pairValue struct{ l, r any }

// compareResult is Less (-1), Equal (0), Greater (1), or incomparable.
const incomparable = 2

// partialCompare follows the spec's PartialCompare.
func partialCompare(a, b any) int {
	switch x := a.(type) {
	case float64:
		if y, ok := b.(float64); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			case x == y:
				return 0
			}
		}
	case string:
		if y, ok := b.(string); ok {
			// Byte order of UTF-8 is code point order.
			return strings.Compare(x, y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			default:
				return 1
			}
		}
	case dateTime:
		if y, ok := b.(dateTime); ok {
			return x.t.Compare(y.t)
		}
	}
	return incomparable
}

func equal(a, b any) bool {
	if a == nil && b == nil {
		return true
	}
	if pa, ok := a.(pathValue); ok {
		if pb, ok := b.(pathValue); ok {
			return pa == pb
		}
		return false
	}
	return partialCompare(a, b) == 0
}

func typeOrder(v any) int {
	switch v.(type) {
	case dateTime:
		return 1
	case float64:
		return 2
	case string:
		return 3
	case bool:
		return 4
	}
	return 5
}

// totalCompare orders values of any types, for order().
func totalCompare(a, b any) int {
	ta, tb := typeOrder(a), typeOrder(b)
	if ta != tb {
		if ta < tb {
			return -1
		}
		return 1
	}
	c := partialCompare(a, b)
	if c == incomparable {
		return 0
	}
	return c
}

// deepEqual compares JSON values structurally, for the diff:: functions and array::unique.
func deepEqual(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !deepEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !deepEqual(v, w) {
				return false
			}
		}
		return true
	}
	return equal(a, b)
}

// exportValue converts evaluation-only values into their JSON form, copying only containers that
// hold such values.
func exportValue(v any) any {
	out, _ := export(v)
	return out
}

func export(v any) (any, bool) {
	switch x := v.(type) {
	case []any:
		var out []any
		for i, e := range x {
			ee, changed := export(e)
			if changed && out == nil {
				out = make([]any, len(x))
				copy(out, x[:i])
			}
			if out != nil {
				out[i] = ee
			}
		}
		if out != nil {
			return out, true
		}
		return x, false
	case map[string]any:
		var out map[string]any
		for k, e := range x {
			ee, changed := export(e)
			if changed && out == nil {
				out = make(map[string]any, len(x))
				for k2, v2 := range x {
					out[k2] = v2
				}
			}
			if out != nil {
				out[k] = ee
			}
		}
		if out != nil {
			return out, true
		}
		return x, false
	case dateTime:
		return formatDateTime(x.t), true
	case pathValue:
		return string(x), true
	case rangeValue, pairValue:
		return nil, true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, true
		}
	}
	return v, false
}

func formatDateTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return t.Format("2006-01-02T15:04:05.000Z")
}

func parseDateTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// formatNumber renders a number the way JavaScript's String(n) does, which is what GROQ
// implementations return from string().
func formatNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	if math.IsNaN(f) {
		return "NaN"
	}
	if math.IsInf(f, 1) {
		return "Infinity"
	}
	if math.IsInf(f, -1) {
		return "-Infinity"
	}
	abs := math.Abs(f)
	if abs >= 1e21 || abs < 1e-6 {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// Go writes e+06 / e-07; JavaScript writes e+6 / e-7.
		mant, exp, _ := strings.Cut(s, "e")
		sign := exp[0]
		exp = strings.TrimLeft(exp[1:], "0")
		return mant + "e" + string(sign) + exp
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
