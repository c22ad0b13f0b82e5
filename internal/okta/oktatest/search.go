package oktatest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode"
)

// Okta's search and filter expressions (a SCIM-like language):
//
//	expr   = term { "or" term }
//	term   = factor { "and" factor }
//	factor = "(" expr ")" | attr op value | attr "pr"
//	op     = eq | ne | sw | co | gt | ge | lt | le
//
// Attribute names are case-sensitive; operators and string values are not.

type attrKind int

const (
	kindString attrKind = iota
	kindDate
	kindNumber
	kindBool
)

// filterAttributes are what the legacy filter parameter accepts.
var filterAttributes = map[string]attrKind{
	"id": kindString, "type": kindString, "lastUpdated": kindDate, "lastMembershipUpdated": kindDate,
}

// searchAttributes are the top-level attributes plus the profile's, custom
// ones included (custom maps a name to its schema type).
func searchAttributes(custom map[string]string) map[string]attrKind {
	m := map[string]attrKind{
		"id": kindString, "type": kindString, "source.id": kindString,
		"created": kindDate, "lastUpdated": kindDate, "lastMembershipUpdated": kindDate,
		"profile.name": kindString, "profile.description": kindString,
	}
	for name, typ := range custom {
		k := kindString
		switch typ {
		case "integer", "number":
			k = kindNumber
		case "boolean":
			k = kindBool
		}
		m["profile."+name] = k
	}
	return m
}

// containsAttributes are those the co operator works on (a group's name
// and description, a user's login, email and names).
var containsAttributes = map[string]bool{
	"profile.name": true, "profile.description": true,
	"profile.login": true, "profile.email": true, "profile.firstName": true, "profile.lastName": true,
}

type expression interface {
	eval(get attrGetter) bool
}

// attrGetter reads an attribute of the object being matched by its search
// path (a group's or a user's), and whether it is present.
type attrGetter func(path string) (any, bool)

func groupAttrs(g *Group) attrGetter {
	return func(path string) (any, bool) { return attrValue(g, path) }
}

type andExpr struct{ left, right expression }
type orExpr struct{ left, right expression }
type comparison struct {
	attr  string
	kind  attrKind
	op    string
	value any // string, time.Time, *big.Float, bool or nil
}

func (e andExpr) eval(get attrGetter) bool { return e.left.eval(get) && e.right.eval(get) }
func (e orExpr) eval(get attrGetter) bool  { return e.left.eval(get) || e.right.eval(get) }

func (c comparison) eval(get attrGetter) bool {
	v, present := get(c.attr)
	if c.op == "pr" {
		return present && v != nil
	}
	if !present || v == nil {
		return c.op == "ne" && c.value != nil
	}
	if c.value == nil {
		return c.op == "ne"
	}
	if items, ok := v.([]any); ok {
		// An array attribute matches when one of its items does.
		if c.op == "ne" {
			eq := comparison{attr: c.attr, kind: c.kind, op: "eq", value: c.value}
			return !eq.evalValue(items)
		}
		return c.evalValue(items)
	}
	return c.compare(v)
}

func (c comparison) evalValue(items []any) bool {
	for _, it := range items {
		if it != nil && c.compare(it) {
			return true
		}
	}
	return false
}

func (c comparison) compare(v any) bool {
	cmp, ok := compareValues(v, c.value)
	if !ok {
		return c.op == "ne"
	}
	switch c.op {
	case "eq":
		return cmp == 0
	case "ne":
		return cmp != 0
	case "gt":
		return cmp > 0
	case "ge":
		return cmp >= 0
	case "lt":
		return cmp < 0
	case "le":
		return cmp <= 0
	case "sw", "co":
		sv, ok1 := v.(string)
		lit, ok2 := c.value.(string)
		if !ok1 || !ok2 {
			return false
		}
		sv, lit = strings.ToLower(sv), strings.ToLower(lit)
		if c.op == "sw" {
			return strings.HasPrefix(sv, lit)
		}
		return strings.Contains(sv, lit)
	}
	return false
}

// attrValue reads an attribute of a group by its search path.
func attrValue(g *Group, path string) (any, bool) {
	switch path {
	case "id":
		return g.ID, true
	case "type":
		return g.Type, true
	case "source.id":
		return g.SourceID, g.SourceID != ""
	case "created":
		return g.Created, true
	case "lastUpdated":
		return g.LastUpdated, true
	case "lastMembershipUpdated":
		return g.LastMembershipUpdated, true
	case "profile.name":
		return g.Name, true
	case "profile.description":
		return g.Description, g.Description != ""
	}
	if name, ok := strings.CutPrefix(path, "profile."); ok {
		v, ok := g.Attributes[name]
		return v, ok
	}
	return nil, false
}

// compareValues compares a stored value with a literal of the same kind.
func compareValues(v, lit any) (int, bool) {
	switch l := lit.(type) {
	case string:
		s, ok := v.(string)
		if !ok {
			s = fmt.Sprint(v)
		}
		return strings.Compare(strings.ToLower(s), strings.ToLower(l)), true
	case time.Time:
		t, ok := v.(time.Time)
		if !ok {
			return 0, false
		}
		return t.Truncate(time.Millisecond).Compare(l), true
	case *big.Float:
		f, ok := toBigFloat(v)
		if !ok {
			return 0, false
		}
		return f.Cmp(l), true
	case bool:
		b, ok := v.(bool)
		if !ok {
			return 0, false
		}
		switch {
		case b == l:
			return 0, true
		case !b:
			return -1, true
		}
		return 1, true
	}
	return 0, false
}

func toBigFloat(v any) (*big.Float, bool) {
	switch n := v.(type) {
	case json.Number:
		f, _, err := big.ParseFloat(string(n), 10, 64, big.ToNearestEven)
		return f, err == nil
	case float64:
		return big.NewFloat(n), true
	case int:
		return big.NewFloat(float64(n)), true
	case int64:
		return big.NewFloat(float64(n)), true
	}
	return nil, false
}

// parseExpression parses a search (or, with legacy set, a filter)
// expression against the given attributes.
func parseExpression(src string, attrs map[string]attrKind, legacy bool) (expression, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, attrs: attrs, legacy: legacy}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q at position %d", p.toks[p.pos].text, p.toks[p.pos].at)
	}
	return e, nil
}

type token struct {
	kind string // "word", "string", "(", ")"
	text string
	at   int
}

func lex(src string) ([]token, error) {
	var toks []token
	rs := []rune(src)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(' || r == ')':
			toks = append(toks, token{kind: string(r), text: string(r), at: i})
			i++
		case r == '"':
			start := i
			var b strings.Builder
			i++
			closed := false
			for i < len(rs) {
				if rs[i] == '\\' && i+1 < len(rs) {
					b.WriteRune(rs[i+1])
					i += 2
					continue
				}
				if rs[i] == '"' {
					closed = true
					i++
					break
				}
				b.WriteRune(rs[i])
				i++
			}
			if !closed {
				return nil, fmt.Errorf("unterminated string starting at position %d", start)
			}
			toks = append(toks, token{kind: "string", text: b.String(), at: start})
		default:
			start := i
			for i < len(rs) && !unicode.IsSpace(rs[i]) && rs[i] != '(' && rs[i] != ')' && rs[i] != '"' {
				i++
			}
			toks = append(toks, token{kind: "word", text: string(rs[start:i]), at: start})
		}
	}
	if len(toks) == 0 {
		return nil, errors.New("the expression is empty")
	}
	return toks, nil
}

type parser struct {
	toks   []token
	pos    int
	attrs  map[string]attrKind
	legacy bool
}

func (p *parser) peekWord(word string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == "word" && strings.EqualFold(p.toks[p.pos].text, word)
}

func (p *parser) parseOr() (expression, error) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.peekWord("or") {
		p.pos++
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		left = orExpr{left, right}
	}
	return left, nil
}

func (p *parser) parseAnd() (expression, error) {
	left, err := p.parseFactor()
	if err != nil {
		return nil, err
	}
	for p.peekWord("and") {
		p.pos++
		right, err := p.parseFactor()
		if err != nil {
			return nil, err
		}
		left = andExpr{left, right}
	}
	return left, nil
}

func (p *parser) next(what string) (token, error) {
	if p.pos >= len(p.toks) {
		return token{}, fmt.Errorf("expected %s at the end of the expression", what)
	}
	t := p.toks[p.pos]
	p.pos++
	return t, nil
}

func (p *parser) parseFactor() (expression, error) {
	t, err := p.next("an attribute or (")
	if err != nil {
		return nil, err
	}
	if t.kind == "(" {
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		c, err := p.next(")")
		if err != nil {
			return nil, err
		}
		if c.kind != ")" {
			return nil, fmt.Errorf("expected ) at position %d", c.at)
		}
		return e, nil
	}
	if t.kind != "word" {
		return nil, fmt.Errorf("expected an attribute at position %d", t.at)
	}
	kind, ok := p.attrs[t.text]
	if !ok {
		return nil, fmt.Errorf("%s is not a searchable attribute", t.text)
	}
	opTok, err := p.next("an operator")
	if err != nil {
		return nil, err
	}
	op := strings.ToLower(opTok.text)
	allowed := map[string]bool{"eq": true, "ne": true, "sw": true, "co": true, "gt": true, "ge": true, "lt": true, "le": true, "pr": true}
	if p.legacy {
		allowed = map[string]bool{"eq": true, "gt": true, "lt": true}
	}
	if opTok.kind != "word" || !allowed[op] {
		return nil, fmt.Errorf("%q is not a supported operator (position %d)", opTok.text, opTok.at)
	}
	if op == "pr" {
		return comparison{attr: t.text, kind: kind, op: op}, nil
	}
	if op == "co" && !containsAttributes[t.text] {
		return nil, fmt.Errorf("co works only on %s, not %s", strings.Join(sortedKeys(containsAttributes), ", "), t.text)
	}
	if (op == "sw" || op == "co") && kind != kindString {
		return nil, fmt.Errorf("%s works only on string attributes, not %s", op, t.text)
	}
	vt, err := p.next("a value")
	if err != nil {
		return nil, err
	}
	value, err := literal(vt, kind)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.text, err)
	}
	return comparison{attr: t.text, kind: kind, op: op, value: value}, nil
}

func literal(t token, kind attrKind) (any, error) {
	if t.kind == "word" && t.text == "null" {
		return nil, nil
	}
	switch kind {
	case kindString:
		if t.kind != "string" {
			return nil, fmt.Errorf("expected a quoted string at position %d", t.at)
		}
		return t.text, nil
	case kindDate:
		if t.kind != "string" {
			return nil, fmt.Errorf("expected a quoted date at position %d", t.at)
		}
		for _, layout := range []string{timeLayout, "2006-01-02T15:04:05.000Z07:00", time.RFC3339} {
			if d, err := time.Parse(layout, t.text); err == nil {
				return d.UTC(), nil
			}
		}
		return nil, fmt.Errorf("%q is not a date like 2015-11-11T00:00:00.000Z", t.text)
	case kindNumber:
		f, _, err := big.ParseFloat(t.text, 10, 64, big.ToNearestEven)
		if t.kind != "word" || err != nil {
			return nil, fmt.Errorf("expected a number at position %d", t.at)
		}
		return f, nil
	case kindBool:
		switch strings.ToLower(t.text) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("expected true or false at position %d", t.at)
	}
	return nil, errors.New("unsupported attribute type")
}

// groupOrder orders list results: by ID, or by sortBy then ID.
func groupOrder(sortBy, sortOrder string) (func(a, b *Group) bool, error) {
	desc := false
	switch strings.ToLower(sortOrder) {
	case "", "asc":
	case "desc":
		desc = true
	default:
		return nil, fmt.Errorf("sortOrder must be asc or desc, not %q", sortOrder)
	}
	if sortBy == "" {
		return func(a, b *Group) bool { return a.ID < b.ID }, nil
	}
	if _, ok := searchAttributes(nil)[sortBy]; !ok && !strings.HasPrefix(sortBy, "profile.") {
		return nil, fmt.Errorf("%s cannot be sorted on", sortBy)
	}
	return func(a, b *Group) bool {
		va, _ := attrValue(a, sortBy)
		vb, _ := attrValue(b, sortBy)
		c := compareAny(va, vb)
		if desc {
			c = -c
		}
		if c != 0 {
			return c < 0
		}
		return a.ID < b.ID
	}, nil
}

func compareAny(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	if ta, ok := a.(time.Time); ok {
		if tb, ok := b.(time.Time); ok {
			return ta.Compare(tb)
		}
	}
	if fa, ok := toBigFloat(a); ok {
		if fb, ok := toBigFloat(b); ok {
			return fa.Cmp(fb)
		}
	}
	return strings.Compare(strings.ToLower(fmt.Sprint(a)), strings.ToLower(fmt.Sprint(b)))
}

// A cursor is the last group of a page: its ID, or with sortBy its sort
// value and ID, so the next page starts right after it.
type cursor struct {
	ID    string `json:"i"`
	By    string `json:"b,omitempty"`
	Value any    `json:"v,omitempty"`
}

func encodeCursor(g Group, sortBy string) string {
	if sortBy == "" {
		return g.ID
	}
	v, _ := attrValue(&g, sortBy)
	if t, ok := v.(time.Time); ok {
		v = t.Format(time.RFC3339Nano)
	}
	raw, _ := json.Marshal(cursor{ID: g.ID, By: sortBy, Value: v})
	return base64.RawURLEncoding.EncodeToString(raw)
}

func decodeCursor(after string) (Group, error) {
	if strings.HasPrefix(after, "00g") && len(after) == 20 {
		return Group{ID: after}, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(after)
	if err != nil {
		return Group{}, err
	}
	var c cursor
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&c); err != nil || c.ID == "" {
		return Group{}, errors.New("bad cursor")
	}
	g := Group{ID: c.ID, Attributes: map[string]any{}}
	switch c.By {
	case "id":
	case "type":
		g.Type, _ = c.Value.(string)
	case "source.id":
		g.SourceID, _ = c.Value.(string)
	case "created", "lastUpdated", "lastMembershipUpdated":
		s, _ := c.Value.(string)
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return Group{}, errors.New("bad cursor")
		}
		switch c.By {
		case "created":
			g.Created = t
		case "lastUpdated":
			g.LastUpdated = t
		default:
			g.LastMembershipUpdated = t
		}
	case "profile.name":
		g.Name, _ = c.Value.(string)
	case "profile.description":
		g.Description, _ = c.Value.(string)
	default:
		name, _ := strings.CutPrefix(c.By, "profile.")
		if c.Value != nil {
			g.Attributes[name] = c.Value
		}
	}
	return g, nil
}
