package sanitytest

import (
	"fmt"
	"strconv"
	"strings"
)

// A patch path is the JSONMatch subset the Content Lake's patches use: attributes ("a.b", `a["b c"]`),
// indexes ("items[0]", "items[-1]"), key selectors (`items[_key=="k"]`) and every element ("items[]",
// "items[*]").
type segKind int

const (
	segAttr segKind = iota
	segIndex
	segKey
	segAll
)

type segment struct {
	kind  segKind
	name  string // attribute or _key value
	index int
}

func parsePath(p string) ([]segment, error) {
	var segs []segment
	i := 0
	fail := func(msg string) ([]segment, error) {
		return nil, fmt.Errorf("invalid patch path %q: %s at offset %d", p, msg, i)
	}
	expectAttr := true
	for i < len(p) {
		c := p[i]
		switch {
		case c == '.':
			if expectAttr {
				return fail("unexpected '.'")
			}
			i++
			expectAttr = true
			if i >= len(p) {
				return fail("path ends with '.'")
			}
		case c == '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return fail("unclosed '['")
			}
			inner := strings.TrimSpace(p[i+1 : i+end])
			i += end + 1
			seg, err := parseBracket(inner)
			if err != nil {
				return fail(err.Error())
			}
			segs = append(segs, seg)
			expectAttr = false
		case isIdentStart(c):
			if !expectAttr {
				return fail("expected '.' or '['")
			}
			j := i
			for j < len(p) && isIdentPart(p[j]) {
				j++
			}
			segs = append(segs, segment{kind: segAttr, name: p[i:j]})
			i = j
			expectAttr = false
		default:
			return fail(fmt.Sprintf("unexpected %q", c))
		}
	}
	if len(segs) == 0 {
		return nil, fmt.Errorf("invalid patch path %q: empty", p)
	}
	return segs, nil
}

func parseBracket(inner string) (segment, error) {
	if inner == "" || inner == "*" {
		return segment{kind: segAll}, nil
	}
	if n, err := strconv.Atoi(inner); err == nil {
		return segment{kind: segIndex, index: n}, nil
	}
	if s, ok := unquote(inner); ok {
		return segment{kind: segAttr, name: s}, nil
	}
	if rest, ok := strings.CutPrefix(inner, "_key"); ok {
		rest = strings.TrimSpace(rest)
		if rest, ok = strings.CutPrefix(rest, "=="); ok {
			if s, ok := unquote(strings.TrimSpace(rest)); ok {
				return segment{kind: segKey, name: s}, nil
			}
		}
	}
	return segment{}, fmt.Errorf("unsupported selector [%s]", inner)
}

func unquote(s string) (string, bool) {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1], true
	}
	return "", false
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool {
	return isIdentStart(c) || (c >= '0' && c <= '9') || c == '-'
}

// slot is a place in a document: a key of an object or an element of an array.
type slot struct {
	obj    map[string]any
	key    string
	arr    []any
	idx    int
	parent *slot // for array elements: the slot holding the array, to replace it
}

func (s *slot) get() (any, bool) {
	if s.obj != nil {
		v, ok := s.obj[s.key]
		return v, ok
	}
	if s.idx >= 0 && s.idx < len(s.arr) {
		return s.arr[s.idx], true
	}
	return nil, false
}

func (s *slot) set(v any) {
	if s.obj != nil {
		s.obj[s.key] = v
		return
	}
	s.arr[s.idx] = v
}

// removed marks array elements to drop; compact removes them after the operation.
type removedMarker struct{}

var removed = removedMarker{}

func (s *slot) unset() {
	if s.obj != nil {
		delete(s.obj, s.key)
		return
	}
	s.arr[s.idx] = removed
}

// resolve returns the slots path matches in doc. With create, missing objects along attribute
// segments are created so the last slot can be set.
func resolve(doc map[string]any, segs []segment, create bool) []*slot {
	if segs[0].kind != segAttr {
		return nil
	}
	current := []*slot{{obj: doc, key: segs[0].name}}
	for _, seg := range segs[1:] {
		var next []*slot
		for _, sl := range current {
			v, ok := sl.get()
			if !ok || v == nil {
				if create && seg.kind == segAttr {
					m := map[string]any{}
					sl.set(m)
					next = append(next, &slot{obj: m, key: seg.name})
				}
				continue
			}
			switch seg.kind {
			case segAttr:
				if m, ok := v.(map[string]any); ok {
					next = append(next, &slot{obj: m, key: seg.name})
				}
			case segIndex:
				if a, ok := v.([]any); ok {
					i := seg.index
					if i < 0 {
						i += len(a)
					}
					if i >= 0 && i < len(a) {
						next = append(next, &slot{arr: a, idx: i, parent: sl})
					}
				}
			case segKey:
				if a, ok := v.([]any); ok {
					for i, el := range a {
						if m, ok := el.(map[string]any); ok && m["_key"] == seg.name {
							next = append(next, &slot{arr: a, idx: i, parent: sl})
						}
					}
				}
			case segAll:
				if a, ok := v.([]any); ok {
					for i := range a {
						next = append(next, &slot{arr: a, idx: i, parent: sl})
					}
				}
			}
		}
		current = next
	}
	return current
}

// compact removes elements marked as removed from every array in v.
func compact(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, el := range t {
			t[k] = compact(el)
		}
		return t
	case []any:
		out := t[:0]
		for _, el := range t {
			if el == removed {
				continue
			}
			out = append(out, compact(el))
		}
		return out
	}
	return v
}

// insertItems applies an insert patch: items go before, after or in place of the element at path.
func insertItems(doc map[string]any, where, path string, items []any) error {
	segs, err := parsePath(path)
	if err != nil {
		return err
	}
	last := segs[len(segs)-1]
	if len(segs) < 2 || (last.kind != segIndex && last.kind != segKey) {
		return fmt.Errorf("insert path %q must point at an array element, such as items[-1] or items[_key==\"k\"]", path)
	}
	for _, arrSlot := range resolve(doc, segs[:len(segs)-1], false) {
		v, _ := arrSlot.get()
		arr, ok := v.([]any)
		if !ok {
			continue
		}
		pos := -1
		switch last.kind {
		case segIndex:
			pos = last.index
			if pos < 0 {
				pos += len(arr)
			}
			if len(arr) == 0 {
				pos = 0
				if where == "replace" {
					continue
				}
				where = "before"
			}
		case segKey:
			for i, el := range arr {
				if m, ok := el.(map[string]any); ok && m["_key"] == last.name {
					pos = i
					break
				}
			}
		}
		if pos < 0 || (len(arr) > 0 && pos >= len(arr)) {
			continue
		}
		at := pos
		drop := 0
		switch where {
		case "after":
			at = pos + 1
		case "replace":
			drop = 1
		}
		out := make([]any, 0, len(arr)+len(items))
		out = append(out, arr[:at]...)
		for _, item := range items {
			out = append(out, deepCopy(item))
		}
		out = append(out, arr[at+drop:]...)
		arrSlot.set(out)
	}
	return nil
}
