package groq

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// conformanceFloor is the pass rate below which TestConformance fails. Raise it as the engine improves.
const conformanceFloor = 0.999

type suiteCase struct {
	Type     string          `json:"_type"`
	ID       string          `json:"_id"`
	Name     string          `json:"name"`
	Filename string          `json:"filename"`
	Query    string          `json:"query"`
	Params   map[string]any  `json:"params"`
	Result   json.RawMessage `json:"result"`
	Valid    *bool           `json:"valid"`
	Version  string          `json:"version"`
	Dataset  struct {
		Ref string `json:"_ref"`
	} `json:"dataset"`
	Documents []any `json:"documents"`
}

// suitePath finds the shared conformance suite: GROQ_CONFORMANCE_SUITE, else shared/ beside the
// repository root.
func suitePath(t testing.TB) string {
	if p := os.Getenv("GROQ_CONFORMANCE_SUITE"); p != "" {
		return p
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source to find the repository root")
	}
	dir := filepath.Dir(file)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cannot find go.mod above the test source")
		}
		dir = parent
	}
	return filepath.Join(filepath.Dir(dir), "shared", "conformance", "groq", "suite.ndjson")
}

// versionSupported reports whether a case's version range is satisfied by GROQ 1.2.0.
func versionSupported(v string) bool {
	switch strings.TrimSpace(v) {
	case "", ">= 1.0", ">= 1.1", ">= 1.2":
		return true
	}
	return false
}

// canonical rewrites score() output the way the suite compares it: each _score becomes _pos, its
// rank among the distinct scores of the result, highest first.
func canonical(v any) any {
	arr, ok := v.([]any)
	if !ok {
		return v
	}
	var scores []float64
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok {
			if sc, ok := m["_score"].(float64); ok {
				scores = append(scores, sc)
			}
		}
	}
	if len(scores) == 0 {
		return v
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(scores)))
	rank := map[float64]int{}
	for _, sc := range scores {
		if _, ok := rank[sc]; !ok {
			rank[sc] = len(rank) + 1
		}
	}
	out := make([]any, len(arr))
	for i, e := range arr {
		if m, ok := e.(map[string]any); ok {
			if sc, ok := m["_score"].(float64); ok {
				c := make(map[string]any, len(m))
				for k, x := range m {
					c[k] = x
				}
				delete(c, "_score")
				c["_pos"] = float64(rank[sc])
				e = c
			}
		}
		out[i] = e
	}
	return out
}

func roundTripJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}

type caseOutcome struct {
	pass   bool
	detail string
}

func runCase(c *suiteCase, docs []any) (out caseOutcome) {
	defer func() {
		if r := recover(); r != nil {
			out = caseOutcome{false, fmt.Sprintf("panic: %v", r)}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	valid := c.Valid == nil || *c.Valid
	q, err := Parse(c.Query)
	if err == nil {
		var res any
		res, err = q.Evaluate(ctx, &Env{Documents: docs, Params: c.Params, Now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)})
		if err == nil {
			if !valid {
				return caseOutcome{false, "expected an error, got a result"}
			}
			got, jerr := roundTripJSON(res)
			if jerr != nil {
				return caseOutcome{false, "result does not marshal: " + jerr.Error()}
			}
			var want any
			if err := json.Unmarshal(c.Result, &want); err != nil {
				return caseOutcome{false, "bad expected result"}
			}
			got, want = canonical(got), canonical(want)
			if reflect.DeepEqual(got, want) {
				return caseOutcome{true, ""}
			}
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(want)
			return caseOutcome{false, fmt.Sprintf("got %.300s want %.300s", gb, wb)}
		}
	}
	if !valid {
		return caseOutcome{true, ""}
	}
	return caseOutcome{false, "error: " + err.Error()}
}

// TestConformance judges the engine against the official GROQ test suite the way the suite's README
// describes: cases for versions GROQ 1.2.0 satisfies, invalid queries must fail, valid ones must
// produce the expected JSON (scores compared by rank). It prints `groq conformance: N/M passed`;
// with -v also the pass rate and failures per file, and with GROQ_CONFORMANCE_DETAIL=1 each failure.
// GROQ_CONFORMANCE_SUITE names another suite file of the same format.
func TestConformance(t *testing.T) {
	path := suitePath(t)
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("conformance suite not available (%v); set GROQ_CONFORMANCE_SUITE", err)
	}
	defer f.Close()
	datasets := map[string][]any{}
	var cases []*suiteCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	for sc.Scan() {
		var c suiteCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("reading %s: %v", path, err)
		}
		switch c.Type {
		case "dataset":
			if c.Documents == nil {
				c.Documents = []any{}
			}
			datasets[c.ID] = c.Documents
		case "test":
			if versionSupported(c.Version) {
				cases = append(cases, &c)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	passed := 0
	failedByFile := map[string]int{}
	for _, c := range cases {
		out := runCase(c, datasets[c.Dataset.Ref])
		if out.pass {
			passed++
			continue
		}
		failedByFile[c.Filename]++
		if os.Getenv("GROQ_CONFORMANCE_DETAIL") != "" {
			t.Logf("FAIL %s / %s: %q: %s", c.Filename, c.Name, c.Query, out.detail)
		}
	}
	rate := float64(passed) / float64(len(cases))
	fmt.Printf("groq conformance: %d/%d passed\n", passed, len(cases))
	if testing.Verbose() {
		fmt.Printf("  pass rate %.2f%%, floor %.2f%%\n", 100*rate, 100*conformanceFloor)
		files := make([]string, 0, len(failedByFile))
		for f := range failedByFile {
			files = append(files, f)
		}
		sort.Strings(files)
		for _, f := range files {
			fmt.Printf("  %4d failed  %s\n", failedByFile[f], f)
		}
	}
	if rate < conformanceFloor {
		t.Errorf("conformance %.2f%% is below the floor of %.2f%%", 100*rate, 100*conformanceFloor)
	}
}
