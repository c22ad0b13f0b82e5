package access

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// schemaRead is the org's group profile schema, read once per Service on first use.
type schemaRead struct {
	once  sync.Mutex
	types map[string]string
}

// attributeTypes returns the type of each custom attribute of the org's group profile schema.
func (s *Service) attributeTypes(ctx context.Context) (map[string]string, error) {
	s.schema.once.Lock()
	defer s.schema.once.Unlock()
	if s.schema.types == nil {
		types, err := s.groups.GroupAttributeTypes(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the org's group profile schema: %w", err)
		}
		s.schema.types = types
	}
	return s.schema.types, nil
}

// profileAttributes turns the configured attributes into the values Okta stores, checked against the
// org's group profile schema, before anything is written: an attribute the schema lacks, or a value that
// is not of its type, is an error naming the document and the attribute.
func (s *Service) profileAttributes(ctx context.Context, spec Spec) (map[string]any, error) {
	if len(spec.Attributes) == 0 {
		return nil, nil
	}
	types, err := s.attributeTypes(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(spec.Attributes))
	for name, v := range spec.Attributes {
		typ, ok := types[name]
		if !ok {
			return nil, fmt.Errorf("profile attribute %q for document %q is not in the org's group profile schema (it has %s). "+
				"An Okta admin adds it in the Admin Console (Directory > Profile Editor > Groups) or with "+
				"okta_group_schema_property, which needs the okta.schemas.manage scope; the provider never changes the schema",
				name, spec.DocumentID, describeAttributes(types))
		}
		value, err := attributeValue(typ, v)
		if err != nil {
			return nil, fmt.Errorf("profile attribute %q for document %q: %w", name, spec.DocumentID, err)
		}
		out[name] = value
	}
	return out, nil
}

func describeAttributes(types map[string]string) string {
	if len(types) == 0 {
		return "no custom attributes"
	}
	names := make([]string, 0, len(types))
	for n, t := range types {
		names = append(names, n+" ("+t+")")
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func attributeValue(typ, v string) (any, error) {
	switch typ {
	case "string":
		return v, nil
	case "integer":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("the schema makes it an integer, and %q is not one", v)
		}
		return n, nil
	case "number":
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("the schema makes it a number, and %q is not one", v)
		}
		return f, nil
	case "boolean":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("the schema makes it a boolean, and %q is neither true nor false", v)
		}
		return b, nil
	}
	return nil, fmt.Errorf("the schema makes it a %s, which profile_attributes cannot set (only string, integer, number and boolean)", typ)
}

// attributeString is how a stored attribute value shows in the configuration's terms.
func attributeString(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int:
		return strconv.Itoa(x), true
	}
	return fmt.Sprint(v), true
}

// managedAttributes reads the managed attributes (the keys of want) from a group's profile.
func managedAttributes(grp Group, want map[string]string) map[string]string {
	if want == nil {
		return nil
	}
	out := make(map[string]string, len(want))
	for k, w := range want {
		if s, ok := attributeString(grp.Profile.Extra[k]); ok {
			if sameAttribute(s, w) {
				s = w // "3.50" configured, 3.5 stored: the configuration's spelling stays
			}
			out[k] = s
		}
	}
	return out
}

// sameAttribute reports whether a stored value, as a string, is the configured one.
func sameAttribute(stored, configured string) bool {
	if stored == configured {
		return true
	}
	if a, err := strconv.ParseFloat(stored, 64); err == nil {
		if b, err := strconv.ParseFloat(configured, 64); err == nil {
			return a == b
		}
	}
	if a, err := strconv.ParseBool(stored); err == nil {
		if b, err := strconv.ParseBool(configured); err == nil {
			return a == b
		}
	}
	return false
}

// attributesDiffer reports whether the group's managed attributes are not yet what is configured, or
// still hold one the configuration dropped.
func attributesDiffer(grp Group, want map[string]string, dropped []string) bool {
	for k, v := range want {
		if s, ok := attributeString(grp.Profile.Extra[k]); !ok || !sameAttribute(s, v) {
			return true
		}
	}
	for _, k := range dropped {
		if _, ok := grp.Profile.Extra[k]; ok && grp.Profile.Extra[k] != nil {
			return true
		}
	}
	return false
}
