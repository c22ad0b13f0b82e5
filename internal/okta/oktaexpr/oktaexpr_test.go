package oktaexpr_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktaexpr"
)

var sales = oktaexpr.User{
	Profile:  map[string]any{"department": "sales", "countryCode": "DE", "firstName": "Andy", "level": 3, "roles": []any{"editor", "sales"}},
	GroupIDs: []string{"00gstaff"},
}

func TestEval(t *testing.T) {
	for src, want := range map[string]bool{
		`user.department == "sales"`:                              true,
		`user.department == 'sales'`:                              true,
		`user.department == "Sales"`:                              false,
		`user.department == "sales" AND user.countryCode == "FR"`: false,
		`user.department == "sales" && (user.countryCode == "FR" || user.countryCode == "DE")`: true,
		`NOT (user.department == "hr")`:                                   true,
		`!(user.department == "sales")`:                                   false,
		`user.missing == null`:                                            true,
		`user.missing == "x"`:                                             false,
		`user.missing != "x"`:                                             true,
		`String.startsWith(user.firstName, "An")`:                         true,
		`String.stringContains(String.toLowerCase(user.firstName), "nd")`: true,
		`Arrays.contains(user.roles, "sales")`:                            true,
		`Arrays.contains(user.roles, "admin")`:                            false,
		`user.level >= 3 and user.level < 4`:                              true,
		`isMemberOfAnyGroup("00gother", "00gstaff")`:                      true,
		`isMemberOfGroup("00gother")`:                                     false,
		`String.len(user.missing) == 0`:                                   false,
		`user.department == "it''s"`:                                      false,
	} {
		e, err := oktaexpr.Parse(src)
		if err != nil {
			t.Errorf("Parse(%s): %v", src, err)
			continue
		}
		got, err := e.Eval(sales)
		if err != nil || got != want {
			t.Errorf("Eval(%s) = %v, %v; want %v", src, got, err, want)
		}
	}
}

func TestParseRefusesWithPosition(t *testing.T) {
	for src, want := range map[string]struct {
		line, col int
		msg       string
	}{
		`user.department = "sales"`:                  {1, 17, "compare with '=='"},
		`user.department == "sales`:                  {1, 20, "not closed"},
		"user.department == \"sales\"\nOR user.x ==": {2, 13, "ends where a value was expected"},
		`String.endsWithNothing(user.x, "a")`:        {1, 1, "not a function group rules allow"},
		`String.startsWith(user.x)`:                  {1, 1, "takes 2 arguments, not 1"},
		`user.department`:                            {0, 0, ""}, // attributes may be booleans: allowed
		`"sales"`:                                    {1, 1, "must be true or false"},
		`user.department == "a" == "b"`:              {1, 24, "cannot be chained"},
		`manager.department == "a"`:                  {1, 1, "not something a group rule can read"},
		`(user.a == "x"`:                             {1, 15, "expected ')'"},
		`user.a == "x" extra`:                        {1, 15, "after the end"},
		`"a" AND user.b == "c"`:                      {1, 1, "AND needs true or false"},
	} {
		_, err := oktaexpr.Parse(src)
		if want.msg == "" {
			if err != nil {
				t.Errorf("Parse(%q): %v, want it accepted", src, err)
			}
			continue
		}
		var se *oktaexpr.SyntaxError
		if !errors.As(err, &se) || se.Line != want.line || se.Column != want.col || !strings.Contains(se.Msg, want.msg) {
			t.Errorf("Parse(%q) = %v, want line %d column %d: …%s…", src, err, want.line, want.col, want.msg)
		}
	}
}

func TestParseBoundsNesting(t *testing.T) {
	src := strings.Repeat("(", 10000) + `user.a == "b"` + strings.Repeat(")", 10000)
	if _, err := oktaexpr.Parse(src); err == nil || !strings.Contains(err.Error(), "nests deeper") {
		t.Fatalf("Parse of 10,000 parentheses: %v", err)
	}
}

func TestMatchBuildsAndAcrossOrWithin(t *testing.T) {
	got, err := oktaexpr.Match(map[string][]string{"region": {"emea"}, "department": {"sales", "presales"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `(user.department == "sales" OR user.department == "presales") AND user.region == "emea"`; got != want {
		t.Errorf("Match = %s\nwant     %s", got, want)
	}
}

// A hostile value neither widens nor narrows a rule: it is refused, or it is one string literal that
// equals the value and nothing else.
func TestMatchCannotBeSteeredByAValue(t *testing.T) {
	for _, v := range []string{
		`sales" OR user.login != "`, `sales\" OR user.login != \"`, "sales\nOR true", `sales') OR ('1'=='1`,
		`(`, `OR`, `AND NOT`, strings.Repeat("x", oktaexpr.MaxValueLength+1), "\x00", "caf\xe9",
	} {
		expr, err := oktaexpr.Match(map[string][]string{"department": {v}})
		if err != nil {
			var ve *oktaexpr.ValueError
			if !errors.As(err, &ve) {
				t.Errorf("value %q: error %v is not a ValueError", v, err)
			}
			continue
		}
		assertMeansEquality(t, expr, "department", v)
	}
}

func FuzzMatchMeansEquality(f *testing.F) {
	for _, s := range []string{"sales", `a" OR "b`, "o'brien", "it''s", "AND", "(x)", "ünïcødé"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		expr, err := oktaexpr.Match(map[string][]string{"department": {v}})
		if err != nil {
			return
		}
		assertMeansEquality(t, expr, "department", v)
	})
}

func assertMeansEquality(t *testing.T, expr, attr, v string) {
	t.Helper()
	e, err := oktaexpr.Parse(expr)
	if err != nil {
		t.Fatalf("Match gave %q, which does not parse: %v", expr, err)
	}
	for _, other := range []string{v, v + "x", "", "sales", "anything"} {
		got, err := e.Eval(oktaexpr.User{Profile: map[string]any{attr: other, "login": "someone"}})
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if got != (other == v) {
			t.Errorf("%s matched %s = %q: %v, want %v", expr, attr, other, got, other == v)
		}
	}
}
