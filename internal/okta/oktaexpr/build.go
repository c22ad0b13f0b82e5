package oktaexpr

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxValueLength bounds one quoted value; Okta's profile strings are at most 1,024 characters.
const MaxValueLength = 1024

var attributeName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ValueError is a value that cannot be put into an expression safely.
type ValueError struct {
	Attribute, Value, Reason string
}

func (e *ValueError) Error() string {
	v := e.Value
	if len(v) > 60 {
		v = v[:60] + "…"
	}
	return fmt.Sprintf("the value %q for %s cannot go into a group rule: %s", v, e.Attribute, e.Reason)
}

// Quote returns value as a string literal. Values that could be read differently by Okta are refused
// rather than escaped: a double quote, a backslash (other languages' escape, a literal in Okta's), a
// control character such as a newline, invalid UTF-8, or more than MaxValueLength characters. What Quote
// accepts comes back from Parse as exactly the same string.
func Quote(attribute, value string) (string, error) {
	refuse := func(reason string) (string, error) {
		return "", &ValueError{Attribute: attribute, Value: value, Reason: reason}
	}
	switch {
	case !utf8.ValidString(value):
		return refuse("it is not valid UTF-8")
	case utf8.RuneCountInString(value) > MaxValueLength:
		return refuse(fmt.Sprintf("it is longer than %d characters", MaxValueLength))
	case strings.ContainsAny(value, `"\`):
		return refuse("it contains a double quote or a backslash; change the value in the document")
	case strings.IndexFunc(value, unicode.IsControl) >= 0:
		return refuse("it contains a control character such as a line break; change the value in the document")
	}
	return `"` + value + `"`, nil
}

// Match builds the expression for structured conditions: every attribute must match (AND), and an
// attribute matches when it equals any of its values (OR). Attributes are user profile attribute names;
// an attribute with no values is an error, since it would match nobody. The result is deterministic
// (attributes sorted, values in order), so an unchanged configuration plans no change.
func Match(conditions map[string][]string) (string, error) {
	if len(conditions) == 0 {
		return "", fmt.Errorf("no conditions: a rule needs at least one attribute to match")
	}
	attrs := make([]string, 0, len(conditions))
	for a := range conditions {
		attrs = append(attrs, a)
	}
	sort.Strings(attrs)
	parts := make([]string, 0, len(attrs))
	for _, a := range attrs {
		if !attributeName.MatchString(a) {
			return "", fmt.Errorf("%q is not a user profile attribute name (letters, digits and _, not starting with a digit)", a)
		}
		values := conditions[a]
		if len(values) == 0 {
			return "", fmt.Errorf("%s has no values: it would match nobody; leave it out, or give it a value", a)
		}
		alts := make([]string, 0, len(values))
		for _, v := range values {
			q, err := Quote(a, v)
			if err != nil {
				return "", err
			}
			alts = append(alts, "user."+a+" == "+q)
		}
		part := strings.Join(alts, " OR ")
		if len(alts) > 1 && len(attrs) > 1 {
			part = "(" + part + ")"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, " AND "), nil
}
