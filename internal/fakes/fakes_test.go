package fakes_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/fakes"
)

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"/api/v1/groups/*", "/api/v1/groups/00g1", true},
		{"/api/v1/groups/*", "/api/v1/groups/00g1/users", false}, // one segment only
		{"/api/v1/groups/*", "/api/v1/groups", false},
		{"/v*/data/mutate/*", "/v2025-02-19/data/mutate/production", true},
		{"/v*/data/doc/*", "/vX/data/doc/production/a", false},
		{"/v*/data/doc/**", "/vX/data/doc/production/a", true},
		{"/v*/data/doc/**", "/vX/data/doc", true},
		{"/v*/data/doc/**", "/vX/data/docs/production", false},
		{"/v*/data/doc/**", "/vX/data/query/production", false},
		{"/**", "/anything/at/all", true},
		{"/api/v1/groups", "/api/v1/groups", true},
		{"[", "/", false},
	} {
		if got := fakes.Match(tc.pattern, tc.path); got != tc.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}

func TestValidPattern(t *testing.T) {
	for _, bad := range []string{"[", "/a/**/b", "/a**"} {
		if fakes.ValidPattern(bad) == nil {
			t.Errorf("ValidPattern(%q) accepted it", bad)
		}
	}
	for _, good := range []string{"", "/a/*", "/a/**", "/**"} {
		if err := fakes.ValidPattern(good); err != nil {
			t.Errorf("ValidPattern(%q) = %v", good, err)
		}
	}
}

func TestTimes(t *testing.T) {
	var fs fakes.Faults
	for _, f := range []fakes.Fault{{Path: "/once", Status: 500}, {Path: "/twice", Status: 500, Times: 2}, {Path: "/always", Status: 500, Times: -1}} {
		if err := fs.Add(f); err != nil {
			t.Fatal(err)
		}
	}
	count := func(p string) int {
		n := 0
		for range 5 {
			if fs.Take("GET", p) != nil {
				n++
			}
		}
		return n
	}
	if got := [3]int{count("/once"), count("/twice"), count("/always")}; got != [3]int{1, 2, 5} {
		t.Errorf("faults met (once, twice, always) = %v, want [1 2 5]", got)
	}
	fs.Clear()
	if fs.Take("GET", "/always") != nil {
		t.Error("a fault outlived Clear")
	}
}

func TestFaultsMatchInOrderAndByMethod(t *testing.T) {
	var fs fakes.Faults
	_ = fs.Add(fakes.Fault{Method: "POST", Status: 503})
	_ = fs.Add(fakes.Fault{Status: 500})
	if f := fs.Take("get", "/x"); f == nil || f.Status != 500 {
		t.Errorf("GET met %+v, want the 500", f)
	}
	_ = fs.Add(fakes.Fault{Status: 500})
	if f := fs.Take("post", "/x"); f == nil || f.Status != 503 {
		t.Errorf("POST met %+v, want the 503 added first", f)
	}
}

func TestBadFaultsAreRefused(t *testing.T) {
	var fs fakes.Faults
	for _, f := range []fakes.Fault{{Fraction: 1.5}, {Fraction: -0.1}, {Path: "["}, {Delay: -time.Second}, {Status: 42}} {
		if fs.Add(f) == nil {
			t.Errorf("%+v was accepted", f)
		}
	}
}

func TestFaultJSONUsesDurationStrings(t *testing.T) {
	f := fakes.Fault{Method: "GET", Path: "/a/*", Status: 503, Delay: 1500 * time.Millisecond, RetryAfter: 2 * time.Second, Times: -1, Apply: true}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"delay":"1.5s"`) || !strings.Contains(string(b), `"retryAfter":"2s"`) {
		t.Errorf("JSON = %s, want durations as strings", b)
	}
	var back fakes.Fault
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Delay != f.Delay || back.RetryAfter != f.RetryAfter || back.Times != -1 || !back.Apply || back.Path != f.Path {
		t.Errorf("round trip = %+v, want %+v", back, f)
	}
	for _, bad := range []string{`{"delayMs": 100}`, `{"delay": 100}`, `{"delay": "soon"}`} {
		if json.Unmarshal([]byte(bad), &back) == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}

type entry struct{ method, path string }

func TestLogCountsByPattern(t *testing.T) {
	l := fakes.NewLog(func(e entry) (string, string) { return e.method, e.path })
	l.Add(entry{"GET", "/a/1"})
	l.Add(entry{"POST", "/a/2"})
	l.Add(entry{"GET", "/b/1/c"})
	if n := l.Count("get", "/a/*"); n != 1 {
		t.Errorf("GET /a/* = %d, want 1", n)
	}
	if n := l.Count("", "/**"); n != 3 {
		t.Errorf("everything = %d, want 3", n)
	}
	if got := l.Filter("", "/b/**"); len(got) != 1 || got[0].path != "/b/1/c" {
		t.Errorf("Filter /b/** = %v", got)
	}
	l.Reset()
	if len(l.All()) != 0 {
		t.Error("Reset kept entries")
	}
}

type counter struct {
	n     int
	added []fakes.Fault
}

func (c *counter) Inc()       { c.n++ }
func (c *counter) Value() int { return c.n }
func (c *counter) Add(f fakes.Fault) error {
	if err := f.Validate(); err != nil {
		return err
	}
	c.added = append(c.added, f)
	return nil
}

func TestAdminRoutesCallTheirMethods(t *testing.T) {
	c := &counter{}
	srv := httptest.NewServer(fakes.Admin("test", []fakes.Route{
		{Method: "POST", Path: "inc", Handler: fakes.Do(c.Inc)},
		{Method: "GET", Path: "value", Handler: fakes.Get(c.Value)},
		{Method: "POST", Path: "faults", Handler: fakes.Set(c.Add)},
	}))
	defer srv.Close()
	do := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+"/__admin/"+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	if st, _ := do("POST", "inc", ""); st != 204 {
		t.Errorf("POST inc = %d", st)
	}
	if st, body := do("GET", "value", ""); st != 200 || body != "1" {
		t.Errorf("GET value = %d %s", st, body)
	}
	if st, _ := do("POST", "faults", `{"path":"/a/*","delay":"2s"}`); st != 204 || len(c.added) != 1 || c.added[0].Delay != 2*time.Second {
		t.Errorf("POST faults = %d, added %+v", st, c.added)
	}
	if st, body := do("POST", "faults", `{"fraction":2}`); st != 400 || !strings.Contains(body, `"error"`) {
		t.Errorf("bad fault = %d %s", st, body)
	}
	if st, body := do("GET", "nowhere", ""); st != 404 || !strings.Contains(body, "no admin endpoint GET /__admin/nowhere") {
		t.Errorf("unknown route = %d %s", st, body)
	}
	if st, body := do("DELETE", "value", ""); st != 405 || !strings.Contains(body, `"error"`) {
		t.Errorf("wrong method = %d %s", st, body)
	}
}

func TestCheckRoutes(t *testing.T) {
	c := &counter{}
	good := []fakes.Route{{Method: "POST", Path: "inc", Doc: "count one (Inc)", Handler: fakes.Do(c.Inc)}}
	if err := fakes.CheckRoutes(c, good); err != nil {
		t.Errorf("good table: %v", err)
	}
	for name, routes := range map[string][]fakes.Route{
		"no method named":   {{Method: "POST", Path: "inc", Doc: "count one", Handler: fakes.Do(c.Inc)}},
		"a missing method":  {{Method: "POST", Path: "inc", Doc: "count one (Increment)", Handler: fakes.Do(c.Inc)}},
		"a route twice":     {good[0], good[0]},
		"no handler at all": {{Method: "POST", Path: "inc", Doc: "count one (Inc)"}},
	} {
		if fakes.CheckRoutes(c, routes) == nil {
			t.Errorf("a table with %s passed", name)
		}
	}
}
