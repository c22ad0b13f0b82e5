package groq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustDocs(t testing.TB, src string) []any {
	t.Helper()
	var docs []any
	if err := json.Unmarshal([]byte(src), &docs); err != nil {
		t.Fatalf("bad test dataset: %v", err)
	}
	return docs
}

func eval(t *testing.T, query string, env *Env) any {
	t.Helper()
	q, err := Parse(query)
	if err != nil {
		t.Fatalf("Parse(%q): %v", query, err)
	}
	v, err := q.Evaluate(context.Background(), env)
	if err != nil {
		t.Fatalf("Evaluate(%q): %v", query, err)
	}
	return v
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("result does not marshal: %v", err)
	}
	return string(b)
}

const accessDocs = `[
  {"_id": "drafts.acl-b", "_type": "accessDocument", "title": "B draft", "slug": {"_type": "slug", "current": "b"}},
  {"_id": "acl-b", "_type": "accessDocument", "title": "B", "slug": {"_type": "slug", "current": "b"},
   "owners": [{"_type": "reference", "_ref": "person-1"}], "allowedUsers": ["x@example.com"]},
  {"_id": "acl-a", "_type": "accessDocument", "title": "A", "slug": {"_type": "slug", "current": "a"},
   "owners": [{"_type": "reference", "_ref": "person-2"}, {"_type": "reference", "_ref": "person-1"}]},
  {"_id": "acl-c", "_type": "accessDocument", "title": "C without slug"},
  {"_id": "person-1", "_type": "person", "email": "one@example.com"},
  {"_id": "person-2", "_type": "person", "email": "two@example.com"}
]`

func TestEvaluateProviderQuery(t *testing.T) {
	env := &Env{Documents: mustDocs(t, accessDocs), Params: map[string]any{"type": "accessDocument"}}
	got := eval(t, `*[_type == $type && defined(slug.current) && !(_id in path("drafts.**"))]
		{_id, title, "slug": slug.current, "owners": owners[]->email} | order(_id asc) [0...100]`, env)
	want := `[{"_id":"acl-a","owners":["two@example.com","one@example.com"],"slug":"a","title":"A"},` +
		`{"_id":"acl-b","owners":["one@example.com"],"slug":"b","title":"B"}]`
	if s := asJSON(t, got); s != want {
		t.Errorf("got  %s\nwant %s", s, want)
	}
}

func TestEvaluateOperatorsAndFunctions(t *testing.T) {
	env := &Env{Documents: mustDocs(t, accessDocs), ProjectID: "p1", Dataset: "production",
		Now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	cases := map[string]string{
		`1 + 2 * 3 ** 2`:                        `19`,
		`-2 ** 2`:                               `-4`,
		`[1, 2, 3][-1]`:                         `3`,
		`[1, 2, 3, 4][1..2]`:                    `[2,3]`,
		`[1, 2, 3, 4][1...2]`:                   `[2]`,
		`"a" + "b"`:                             `"ab"`,
		`{"a": 1} + {"b": 2}`:                   `{"a":1,"b":2}`,
		`1 == "1"`:                              `false`,
		`1 < "2"`:                               `null`,
		`null && false`:                         `false`,
		`null || true`:                          `true`,
		`3 in 1..3`:                             `true`,
		`3 in 1...3`:                            `false`,
		`count(*[_type == "person"])`:           `2`,
		`*[references("person-2")]._id`:         `["acl-a"]`,
		`coalesce(missing, "x")`:                `"x"`,
		`select(false => 1, 2)`:                 `2`,
		`string(1.5) + string(true)`:            `"1.5true"`,
		`lower("ABC") + upper("def")`:           `"abcDEF"`,
		`round(2.345, 2)`:                       `2.35`,
		`dateTime("2026-01-01T00:00:00Z") + 60`: `"2026-01-01T00:01:00Z"`,
		`now()`:                                 `"2026-01-02T03:04:05Z"`,
		`array::unique([1, 1, "a", "a", [1], [1]])`:       `[1,"a",[1],[1]]`,
		`array::join(["a", 1, true], "-")`:                `"a-1-true"`,
		`string::split("a,b", ",")`:                       `["a","b"]`,
		`math::avg([1, 2, null, 3])`:                      `2`,
		`math::sum([1e308, 1e308])`:                       `null`,
		`round(1e308, 10)`:                                `1e+308`,
		`"the quick brown fox" match "qu*"`:               `true`,
		`"ding.dong" match "ding"`:                        `false`,
		`"" match (1 => 2)`:                               `false`,
		`3 in (1 + 2 .. 3)`:                               `true`,
		`string((1 => 2))`:                                `null`,
		`[string((1 .. 3))]`:                              `[null]`,
		`sanity::projectId() + "/" + sanity::dataset()`:   `"p1/production"`,
		`*[_id == "acl-a"][0]{..., "n": count(owners)}.n`: `2`,
		`*[_type == "person"] | order(email desc)._id`:    `["person-2","person-1"]`,
		`*[_id == "acl-a"][0].owners[0]->email`:           `"two@example.com"`,
		`fn ex::mail($r) = $r->email; *[_id == "acl-b"][0]{"m": ex::mail(owners[0])}`: `{"m":"one@example.com"}`,
	}
	for query, want := range cases {
		if got := asJSON(t, eval(t, query, env)); got != want {
			t.Errorf("%s\n got  %s\n want %s", query, got, want)
		}
	}
}

func TestDeltaMode(t *testing.T) {
	before := map[string]any{"_id": "acl-a", "title": "A", "oktaGroupId": nil}
	after := map[string]any{"_id": "acl-a", "title": "A", "oktaGroupId": "00g1"}
	env := &Env{Delta: &Delta{Before: before, After: after}}
	got := asJSON(t, eval(t, `{"op": delta::operation(), "only": delta::changedOnly(oktaGroupId),
		"title": delta::changedAny((title, slug)), "id": coalesce(after()._id, before()._id)}`, env))
	if want := `{"id":"acl-a","only":true,"op":"update","title":false}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	q, err := Parse(`before()`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Evaluate(context.Background(), &Env{}); err == nil {
		t.Error("before() outside delta mode: want an error")
	}
}

func TestSyntaxErrors(t *testing.T) {
	cases := []struct {
		query      string
		message    string
		start, end int
		line, col  int
	}{
		{`*[_type == `, `unexpected end-of-file, expected expression`, 11, 11, 1, 12},
		{`*[_type == "event]`, `unexpected token "\"event]", expected expression`, 11, 18, 1, 12},
		{"*[_type == \"a\"]{\n  title,\n  ]", `unexpected token "]", expected expression`, 28, 29, 3, 3},
		{`*[_type == "a"] | frobnicate(x)`, `undefined pipe function frobnicate()`, 18, 28, 1, 19},
		{`nosuch(1)`, `undefined function nosuch()`, 0, 9, 1, 1},
		{`count(1, 2)`, `wrong number of arguments`, 0, 11, 1, 1},
		{`[1, 2][1.5]`, `array index must be an integer`, 6, 11, 1, 7},
	}
	for _, c := range cases {
		_, err := Parse(c.query)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q): want *SyntaxError, got %v", c.query, err)
			continue
		}
		if !strings.Contains(se.Message, c.message) || se.Start != c.start || se.End != c.end || se.Line != c.line || se.Col != c.col {
			t.Errorf("Parse(%q): got %q at %d-%d (line %d col %d); want %q at %d-%d (line %d col %d)",
				c.query, se.Message, se.Start, se.End, se.Line, se.Col, c.message, c.start, c.end, c.line, c.col)
		}
		if se.Query != c.query {
			t.Errorf("Parse(%q): error carries query %q", c.query, se.Query)
		}
	}
}

func TestInvalidQueries(t *testing.T) {
	for _, query := range []string{
		`1 => 2`, `"a" .. "b"`, `select(1, true => 2)`, `name asc`, `boost(a == 1, 2)`,
		`score(a == 1)`, `1 == 2 == 3`, `{foo[0] + 1}`, `diff::changedAny({}, {}, 1 + 1)`,
		`fn a::b($x, $y) = $x; 1`, `$`, `*[`, `"\q"`, `3 in (1 + (2 .. 3))`, `[1] | order(@ && true asc)`,
	} {
		if _, err := Parse(query); err == nil {
			t.Errorf("Parse(%q): want an error", query)
		}
	}
}

func TestParamsAndSource(t *testing.T) {
	src := `*[_type == $type && slug.current in $slugs && $type != ""][0...$n]`
	q, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := q.Params(), []string{"n", "slugs", "type"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Params() = %v, want %v", got, want)
	}
	if q.Source() != src {
		t.Errorf("Source() = %q", q.Source())
	}
	_, err = q.Evaluate(context.Background(), &Env{Params: map[string]any{"type": "a", "n": 1}})
	var pe *ParamError
	if !errors.As(err, &pe) || pe.Name != "slugs" {
		t.Fatalf("missing $slugs: want *ParamError for slugs, got %v", err)
	}
	if want := "param $slugs referenced, but not provided"; err.Error() != want {
		t.Errorf("error text %q, want %q", err, want)
	}
	docs := mustDocs(t, accessDocs)
	got := eval(t, src, &Env{Documents: docs, Params: map[string]any{"type": "accessDocument", "slugs": []string{"a", "b"}, "n": 1}})
	if s := asJSON(t, got); !strings.Contains(s, `"acl-a"`) || strings.Contains(s, `"acl-b"`) {
		t.Errorf("parameter slice bounds: got %s", s)
	}
}

func TestParamDecidesBracketMeaning(t *testing.T) {
	env := func(v any) *Env { return &Env{Params: map[string]any{"k": v}} }
	src := `{"a": [10, 20]}.a[$k]`
	if got := asJSON(t, eval(t, `[10, 20][$k]`, env(1.0))); got != `20` {
		t.Errorf("number parameter: got %s, want element 20", got)
	}
	if got := asJSON(t, eval(t, `{"x": 1}[$k]`, env("x"))); got != `1` {
		t.Errorf("string parameter: got %s, want attribute value 1", got)
	}
	if got := asJSON(t, eval(t, src, env(0))); got != `10` {
		t.Errorf("int parameter: got %s, want 10", got)
	}
}

func TestStepCap(t *testing.T) {
	docs := make([]any, 200)
	for i := range docs {
		docs[i] = map[string]any{"_id": strings.Repeat("x", i+1), "n": float64(i)}
	}
	q, err := Parse(`*[count(*[n > ^.n]) > 0 && count(*[n < ^.n]) > 0]`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = q.Evaluate(context.Background(), &Env{Documents: docs, MaxSteps: 10_000})
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("want an error wrapping ErrLimit, got %v", err)
	}
	if _, err := q.Evaluate(context.Background(), &Env{Documents: docs}); err != nil {
		t.Fatalf("same query under the default cap: %v", err)
	}
}

func TestLongOperatorChains(t *testing.T) {
	var ids []string
	for i := 0; i < 1000; i++ {
		ids = append(ids, fmt.Sprintf(`_id == "doc-%d"`, i))
	}
	docs := mustDocs(t, `[{"_id": "doc-999"}, {"_id": "other"}]`)
	if got := asJSON(t, eval(t, "*["+strings.Join(ids, " || ")+"]._id", &Env{Documents: docs})); got != `["doc-999"]` {
		t.Errorf("1000-clause filter: got %s", got)
	}
}

func TestNestingLimit(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("(", 10_000) + "1" + strings.Repeat(")", 10_000),
		strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000),
		"1" + strings.Repeat(" + 1", 20_000),
		"a" + strings.Repeat(".b", 10_000),
		strings.Repeat("!", 10_000) + "true",
	} {
		_, err := Parse(src)
		if !errors.Is(err, ErrLimit) {
			t.Errorf("Parse(%.20q...): want an error wrapping ErrLimit, got %v", src, err)
		}
	}
	q, err := Parse(`fn r::f($x) = r::f($x); r::f(1)`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Evaluate(context.Background(), &Env{}); !errors.Is(err, ErrLimit) {
		t.Errorf("recursive custom function: want ErrLimit, got %v", err)
	}
}

func TestCancelledContext(t *testing.T) {
	docs := make([]any, 5000)
	for i := range docs {
		docs[i] = map[string]any{"_id": string(rune('a' + i%26)), "n": float64(i)}
	}
	q, err := Parse(`*[count(*[n > ^.n]) > 2]`)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := q.Evaluate(ctx, &Env{Documents: docs}); !errors.Is(err, context.Canceled) {
		t.Errorf("want context.Canceled, got %v", err)
	}
}

func TestValidationErrorPositions(t *testing.T) {
	cases := []struct {
		query      string
		start, end int
	}{
		{`*[_type == "a"]{"x": 1 => 2}`, 23, 27},
		{`*[x > 1]{"r": "a" .. "b"}`, 18, 24},
		{`*[boost(a == 1, 2)]`, 2, 18},
	}
	for _, c := range cases {
		_, err := Parse(c.query)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("Parse(%q): want *SyntaxError, got %v", c.query, err)
		}
		if se.Start != c.start || se.End != c.end {
			t.Errorf("Parse(%q): error at %d-%d (%q), want %d-%d", c.query, se.Start, se.End, c.query[se.Start:se.End], c.start, c.end)
		}
	}
}

func TestGrowthHitsStepCap(t *testing.T) {
	q, err := Parse(`fn g::dbl($s) = g::dbl($s + $s); g::dbl("ab")`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Evaluate(context.Background(), &Env{}); !errors.Is(err, ErrLimit) {
		t.Errorf("doubling string: want ErrLimit, got %v", err)
	}
}

func TestConcurrentEvaluation(t *testing.T) {
	docs := mustDocs(t, accessDocs)
	q, err := Parse(`*[_type == "accessDocument" && owners[0]._ref in *[_type == "person"]._id && $k != ""]
		{_id, "o": owners[]->email, "d": dateTime("2026-01-01T00:00:00Z")} | order(_id)`)
	if err != nil {
		t.Fatal(err)
	}
	want := ""
	done := make(chan string)
	for i := 0; i < 8; i++ {
		go func() {
			v, err := q.Evaluate(context.Background(), &Env{Documents: docs, Params: map[string]any{"k": "x"}})
			if err != nil {
				done <- err.Error()
				return
			}
			b, _ := json.Marshal(v)
			done <- string(b)
		}()
	}
	for i := 0; i < 8; i++ {
		got := <-done
		if want == "" {
			want = got
		}
		if got != want || !strings.Contains(got, `"d":"2026-01-01T00:00:00Z"`) {
			t.Errorf("concurrent evaluation %d: got %s, want %s", i, got, want)
		}
	}
}

func TestParameterMakesBracketInvalid(t *testing.T) {
	q, err := Parse("*[0]{\n  \"x\": [1, 2][$i]\n}")
	if err != nil {
		t.Fatal(err)
	}
	_, err = q.Evaluate(context.Background(), &Env{Params: map[string]any{"i": 1.5}})
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("fractional index parameter: want *SyntaxError, got %v", err)
	}
	if se.Line != 2 || se.Col != 14 || q.Source()[se.Start:se.End] != "[$i]" {
		t.Errorf("error at line %d col %d (%q), want line 2 col 14 ([$i])", se.Line, se.Col, q.Source()[se.Start:se.End])
	}
}

func TestPathPatterns(t *testing.T) {
	cases := []struct {
		id, pattern string
		want        bool
	}{
		{"a.b", "a.*", true}, {"a.b.c", "a.*", false}, {"a.b.c", "a.**", true}, {"a", "a.**", false},
		{"drafts.doc", "drafts.**", true}, {"doc", "*", true}, {"doc.x", "*", false}, {"x.y.z", "**", true},
		{"versions.r1.doc", "versions.*.doc", true}, {"ab.cd", "a*.*d", true}, {"abc", "a*c", true},
	}
	for _, c := range cases {
		got := eval(t, `$id in path($pattern)`, &Env{Params: map[string]any{"id": c.id, "pattern": c.pattern}})
		if got != c.want {
			t.Errorf("%q in path(%q) = %v, want %v", c.id, c.pattern, got, c.want)
		}
	}
}

func TestGoValuedParameters(t *testing.T) {
	type ref struct {
		Ref string `json:"_ref"`
	}
	env := &Env{Params: map[string]any{
		"ids":  []string{"a", "b"},
		"n":    int64(2),
		"refs": []ref{{"a"}},
		"nums": []int{1, 2, 3},
	}}
	got := asJSON(t, eval(t, `{"in": "b" in $ids, "n": $n * 2, "ref": $refs[0]._ref, "sum": math::sum($nums)}`, env))
	if want := `{"in":true,"n":4,"ref":"a","sum":6}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
