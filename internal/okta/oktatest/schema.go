package oktatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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

// AttributeDef defines a custom group profile attribute.
type AttributeDef struct {
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// Type is string, boolean, integer, number or array (of strings).
	Type string `json:"type"`
	// MaxLength limits strings, when positive.
	MaxLength int `json:"maxLength,omitempty"`
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
	switch d.Type {
	case "string":
		s, ok := v.(string)
		if !ok {
			return nil, "Property has an invalid type; expected string"
		}
		if d.MaxLength > 0 && len([]rune(s)) > d.MaxLength {
			return nil, fmt.Sprintf("The field is too long (maximum %d characters)", d.MaxLength)
		}
		return s, ""
	case "boolean":
		if _, ok := v.(bool); !ok {
			return nil, "Property has an invalid type; expected boolean"
		}
		return v, ""
	case "integer", "number":
		n, ok := v.(json.Number)
		if !ok {
			if f, isFloat := v.(float64); isFloat {
				n, ok = json.Number(fmt.Sprint(f)), true
			}
		}
		if !ok {
			return nil, fmt.Sprintf("Property has an invalid type; expected %s", d.Type)
		}
		if d.Type == "integer" {
			if _, err := n.Int64(); err != nil {
				return nil, "Property has an invalid type; expected integer"
			}
		}
		f, _ := n.Float64()
		return f, ""
	case "array":
		items, ok := v.([]any)
		if !ok {
			return nil, "Property has an invalid type; expected array"
		}
		for _, it := range items {
			if _, ok := it.(string); !ok {
				return nil, "Property has an invalid type; expected an array of strings"
			}
		}
		return items, ""
	}
	return nil, fmt.Sprintf("unsupported attribute type %q", d.Type)
}

var attributeTypes = map[string]bool{"string": true, "boolean": true, "integer": true, "number": true, "array": true}

// AddGroupAttribute defines a custom group profile attribute, as an admin
// extending the group schema would.
func (s *Server) AddGroupAttribute(name string, def AttributeDef) error {
	if name == "" || name == "name" || name == "description" {
		return fmt.Errorf("oktatest: %q cannot be a custom attribute name", name)
	}
	if !attributeTypes[def.Type] {
		return fmt.Errorf("oktatest: attribute type %q is not one of string, boolean, integer, number, array", def.Type)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.schema.custom[name] = def
	s.schema.updated = time.Now().UTC().Truncate(time.Millisecond)
	return nil
}

func (s *Server) renderSchema(base string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	props := map[string]any{}
	for name, def := range s.schema.custom {
		p := map[string]any{"title": def.Title, "description": def.Description, "type": def.Type,
			"mutability": "READ_WRITE", "scope": "NONE",
			"permissions": []map[string]string{{"principal": "SELF", "action": "READ_ONLY"}}}
		if def.Title == "" {
			p["title"] = name
		}
		if def.MaxLength > 0 {
			p["maxLength"] = def.MaxLength
		}
		if def.Type == "array" {
			p["items"] = map[string]string{"type": "string"}
		}
		props[name] = p
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

// updateSchema applies a partial update of definitions.custom.properties;
// a property set to null is removed.
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
	for name, def := range body.Definitions.Custom.Properties {
		if def == nil {
			continue
		}
		if name == "" || name == "name" || name == "description" || !attributeTypes[def.Type] {
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: "+name, fmt.Sprintf("%s: the property must have a name other than name or description and a type of string, boolean, integer, number or array", name))
			return
		}
	}
	s.mu.Lock()
	for name, def := range body.Definitions.Custom.Properties {
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
