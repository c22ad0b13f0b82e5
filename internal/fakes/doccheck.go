package fakes

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
)

var docMethods = regexp.MustCompile(`\(([A-Z][A-Za-z]*(?:, [A-Z][A-Za-z]*)*)\)$`)

// CheckRoutes reports routes whose Doc does not end by naming, in parentheses, the methods of server
// they call, or names one server does not have: the admin API's documentation cannot drift from the
// Go API either.
func CheckRoutes(server any, routes []Route) error {
	t := reflect.TypeOf(server)
	var problems []string
	seen := map[string]bool{}
	for _, rt := range routes {
		key := rt.Method + " " + rt.Path
		if seen[key] {
			problems = append(problems, key+" is in the table twice")
		}
		seen[key] = true
		if rt.Handler == nil {
			problems = append(problems, key+" has no handler")
		}
		m := docMethods.FindStringSubmatch(rt.Doc)
		if m == nil {
			problems = append(problems, fmt.Sprintf("%s: its doc %q does not end with the methods it calls, such as (AddFault)", key, rt.Doc))
			continue
		}
		for _, name := range strings.Split(m[1], ", ") {
			if _, ok := t.MethodByName(name); !ok {
				problems = append(problems, fmt.Sprintf("%s: %s has no method %s", key, t, name))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("admin routes: %s", strings.Join(problems, "; "))
	}
	return nil
}
