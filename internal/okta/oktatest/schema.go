package oktatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"
)

// groupSchema is the org's group profile schema; only its custom part can
// change.
type groupSchema struct {
	custom  map[string]AttributeDef
	created time.Time
	updated time.Time
}

// AttributeDef defines a custom profile attribute, with the properties of
// Okta's schema that the org keeps. Its JSON form is Okta's.
type AttributeDef struct {
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// Type is string, boolean, integer, number or array (of Items.Type,
	// strings by default).
	Type string `json:"type"`
	// MaxLength and MinLength limit strings, when positive.
	MaxLength int `json:"maxLength,omitempty"`
	MinLength int `json:"minLength,omitempty"`
	// Enum lists the allowed values; OneOf names them ({const, title}).
	Enum  []any           `json:"enum,omitempty"`
	OneOf []EnumOption    `json:"oneOf,omitempty"`
	Items *AttributeItems `json:"items,omitempty"`
	// Unique is UNIQUE_VALIDATED (no two groups share a value) or
	// NOT_UNIQUE.
	Unique            string                `json:"unique,omitempty"`
	Master            *AttributeMaster      `json:"master,omitempty"`
	ExternalName      string                `json:"externalName,omitempty"`
	ExternalNamespace string                `json:"externalNamespace,omitempty"`
	Mutability        string                `json:"mutability,omitempty"`
	Scope             string                `json:"scope,omitempty"`
	Permissions       []AttributePermission `json:"permissions,omitempty"`
	Required          bool                  `json:"required,omitempty"`
}

// EnumOption is one entry of oneOf.
type EnumOption struct {
	Const any    `json:"const"`
	Title string `json:"title"`
}

// AttributeItems describes the items of an array attribute.
type AttributeItems struct {
	Type  string       `json:"type,omitempty"`
	Enum  []any        `json:"enum,omitempty"`
	OneOf []EnumOption `json:"oneOf,omitempty"`
}

// AttributeMaster says which source masters the attribute: PROFILE_MASTER,
// OKTA, or OVERRIDE with a priority list.
type AttributeMaster struct {
	Type     string           `json:"type"`
	Priority []map[string]any `json:"priority,omitempty"`
}

// AttributePermission grants a principal (SELF) READ_ONLY, READ_WRITE or
// HIDE.
type AttributePermission struct {
	Principal string `json:"principal"`
	Action    string `json:"action"`
}

func newGroupSchema() *groupSchema {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return &groupSchema{custom: map[string]AttributeDef{}, created: now, updated: now}
}

// check validates a profile value against the definition and returns it
// as stored (nil removes the attribute), or Okta's message for a bad value.
func (d AttributeDef) check(v any) (any, string) {
	if v == nil {
		return nil, ""
	}
	if d.Type == "array" {
		items, ok := v.([]any)
		if !ok {
			return nil, "Property has an invalid type; expected array"
		}
		var it AttributeItems
		if d.Items != nil {
			it = *d.Items
		}
		if it.Type == "" {
			it.Type = "string"
		}
		out := make([]any, 0, len(items))
		for _, item := range items {
			conv, problem := checkScalar(it.Type, item)
			if problem != "" {
				return nil, "Property has an invalid type; expected an array of " + it.Type + "s"
			}
			if !allowed(conv, it.Enum, it.OneOf) {
				return nil, fmt.Sprintf("Does not match any of the allowed values %s", describeAllowed(it.Enum, it.OneOf))
			}
			out = append(out, conv)
		}
		return out, ""
	}
	conv, problem := checkScalar(d.Type, v)
	if problem != "" {
		return nil, problem
	}
	if str, ok := conv.(string); ok {
		n := len([]rune(str))
		if d.MaxLength > 0 && n > d.MaxLength {
			return nil, fmt.Sprintf("The field is too long (maximum %d characters)", d.MaxLength)
		}
		if d.MinLength > 0 && n < d.MinLength {
			return nil, fmt.Sprintf("The field is too short (minimum %d characters)", d.MinLength)
		}
	}
	if !allowed(conv, d.Enum, d.OneOf) {
		return nil, fmt.Sprintf("Does not match any of the allowed values %s", describeAllowed(d.Enum, d.OneOf))
	}
	return conv, ""
}

// checkScalar checks a value of a scalar type; numbers come back as
// float64.
func checkScalar(typ string, v any) (any, string) {
	switch typ {
	case "string":
		s, ok := v.(string)
		if !ok {
			return nil, "Property has an invalid type; expected string"
		}
		return s, ""
	case "boolean":
		if _, ok := v.(bool); !ok {
			return nil, "Property has an invalid type; expected boolean"
		}
		return v, ""
	case "integer", "number":
		f, ok := toFloat(v)
		if !ok {
			return nil, fmt.Sprintf("Property has an invalid type; expected %s", typ)
		}
		if typ == "integer" && f != math.Trunc(f) {
			return nil, "Property has an invalid type; expected integer"
		}
		return f, ""
	}
	return nil, fmt.Sprintf("unsupported attribute type %q", typ)
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// allowed reports whether v is one of the enum values (or oneOf consts);
// no list allows anything.
func allowed(v any, enum []any, oneOf []EnumOption) bool {
	values := enum
	if len(values) == 0 {
		for _, o := range oneOf {
			values = append(values, o.Const)
		}
	}
	if len(values) == 0 {
		return true
	}
	for _, e := range values {
		if sameValue(v, e) {
			return true
		}
	}
	return false
}

func sameValue(a, b any) bool {
	fa, okA := toFloat(a)
	fb, okB := toFloat(b)
	if okA || okB {
		return okA && okB && fa == fb
	}
	return a == b
}

func describeAllowed(enum []any, oneOf []EnumOption) string {
	values := enum
	if len(values) == 0 {
		for _, o := range oneOf {
			values = append(values, o.Const)
		}
	}
	raw, _ := json.Marshal(values)
	return string(raw)
}

var attributeTypes = map[string]bool{"string": true, "boolean": true, "integer": true, "number": true, "array": true}

// AddGroupAttribute defines a custom group profile attribute, as an admin
// extending the group schema would.
func (s *Server) AddGroupAttribute(name string, def AttributeDef) error {
	if name == "" || name == "name" || name == "description" {
		return fmt.Errorf("oktatest: %q cannot be a custom attribute name", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var existing *AttributeDef
	if cur, ok := s.schema.custom[name]; ok {
		existing = &cur
	}
	if problem := validateAttributeDef(def, existing); problem != "" {
		return fmt.Errorf("oktatest: attribute %s: %s", name, problem)
	}
	s.schema.custom[name] = def
	s.schema.updated = time.Now().UTC().Truncate(time.Millisecond)
	return nil
}

func (s *Server) renderSchema(base string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	props := map[string]any{}
	for name, def := range s.schema.custom {
		props[name] = renderAttribute(name, def)
	}
	return map[string]any{
		"id":          base + "/meta/schemas/group/default",
		"$schema":     "http://json-schema.org/draft-04/schema#",
		"name":        "group",
		"title":       "Okta group",
		"description": "Okta group profile template",
		"lastUpdated": s.schema.updated.Format(timeLayout),
		"created":     s.schema.created.Format(timeLayout),
		"definitions": map[string]any{
			"custom": map[string]any{"id": "#custom", "type": "object", "properties": props, "required": []string{}},
			"base": map[string]any{"id": "#base", "type": "object", "required": []string{"name"},
				"properties": map[string]any{
					"name":        map[string]any{"title": "Name", "description": "Name", "type": "string", "required": true, "minLength": 1, "maxLength": maxNameLength, "mutability": "READ_WRITE", "scope": "NONE"},
					"description": map[string]any{"title": "Description", "description": "Description", "type": "string", "maxLength": maxDescriptionLength, "mutability": "READ_WRITE", "scope": "NONE"},
				}},
		},
		"type": "object",
		"properties": map[string]any{"profile": map[string]any{"allOf": []map[string]string{
			{"$ref": "#/definitions/custom"}, {"$ref": "#/definitions/base"}}}},
		"_links": map[string]any{"self": map[string]string{"href": base + "/api/v1/meta/schemas/group/default", "method": "GET"}},
	}
}

func (s *Server) getSchema(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.renderSchema(baseURL(r)))
}

// renderAttribute is a custom attribute as the org returns it: what was
// defined, with Okta's defaults for what was not.
func renderAttribute(name string, def AttributeDef) AttributeDef {
	if def.Title == "" {
		def.Title = name
	}
	if def.Mutability == "" {
		def.Mutability = "READ_WRITE"
	}
	if def.Scope == "" {
		def.Scope = "NONE"
	}
	if len(def.Permissions) == 0 {
		def.Permissions = []AttributePermission{{Principal: "SELF", Action: "READ_ONLY"}}
	}
	if def.Master == nil {
		def.Master = &AttributeMaster{Type: "PROFILE_MASTER"}
	}
	if def.Type == "array" && def.Items == nil {
		def.Items = &AttributeItems{Type: "string"}
	}
	return def
}

var (
	attributeMutabilities = map[string]bool{"": true, "READ_WRITE": true, "READ_ONLY": true, "IMMUTABLE": true}
	attributeScopes       = map[string]bool{"": true, "NONE": true, "SELF": true}
	permissionActions     = map[string]bool{"READ_ONLY": true, "READ_WRITE": true, "HIDE": true}
	masterTypes           = map[string]bool{"PROFILE_MASTER": true, "OKTA": true, "OVERRIDE": true}
	itemTypes             = map[string]bool{"string": true, "integer": true, "number": true}
)

// validateAttributeDef applies Okta's rules on a custom attribute
// definition (and, for an existing one, on changing it); it returns what
// is wrong, or "".
func validateAttributeDef(def AttributeDef, existing *AttributeDef) string {
	if !attributeTypes[def.Type] {
		return fmt.Sprintf("type must be one of string, boolean, integer, number or array, not %q", def.Type)
	}
	if existing != nil && existing.Type != def.Type {
		return fmt.Sprintf("the type of an existing attribute cannot be changed (it is %s)", existing.Type)
	}
	if def.MinLength < 0 || def.MaxLength < 0 {
		return "minLength and maxLength cannot be negative"
	}
	if (def.MinLength > 0 || def.MaxLength > 0) && def.Type != "string" {
		return "minLength and maxLength apply only to strings"
	}
	if def.MaxLength > 0 && def.MinLength > def.MaxLength {
		return fmt.Sprintf("minLength (%d) cannot be greater than maxLength (%d)", def.MinLength, def.MaxLength)
	}
	itemType := def.Type
	enum, oneOf := def.Enum, def.OneOf
	if def.Type == "array" {
		if len(def.Enum) > 0 || len(def.OneOf) > 0 {
			return "an array attribute lists its allowed values in items.enum and items.oneOf"
		}
		itemType = "string"
		if def.Items != nil {
			if def.Items.Type != "" && !itemTypes[def.Items.Type] {
				return fmt.Sprintf("items.type must be string, integer or number, not %q", def.Items.Type)
			}
			if def.Items.Type != "" {
				itemType = def.Items.Type
			}
			enum, oneOf = def.Items.Enum, def.Items.OneOf
		}
	} else if def.Items != nil {
		return "items applies only to arrays"
	}
	if def.Type == "boolean" && (len(enum) > 0 || len(oneOf) > 0) {
		return "a boolean attribute cannot have enum or oneOf"
	}
	for _, e := range enum {
		if _, problem := checkScalar(itemType, e); problem != "" || e == nil {
			return fmt.Sprintf("enum value %v is not of type %s", e, itemType)
		}
	}
	for _, o := range oneOf {
		if o.Const == nil || o.Title == "" {
			return "every oneOf entry needs a const and a title"
		}
		if _, problem := checkScalar(itemType, o.Const); problem != "" {
			return fmt.Sprintf("oneOf const %v is not of type %s", o.Const, itemType)
		}
	}
	if len(enum) > 0 && len(oneOf) > 0 {
		if len(enum) != len(oneOf) {
			return "enum and oneOf must list the same values"
		}
		for _, o := range oneOf {
			if !allowed(o.Const, enum, nil) {
				return "enum and oneOf must list the same values"
			}
		}
	}
	switch def.Unique {
	case "", "NOT_UNIQUE":
	case "UNIQUE_VALIDATED":
		if def.Type != "string" && def.Type != "integer" && def.Type != "number" {
			return "only string, integer and number attributes can be unique"
		}
	default:
		return fmt.Sprintf("unique must be UNIQUE_VALIDATED or NOT_UNIQUE, not %q", def.Unique)
	}
	if def.Master != nil && !masterTypes[def.Master.Type] {
		return fmt.Sprintf("master.type must be PROFILE_MASTER, OKTA or OVERRIDE, not %q", def.Master.Type)
	}
	if !attributeMutabilities[def.Mutability] {
		return fmt.Sprintf("mutability must be READ_WRITE, READ_ONLY or IMMUTABLE, not %q", def.Mutability)
	}
	if !attributeScopes[def.Scope] {
		return fmt.Sprintf("scope must be NONE or SELF, not %q", def.Scope)
	}
	for _, p := range def.Permissions {
		if p.Principal != "SELF" || !permissionActions[p.Action] {
			return fmt.Sprintf("permissions: principal must be SELF and action READ_ONLY, READ_WRITE or HIDE, not %s/%s", p.Principal, p.Action)
		}
	}
	return ""
}

// updateSchema applies a partial update of definitions.custom.properties;
// a property set to null is removed. Base properties cannot change and are
// ignored, as clients send the whole schema back.
func (s *Server) updateSchema(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var body struct {
		Definitions struct {
			Custom struct {
				Properties map[string]*AttributeDef `json:"properties"`
			} `json:"custom"`
		} `json:"definitions"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "E0000003", "The request body was not well-formed.")
		return
	}
	props := body.Definitions.Custom.Properties
	s.mu.Lock()
	for _, name := range sortedKeys(props) {
		def := props[name]
		if def == nil {
			continue
		}
		if name == "" || name == "name" || name == "description" {
			s.mu.Unlock()
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: "+name, name+": a custom attribute cannot be named like a base attribute")
			return
		}
		var existing *AttributeDef
		if cur, ok := s.schema.custom[name]; ok {
			existing = &cur
		}
		if problem := validateAttributeDef(*def, existing); problem != "" {
			s.mu.Unlock()
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: "+name, name+": "+problem)
			return
		}
	}
	for name, def := range props {
		if def == nil {
			delete(s.schema.custom, name)
			for _, g := range s.groups {
				delete(g.attrs, name)
			}
			continue
		}
		s.schema.custom[name] = *def
	}
	s.schema.updated = time.Now().UTC().Truncate(time.Millisecond)
	s.mu.Unlock()
	s.getSchema(w, r)
}

// uniqueTaken names the first UNIQUE_VALIDATED attribute whose value
// another group (not except) already holds, or "". Callers hold s.mu.
func (s *Server) uniqueTaken(attrs map[string]any, except string) string {
	for _, name := range sortedKeys(attrs) {
		def, ok := s.schema.custom[name]
		if !ok || def.Unique != "UNIQUE_VALIDATED" {
			continue
		}
		for id, g := range s.groups {
			if id != except && g.attrs[name] != nil && sameValue(g.attrs[name], attrs[name]) {
				return name
			}
		}
	}
	return ""
}
