package groq

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"
)

var fuzzSeeds = []string{
	`*[_type == "post" && defined(slug.current)]{_id, "slug": slug.current} | order(_id)`,
	`*[_type == $type][0...10]{..., "refs": refs[]->{name}}`,
	`count(*[references("a")]) > 1 || !(1 in [1, 2]) && "x" match "x*"`,
	`*[_id in path("drafts.**")]{title, select(a > 1 => "big", "small")}`,
	`fn f::g($x) = $x{name}; *{"v": f::g(@)}`,
	`*|score(boost(title match "a", 2), b == 1) {_id, _score}`,
	`diff::changedAny({"a": 1}, {"a": 2}, (a, b[].c))`,
	`[1, 2, 3][1..-1] + [...[4], 5]`,
	`dateTime("2020-01-01T00:00:00Z") - dateTime("2019-01-01T00:00:00Z")`,
	`*[0]{"a": ^.^._id, "b": @[0]}.a`,
	`math::sum(*[].n) / count(*) ** 2 % 3`,
	`pt::text(body) + string::split("a,b", ",")[0] + array::join(["x"], "")`,
	`*[_id == "extremes"][0]{"s": big + big, "p": big * 2, "m": math::sum([big, big]), "a": math::avg([big, big, neg])}`,
	`dateTime(*[_id == "extremes"][0].at) + 1e300`,
}

// addSuiteSeeds adds the queries of the conformance suite, when it is available, as seeds.
func addSuiteSeeds(f *testing.F) {
	path := suitePath(f)
	file, err := os.Open(path)
	if err != nil {
		return
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	for sc.Scan() {
		var c struct {
			Type  string `json:"_type"`
			Query string `json:"query"`
		}
		if json.Unmarshal(sc.Bytes(), &c) == nil && c.Type == "test" {
			f.Add(c.Query)
		}
	}
}

func checkSyntaxError(t *testing.T, src string, err error) {
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Parse(%q) returned %T %v, want *SyntaxError", src, err, err)
	}
	if se.Start < 0 || se.End < se.Start || se.End > len(src) || se.Line < 1 || se.Col < 1 || se.Message == "" {
		t.Fatalf("Parse(%q): malformed error %+v", src, se)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	addSuiteSeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			checkSyntaxError(t, src, err)
			return
		}
		if q.Source() != src {
			t.Fatalf("Source() = %q, want %q", q.Source(), src)
		}
	})
}

const fuzzDataset = `[
  {"_id": "a", "_type": "post", "title": "Hello world", "n": 1, "slug": {"current": "a"},
   "refs": [{"_ref": "b"}, {"_ref": "missing"}], "body": [{"_type": "block", "children": [{"_type": "span", "text": "x"}]}]},
  {"_id": "b", "_type": "person", "name": "B", "n": 2.5, "tags": ["x", "y", null], "at": "2020-01-01T00:00:00Z"},
  {"_id": "drafts.a", "_type": "post", "title": null, "n": -3, "nested": {"deep": [[1, 2], {"k": "v"}]}},
  {"_id": "extremes", "big": 1.7976931348623157e308, "tiny": 5e-324, "neg": -1.7976931348623157e308,
   "s": "ünïcødé 😀 \u0000", "at": "2020-01-01T00:00:00.123456789+14:00"}
]`

func FuzzEvaluate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	addSuiteSeeds(f)
	var docs []any
	if err := json.Unmarshal([]byte(fuzzDataset), &docs); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			checkSyntaxError(t, src, err)
			return
		}
		params := map[string]any{}
		for _, name := range q.Params() {
			params[name] = "a"
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		env := &Env{Documents: docs, Params: params, MaxSteps: 200_000, Delta: &Delta{Before: docs[0], After: docs[1]},
			Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		res, err := q.Evaluate(ctx, env)
		if err != nil {
			return
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatalf("Evaluate(%q) returned a result that does not marshal: %v", src, err)
		}
	})
}
