package oktatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decoding %s: %v", a.body, err)
	}
}

// oktaErr decodes an Okta error body and checks it has every field.
func (a answer) oktaErr(t *testing.T) oktaError {
	t.Helper()
	var raw map[string]any
	a.json(t, &raw)
	for _, f := range []string{"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"} {
		if _, ok := raw[f]; !ok {
			t.Errorf("error body %s lacks %s", a.body, f)
		}
	}
	var e oktaError
	a.json(t, &e)
	if e.ErrorLink != e.ErrorCode {
		t.Errorf("errorLink %q != errorCode %q", e.ErrorLink, e.ErrorCode)
	}
	return e
}

func call(t *testing.T, srv *Server, method, path string, body any, auth string) answer {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	target := path
	if !strings.HasPrefix(path, "http") {
		target = srv.URL + path
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Accept", "application/json")
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: raw}
}

func ssws(srv *Server) string { return "SSWS " + srv.Token() }

func start(t *testing.T, opts ...Option) *Server {
	t.Helper()
	srv := NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

func mustAdd(t *testing.T, srv *Server, g Group) Group {
	t.Helper()
	out, err := srv.AddGroup(g)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGroupWireFormat(t *testing.T) {
	srv := start(t)
	a := call(t, srv, "POST", "/api/v1/groups", map[string]any{"profile": map[string]any{"name": "content:a", "description": "d"}}, ssws(srv))
	if a.status != 200 {
		t.Fatalf("POST = %d %s, want 200", a.status, a.body)
	}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	for _, h := range []string{"Date", "X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"} {
		if a.header.Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
	var g map[string]any
	a.json(t, &g)
	id, _ := g["id"].(string)
	if len(id) != 20 || !strings.HasPrefix(id, "00g") {
		t.Errorf("id = %q", id)
	}
	for _, f := range []string{"created", "lastUpdated", "lastMembershipUpdated", "objectClass", "type", "profile", "_links"} {
		if _, ok := g[f]; !ok {
			t.Errorf("group lacks %s: %s", f, a.body)
		}
	}
	if _, ok := g["_embedded"]; ok {
		t.Errorf("_embedded without expand: %s", a.body)
	}
	if created, _ := g["created"].(string); created == "" {
		t.Errorf("created missing")
	} else if _, err := time.Parse(timeLayout, created); err != nil {
		t.Errorf("created: %v", err)
	}

	a = call(t, srv, "GET", "/api/v1/groups/"+id+"?expand=stats", nil, ssws(srv))
	var withStats struct {
		Embedded struct {
			Stats map[string]any `json:"stats"`
		} `json:"_embedded"`
	}
	a.json(t, &withStats)
	if v, ok := withStats.Embedded.Stats["hasAdminPrivlege"]; !ok || v != false {
		t.Errorf("stats = %v, want hasAdminPrivlege false", withStats.Embedded.Stats)
	}

	// PUT replaces the whole profile: description left out is cleared.
	a = call(t, srv, "PUT", "/api/v1/groups/"+id, map[string]any{"profile": map[string]any{"name": "content:b"}}, ssws(srv))
	if a.status != 200 {
		t.Fatalf("PUT = %d %s", a.status, a.body)
	}
	stored, _ := srv.Group(id)
	if stored.Name != "content:b" || stored.Description != "" {
		t.Errorf("after PUT: %+v", stored)
	}

	a = call(t, srv, "DELETE", "/api/v1/groups/"+id, nil, ssws(srv))
	if a.status != 204 || len(a.body) != 0 {
		t.Errorf("DELETE = %d %q, want 204 and no body", a.status, a.body)
	}
	a = call(t, srv, "GET", "/api/v1/groups/"+id, nil, ssws(srv))
	if a.status != 404 {
		t.Fatalf("GET deleted = %d", a.status)
	}
	e := a.oktaErr(t)
	if e.ErrorCode != "E0000007" || !strings.Contains(e.ErrorSummary, id) {
		t.Errorf("404 body = %+v", e)
	}
}

func TestEveryoneCannotBeChanged(t *testing.T) {
	srv := start(t)
	id := srv.EveryoneID()
	everyone, _ := srv.Group(id)
	if everyone.Type != TypeBuiltIn || everyone.Name != "Everyone" {
		t.Fatalf("Everyone = %+v", everyone)
	}
	if a := call(t, srv, "PUT", "/api/v1/groups/"+id, map[string]any{"profile": map[string]any{"name": "x"}}, ssws(srv)); a.status != 403 || a.oktaErr(t).ErrorCode != "E0000006" {
		t.Errorf("PUT Everyone = %d %s", a.status, a.body)
	}
	if a := call(t, srv, "DELETE", "/api/v1/groups/"+id, nil, ssws(srv)); a.status != 403 {
		t.Errorf("DELETE Everyone = %d %s", a.status, a.body)
	}
	if a := call(t, srv, "POST", "/api/v1/groups", map[string]any{"profile": map[string]any{"name": "everyone"}}, ssws(srv)); a.status != 400 {
		t.Errorf("creating a second everyone = %d", a.status)
	}
	if _, ok := srv.Group(id); !ok {
		t.Error("Everyone is gone")
	}
}

func TestBadInputLeavesOrgUnchanged(t *testing.T) {
	srv := start(t)
	existing := mustAdd(t, srv, Group{Name: "content:taken"})
	app := mustAdd(t, srv, Group{Name: "content:app", Type: TypeAppGroup})
	other := mustAdd(t, srv, Group{Name: "content:other"})
	srv.AddToken("reader", ScopeGroupsRead)
	profile := func(p map[string]any) map[string]any { return map[string]any{"profile": p} }

	cases := []struct {
		name, method, path string
		body               any
		auth               string
		status             int
		code               string
	}{
		{"malformed JSON", "POST", "/api/v1/groups", `{"profile":`, ssws(srv), 400, "E0000003"},
		{"not an object", "POST", "/api/v1/groups", `[]`, ssws(srv), 400, "E0000003"},
		{"unknown field", "POST", "/api/v1/groups", map[string]any{"profile": map[string]any{"name": "x"}, "color": "red"}, ssws(srv), 400, "E0000003"},
		{"no profile", "POST", "/api/v1/groups", map[string]any{}, ssws(srv), 400, "E0000001"},
		{"empty name", "POST", "/api/v1/groups", profile(map[string]any{"name": ""}), ssws(srv), 400, "E0000001"},
		{"name not a string", "POST", "/api/v1/groups", profile(map[string]any{"name": 7}), ssws(srv), 400, "E0000001"},
		{"name too long", "POST", "/api/v1/groups", profile(map[string]any{"name": strings.Repeat("n", 256)}), ssws(srv), 400, "E0000001"},
		{"description too long", "POST", "/api/v1/groups", profile(map[string]any{"name": "x", "description": strings.Repeat("d", 1025)}), ssws(srv), 400, "E0000001"},
		{"unknown attribute", "POST", "/api/v1/groups", profile(map[string]any{"name": "x", "notValid": "v"}), ssws(srv), 400, "E0000001"},
		{"duplicate name", "POST", "/api/v1/groups", profile(map[string]any{"name": "CONTENT:TAKEN"}), ssws(srv), 400, "E0000001"},
		{"rename onto taken", "PUT", "/api/v1/groups/" + other.ID, profile(map[string]any{"name": "Content:Taken"}), ssws(srv), 400, "E0000001"},
		{"replace an APP_GROUP", "PUT", "/api/v1/groups/" + app.ID, profile(map[string]any{"name": "y"}), ssws(srv), 403, "E0000006"},
		{"no auth", "POST", "/api/v1/groups", profile(map[string]any{"name": "x"}), "", 401, "E0000011"},
		{"bad token", "POST", "/api/v1/groups", profile(map[string]any{"name": "x"}), "SSWS nope", 401, "E0000011"},
		{"wrong scheme", "POST", "/api/v1/groups", profile(map[string]any{"name": "x"}), "Bearer " + srv.Token(), 401, "E0000011"},
		{"read-only token", "POST", "/api/v1/groups", profile(map[string]any{"name": "x"}), "SSWS reader", 403, "E0000006"},
		{"unknown ID put", "PUT", "/api/v1/groups/00gmissing0000000000", profile(map[string]any{"name": "x"}), ssws(srv), 404, "E0000007"},
		{"unknown ID delete", "DELETE", "/api/v1/groups/00gmissing0000000000", nil, ssws(srv), 404, "E0000007"},
		{"bad search", "GET", "/api/v1/groups?search=" + url.QueryEscape(`profile.name eq`), nil, ssws(srv), 400, "E0000031"},
		{"unknown search attribute", "GET", "/api/v1/groups?search=" + url.QueryEscape(`profile.colour eq "x"`), nil, ssws(srv), 400, "E0000031"},
		{"co on id", "GET", "/api/v1/groups?search=" + url.QueryEscape(`id co "x"`), nil, ssws(srv), 400, "E0000031"},
		{"filter on name", "GET", "/api/v1/groups?filter=" + url.QueryEscape(`profile.name eq "x"`), nil, ssws(srv), 400, "E0000031"},
		{"bad date", "GET", "/api/v1/groups?filter=" + url.QueryEscape(`lastUpdated gt "yesterday"`), nil, ssws(srv), 400, "E0000031"},
		{"bad limit", "GET", "/api/v1/groups?limit=-1", nil, ssws(srv), 400, "E0000001"},
		{"bad cursor", "GET", "/api/v1/groups?after=notacursor", nil, ssws(srv), 400, "E0000001"},
	}
	before := srv.Groups()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := call(t, srv, tc.method, tc.path, tc.body, tc.auth)
			if a.status != tc.status {
				t.Fatalf("status = %d %s, want %d", a.status, a.body, tc.status)
			}
			if e := a.oktaErr(t); e.ErrorCode != tc.code {
				t.Errorf("errorCode = %s (%s), want %s", e.ErrorCode, e.ErrorSummary, tc.code)
			}
		})
	}
	_ = existing
	if after := srv.Groups(); !reflect.DeepEqual(before, after) {
		t.Errorf("org changed:\nbefore %+v\nafter  %+v", before, after)
	}
}

func TestDuplicateNameError(t *testing.T) {
	srv := start(t)
	mustAdd(t, srv, Group{Name: "content:x"})
	a := call(t, srv, "POST", "/api/v1/groups", map[string]any{"profile": map[string]any{"name": "content:x"}}, ssws(srv))
	e := a.oktaErr(t)
	if e.ErrorSummary != "Api validation failed: name" || len(e.ErrorCauses) != 1 || !strings.HasPrefix(e.ErrorCauses[0].ErrorSummary, "name: ") {
		t.Errorf("duplicate name body = %s", a.body)
	}
	// APP_GROUPs do not hold names.
	mustAdd(t, srv, Group{Name: "content:imported", Type: TypeAppGroup})
	if a := call(t, srv, "POST", "/api/v1/groups", map[string]any{"profile": map[string]any{"name": "content:imported"}}, ssws(srv)); a.status != 200 {
		t.Errorf("name of an APP_GROUP = %d %s, want 200", a.status, a.body)
	}
}

func names(t *testing.T, a answer) []string {
	t.Helper()
	if a.status != 200 {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	var gs []struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
	}
	a.json(t, &gs)
	out := []string{}
	for _, g := range gs {
		out = append(out, g.Profile.Name)
	}
	return out
}

func TestSearchExpressions(t *testing.T) {
	srv := start(t)
	if err := srv.AddGroupAttribute("tier", AttributeDef{Type: "integer"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddGroupAttribute("region", AttributeDef{Type: "string"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddGroupAttribute("tags", AttributeDef{Type: "array"}); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)
	mustAdd(t, srv, Group{Name: "West Coast Users", Description: "Sales west", Attributes: map[string]any{"tier": 2, "region": "us-west"}, Created: old, LastUpdated: old})
	mustAdd(t, srv, Group{Name: "West Coast Admins", Attributes: map[string]any{"tier": 5, "tags": []any{"ops", "Admin"}}})
	mustAdd(t, srv, Group{Name: "East Coast Users", Description: "Sales east", Attributes: map[string]any{"region": "us-east"}})
	app := mustAdd(t, srv, Group{Name: "AD West", Type: TypeAppGroup, SourceID: "0oaAD00000000000000a", Created: old})

	cases := map[string][]string{
		`profile.name eq "west coast users"`:                          {"West Coast Users"},
		`profile.name sw "West"`:                                      {"West Coast Admins", "West Coast Users"},
		`profile.name SW "west" and type eq "OKTA_GROUP"`:             {"West Coast Admins", "West Coast Users"},
		`profile.name co "coast"`:                                     {"East Coast Users", "West Coast Admins", "West Coast Users"},
		`profile.description co "sales" or profile.name eq "AD West"`: {"AD West", "East Coast Users", "West Coast Users"},
		`type eq "app_group"`:                                         {"AD West"},
		`type eq "BUILT_IN"`:                                          {"Everyone"},
		`source.id eq "0oaAD00000000000000a"`:                         {"AD West"},
		`id eq "` + app.ID + `"`:                                      {"AD West"},
		`created lt "2015-01-01T00:00:00.000Z"`:                       {"AD West", "West Coast Users"},
		`type eq "OKTA_GROUP" and (created lt "2015-01-01T00:00:00.000Z" or profile.name eq "East Coast Users")`: {"East Coast Users", "West Coast Users"},
		`profile.tier gt 3`:                                                 {"West Coast Admins"},
		`profile.tier ge 2 and profile.tier le 2`:                           {"West Coast Users"},
		`profile.region pr`:                                                 {"East Coast Users", "West Coast Users"},
		`profile.region eq "US-EAST"`:                                       {"East Coast Users"},
		`profile.tags eq "admin"`:                                           {"West Coast Admins"},
		`profile.tags sw "op" and type eq "OKTA_GROUP"`:                     {"West Coast Admins"},
		`profile.tags ne "ops"`:                                             {"AD West", "East Coast Users", "Everyone", "West Coast Users"},
		`lastUpdated gt "2015-01-01T00:00:00.000Z" and profile.name sw "w"`: {"West Coast Admins"},
	}
	for expr, want := range cases {
		got := names(t, call(t, srv, "GET", "/api/v1/groups?search="+url.QueryEscape(expr), nil, ssws(srv)))
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("search %s = %v, want %v", expr, got, want)
		}
	}

	filters := map[string][]string{
		`type eq "APP_GROUP"`: {"AD West"},
		`type eq "OKTA_GROUP" and lastUpdated lt "2015-01-01T00:00:00.000Z"`: {"West Coast Users"},
	}
	for expr, want := range filters {
		got := names(t, call(t, srv, "GET", "/api/v1/groups?filter="+url.QueryEscape(expr), nil, ssws(srv)))
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("filter %s = %v, want %v", expr, got, want)
		}
	}
}

func TestSearchSortBy(t *testing.T) {
	srv := start(t)
	for _, n := range []string{"b", "c", "a", "d", "e"} {
		mustAdd(t, srv, Group{Name: "content:" + n})
	}
	path := "/api/v1/groups?limit=2&sortBy=profile.name&sortOrder=desc&search=" + url.QueryEscape(`profile.name sw "content:"`)
	got := followPages(t, srv, path)
	want := []string{"content:e", "content:d", "content:c", "content:b", "content:a"}
	if !slices.Equal(got, want) {
		t.Errorf("sorted pages = %v, want %v", got, want)
	}
}

// followPages walks the rel="next" links and returns every name in order.
func followPages(t *testing.T, srv *Server, path string) []string {
	t.Helper()
	var all []string
	for pages := 0; path != ""; pages++ {
		if pages > 100 {
			t.Fatal("too many pages")
		}
		a := call(t, srv, "GET", path, nil, ssws(srv))
		all = append(all, names(t, a)...)
		path = ""
		links := a.header.Values("Link")
		if len(links) == 0 || !strings.Contains(links[0], `rel="self"`) {
			t.Fatalf("Link headers = %q, want self first", links)
		}
		for _, l := range links {
			if strings.Contains(l, `rel="next"`) {
				path = strings.TrimPrefix(strings.SplitN(l, ">", 2)[0], "<")
			}
		}
	}
	return all
}

func TestPagingWithLinkHeaders(t *testing.T) {
	srv := start(t)
	var want []string
	for i := range 7 {
		g := mustAdd(t, srv, Group{Name: fmt.Sprintf("content:%d", i)})
		want = append(want, g.Name)
	}
	want = append(want, "Everyone")
	got := followPages(t, srv, "/api/v1/groups?limit=3")
	if len(got) != 8 {
		t.Fatalf("paged %d groups, want 8: %v", len(got), got)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("paged = %v, want %v", got, want)
	}

	// The search parameter carries into next links.
	got = followPages(t, srv, "/api/v1/groups?limit=2&search="+url.QueryEscape(`profile.name sw "content:"`))
	if len(got) != 7 {
		t.Errorf("searched pages = %v, want the 7 content groups", got)
	}
}

func TestQueryIsStartsWithExactFirstAndUnpaged(t *testing.T) {
	srv := start(t)
	for i := range 305 {
		mustAdd(t, srv, Group{Name: fmt.Sprintf("team-%03d", i)})
	}
	mustAdd(t, srv, Group{Name: "team"})
	mustAdd(t, srv, Group{Name: "other"})
	a := call(t, srv, "GET", "/api/v1/groups?q=TEAM", nil, ssws(srv))
	got := names(t, a)
	if len(got) != 300 || got[0] != "team" {
		t.Errorf("q=TEAM gave %d groups starting %v, want 300 with the exact match first", len(got), got[:2])
	}
	for _, l := range a.header.Values("Link") {
		if strings.Contains(l, `rel="next"`) {
			t.Errorf("q answer has a next link: %s", l)
		}
	}
	if got := names(t, call(t, srv, "GET", "/api/v1/groups?q=team&limit=5", nil, ssws(srv))); len(got) != 5 {
		t.Errorf("q with limit 5 gave %d", len(got))
	}
}

func TestSearchLag(t *testing.T) {
	srv := start(t, WithLimits(Limits{SearchLag: time.Second}))
	a := call(t, srv, "POST", "/api/v1/groups", map[string]any{"profile": map[string]any{"name": "content:new"}}, ssws(srv))
	if a.status != 200 {
		t.Fatal(a.status)
	}
	search := "/api/v1/groups?search=" + url.QueryEscape(`profile.name eq "content:new"`)
	if got := names(t, call(t, srv, "GET", search, nil, ssws(srv))); len(got) != 0 {
		t.Errorf("search right after create = %v, want nothing yet", got)
	}
	if got := names(t, call(t, srv, "GET", "/api/v1/groups?q=content", nil, ssws(srv))); len(got) != 0 {
		t.Errorf("q right after create = %v, want nothing yet", got)
	}
	if got := names(t, call(t, srv, "GET", "/api/v1/groups?filter="+url.QueryEscape(`type eq "OKTA_GROUP"`), nil, ssws(srv))); len(got) != 1 {
		t.Errorf("filter right after create = %v, want the group", got)
	}
	time.Sleep(1100 * time.Millisecond)
	if got := names(t, call(t, srv, "GET", search, nil, ssws(srv))); len(got) != 1 {
		t.Errorf("search after the lag = %v, want the group", got)
	}
}

func TestSchemaExtension(t *testing.T) {
	srv := start(t)
	create := func() answer {
		return call(t, srv, "POST", "/api/v1/groups", map[string]any{"profile": map[string]any{"name": "content:a", "sanityDocId": "doc-1"}}, ssws(srv))
	}
	if a := create(); a.status != 400 {
		t.Fatalf("custom attribute before the schema has it: %d", a.status)
	}
	update := map[string]any{"definitions": map[string]any{"custom": map[string]any{"properties": map[string]any{
		"sanityDocId": map[string]any{"title": "Sanity document", "type": "string", "maxLength": 100},
	}}}}
	a := call(t, srv, "POST", "/api/v1/meta/schemas/group/default", update, ssws(srv))
	if a.status != 200 {
		t.Fatalf("schema update = %d %s", a.status, a.body)
	}
	var schema struct {
		Definitions struct {
			Custom struct {
				Properties map[string]map[string]any `json:"properties"`
			} `json:"custom"`
		} `json:"definitions"`
	}
	call(t, srv, "GET", "/api/v1/meta/schemas/group/default", nil, ssws(srv)).json(t, &schema)
	if schema.Definitions.Custom.Properties["sanityDocId"]["type"] != "string" {
		t.Errorf("schema = %+v", schema)
	}
	a = create()
	if a.status != 200 {
		t.Fatalf("create with attribute = %d %s", a.status, a.body)
	}
	var g struct {
		ID      string         `json:"id"`
		Profile map[string]any `json:"profile"`
	}
	a.json(t, &g)
	if g.Profile["sanityDocId"] != "doc-1" {
		t.Errorf("profile = %v", g.Profile)
	}
	// Wrong type.
	if a := call(t, srv, "PUT", "/api/v1/groups/"+g.ID, map[string]any{"profile": map[string]any{"name": "content:a", "sanityDocId": true}}, ssws(srv)); a.status != 400 {
		t.Errorf("boolean for a string attribute = %d", a.status)
	}
	// Removing the property removes it from groups.
	remove := map[string]any{"definitions": map[string]any{"custom": map[string]any{"properties": map[string]any{"sanityDocId": nil}}}}
	if a := call(t, srv, "POST", "/api/v1/meta/schemas/group/default", remove, ssws(srv)); a.status != 200 {
		t.Fatalf("schema removal = %d", a.status)
	}
	if stored, _ := srv.Group(g.ID); len(stored.Attributes) != 0 {
		t.Errorf("attributes after removal = %v", stored.Attributes)
	}
}

func TestRateLimitHeadersAnd429(t *testing.T) {
	srv := start(t, WithLimits(Limits{Rate: 3, Window: 2 * time.Second}))
	id := srv.EveryoneID()
	var last answer
	for i := range 3 {
		last = call(t, srv, "GET", "/api/v1/groups/"+id, nil, ssws(srv))
		if last.status != 200 {
			t.Fatalf("request %d = %d", i, last.status)
		}
		if got := last.header.Get("X-Rate-Limit-Remaining"); got != strconv.Itoa(2-i) {
			t.Errorf("request %d remaining = %s, want %d", i, got, 2-i)
		}
	}
	a := call(t, srv, "GET", "/api/v1/groups/"+id, nil, ssws(srv))
	if a.status != 429 || a.oktaErr(t).ErrorCode != "E0000047" {
		t.Fatalf("4th request = %d %s, want 429 E0000047", a.status, a.body)
	}
	if a.header.Get("X-Rate-Limit-Limit") != "3" || a.header.Get("X-Rate-Limit-Remaining") != "0" {
		t.Errorf("429 headers = %v", a.header)
	}
	reset, _ := strconv.ParseInt(a.header.Get("X-Rate-Limit-Reset"), 10, 64)
	date, err := http.ParseTime(a.header.Get("Date"))
	if err != nil || reset < date.Unix() || reset > date.Unix()+3 {
		t.Errorf("Reset %d vs Date %v (%v): want within the 2s window", reset, date, err)
	}
	// Another bucket is not affected.
	if a := call(t, srv, "GET", "/api/v1/groups", nil, ssws(srv)); a.status != 200 {
		t.Errorf("list bucket = %d", a.status)
	}
	stats := srv.Buckets()
	if stats[BucketGroupByID].RateLimited != 1 || stats[BucketGroupByID].Requests != 4 || stats[BucketGroups].Requests != 1 {
		t.Errorf("buckets = %+v", stats)
	}
	time.Sleep(time.Until(time.Unix(reset, 0)))
	if a := call(t, srv, "GET", "/api/v1/groups/"+id, nil, ssws(srv)); a.status != 200 {
		t.Errorf("after the reset = %d", a.status)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	srv := start(t, WithLimits(Limits{Concurrency: 1}))
	if err := srv.AddFault(Fault{Method: "GET", Path: "/api/v1/groups", Delay: time.Second}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var slow answer
	wg.Add(1)
	go func() {
		defer wg.Done()
		slow = call(t, srv, "GET", "/api/v1/groups", nil, ssws(srv))
	}()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		srv.mu.Lock()
		busy := srv.inflight
		srv.mu.Unlock()
		if busy == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the slow request never arrived")
		}
	}
	fast := call(t, srv, "GET", "/api/v1/groups/"+srv.EveryoneID(), nil, ssws(srv))
	wg.Wait()
	if slow.status != 200 || fast.status != 429 {
		t.Fatalf("statuses = %d, %d; want 200 and 429", slow.status, fast.status)
	}
	if fast.header.Get("X-Rate-Limit-Limit") != "1" {
		t.Errorf("concurrency 429 limit header = %q", fast.header.Get("X-Rate-Limit-Limit"))
	}
	if got := srv.Buckets()[BucketGroupByID].ConcurrencyLimited; got != 1 {
		t.Errorf("ConcurrencyLimited = %d", got)
	}
}

func TestFaults(t *testing.T) {
	srv := start(t)
	if err := srv.AddFault(Fault{Method: "POST", Path: "/api/v1/groups", Status: 500, Times: 2}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		a := call(t, srv, "POST", "/api/v1/groups", map[string]any{"profile": map[string]any{"name": "content:x"}}, ssws(srv))
		if a.status != 500 || a.oktaErr(t).ErrorCode != "E0000009" {
			t.Fatalf("attempt %d = %d %s", i, a.status, a.body)
		}
	}
	if len(srv.GroupsByName("content:x")) != 0 {
		t.Fatal("a failed create took effect")
	}

	// A lost response: the group is created, the client sees a dropped
	// connection.
	if err := srv.AddFault(Fault{Method: "POST", Path: "/api/v1/groups", Drop: true, Apply: true}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/groups", strings.NewReader(`{"profile":{"name":"content:lost"}}`))
	req.Header.Set("Authorization", ssws(srv))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("dropped request got an answer")
	}
	if len(srv.GroupsByName("content:lost")) != 1 {
		t.Error("applied fault did not create the group")
	}
	log := srv.Requests()
	if last := log[len(log)-1]; last.Status != 0 || last.Fault == "" {
		t.Errorf("log entry = %+v", last)
	}
	if got := srv.Buckets()[BucketGroups].Requests; got != 3 {
		t.Errorf("groups bucket counted %d requests, want 3 (two failed, one applied)", got)
	}

	if err := srv.AddFault(Fault{Path: "/api/v1/groups/*", Status: 503, Times: -1}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if a := call(t, srv, "GET", "/api/v1/groups/"+srv.EveryoneID(), nil, ssws(srv)); a.status != 503 {
			t.Fatalf("persistent fault = %d", a.status)
		}
	}
	srv.ClearFaults()
	if a := call(t, srv, "GET", "/api/v1/groups/"+srv.EveryoneID(), nil, ssws(srv)); a.status != 200 {
		t.Errorf("after ClearFaults = %d", a.status)
	}
}

func TestGroupRulesWire(t *testing.T) {
	srv := start(t)
	g := mustAdd(t, srv, Group{Name: "content:sales"})
	admin := mustAdd(t, srv, Group{Name: "content:admins", AdminPrivilege: true})
	rule := func(name, target string) map[string]any {
		return map[string]any{
			"type": "group_rule", "name": name,
			"conditions": map[string]any{"expression": map[string]any{"type": "urn:okta:expression:1.0", "value": `user.department == "Sales"`}, "people": map[string]any{"users": map[string]any{}}},
			"actions":    map[string]any{"assignUserToGroups": map[string]any{"groupIds": []string{target}}},
		}
	}
	a := call(t, srv, "POST", "/api/v1/groups/rules", rule("r1", g.ID), ssws(srv))
	var r struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	a.json(t, &r)
	if a.status != 200 || r.Status != RuleInactive {
		t.Fatalf("create = %d %s", a.status, a.body)
	}
	for _, tc := range []struct {
		name string
		body any
	}{
		{"admin target", rule("r2", admin.ID)},
		{"missing target", rule("r3", "00gmissing0000000000")},
		{"long name", rule(strings.Repeat("r", 51), g.ID)},
		{"duplicate name", rule("R1", g.ID)},
		{"bad expression", func() any {
			b := rule("r4", g.ID)
			b["conditions"] = map[string]any{"expression": map[string]any{"type": "urn:okta:expression:1.0", "value": `user.x == "`}}
			return b
		}()},
	} {
		if a := call(t, srv, "POST", "/api/v1/groups/rules", tc.body, ssws(srv)); a.status != 400 {
			t.Errorf("%s = %d %s, want 400", tc.name, a.status, a.body)
		}
	}
	if a := call(t, srv, "POST", "/api/v1/groups/rules/"+r.ID+"/lifecycle/activate", nil, ssws(srv)); a.status != 204 {
		t.Fatalf("activate = %d", a.status)
	}
	if a := call(t, srv, "DELETE", "/api/v1/groups/rules/"+r.ID, nil, ssws(srv)); a.status != 400 {
		t.Errorf("delete ACTIVE = %d", a.status)
	}
	call(t, srv, "POST", "/api/v1/groups/rules/"+r.ID+"/lifecycle/deactivate", nil, ssws(srv))
	if a := call(t, srv, "DELETE", "/api/v1/groups/rules/"+r.ID+"?removeUsers=false", nil, ssws(srv)); a.status != 202 {
		t.Errorf("delete = %d %s, want 202", a.status, a.body)
	}
	if len(srv.GroupRules()) != 0 {
		t.Error("rule still there")
	}
}

func TestAdminAPI(t *testing.T) {
	srv := start(t)
	admin := func(method, path string, body any) answer { return call(t, srv, method, "/__admin/"+path, body, "") }

	var tok map[string]string
	admin("GET", "token", nil).json(t, &tok)
	if tok["token"] != srv.Token() {
		t.Errorf("admin token = %v", tok)
	}
	a := admin("POST", "groups", map[string]any{"name": "content:seeded", "type": "APP_GROUP", "adminPrivilege": true})
	var g Group
	a.json(t, &g)
	if a.status != 200 || g.Type != TypeAppGroup || !g.AdminPrivilege {
		t.Fatalf("seed = %d %s", a.status, a.body)
	}
	if a := admin("PATCH", "groups/"+g.ID, map[string]any{"name": "content:renamed"}); a.status != 200 {
		t.Fatalf("patch = %d %s", a.status, a.body)
	}
	if stored, _ := srv.Group(g.ID); stored.Name != "content:renamed" || !stored.AdminPrivilege {
		t.Errorf("after patch = %+v", stored)
	}
	if a := admin("POST", "faults", map[string]any{"method": "GET", "path": "/api/v1/groups/*", "status": 500, "times": 1}); a.status != 204 {
		t.Fatalf("fault = %d %s", a.status, a.body)
	}
	if a := call(t, srv, "GET", "/api/v1/groups/"+g.ID, nil, ssws(srv)); a.status != 500 {
		t.Errorf("faulted GET = %d", a.status)
	}
	if a := admin("PUT", "config", map[string]any{"rateLimit": 1, "window": "1m", "searchLag": "0s"}); a.status != 204 {
		t.Fatalf("config = %d %s", a.status, a.body)
	}
	call(t, srv, "GET", "/api/v1/groups/"+g.ID, nil, ssws(srv))
	if a := call(t, srv, "GET", "/api/v1/groups/"+g.ID, nil, ssws(srv)); a.status != 429 {
		t.Errorf("after rate limit 1 = %d", a.status)
	}
	var buckets map[string]BucketStats
	admin("GET", "buckets", nil).json(t, &buckets)
	if buckets[BucketGroupByID].RateLimited != 1 {
		t.Errorf("buckets = %+v", buckets)
	}
	var log struct{ Requests []Request }
	admin("GET", "requests", nil).json(t, &log)
	if len(log.Requests) != 3 {
		t.Errorf("log has %d entries, want 3 (admin calls excluded)", len(log.Requests))
	}
	if a := admin("DELETE", "groups/"+g.ID, nil); a.status != 204 {
		t.Errorf("delete = %d", a.status)
	}
	if a := admin("GET", "groups/"+g.ID, nil); a.status != 404 {
		t.Errorf("get deleted = %d", a.status)
	}
	if a := admin("POST", "groups", map[string]any{"name": "x", "bogus": 1}); a.status != 400 {
		t.Errorf("unknown admin field = %d", a.status)
	}
	if a := admin("PUT", "config", map[string]any{"profile": "developer"}); a.status != 204 {
		t.Fatalf("developer profile = %d %s", a.status, a.body)
	}
	var cfg adminConfig
	admin("GET", "config", nil).json(t, &cfg)
	if *cfg.RateLimit != DeveloperOrgRateLimit || *cfg.ConcurrencyLimit != DeveloperOrgConcurrency || *cfg.Window != "1m0s" {
		t.Errorf("config after developer profile = %+v", cfg)
	}
}

func TestRequestLogHasNoCredentials(t *testing.T) {
	srv := start(t)
	call(t, srv, "GET", "/api/v1/groups", nil, ssws(srv))
	raw, _ := json.Marshal(srv.Requests())
	if strings.Contains(string(raw), srv.Token()) {
		t.Errorf("request log contains the token: %s", raw)
	}
}

func TestConcurrentCreatesKeepNamesUnique(t *testing.T) {
	srv := start(t)
	var wg sync.WaitGroup
	statuses := make([]int, 20)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", srv.URL+"/api/v1/groups", strings.NewReader(`{"profile":{"name":"content:same"}}`))
			req.Header.Set("Authorization", ssws(srv))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	counts := map[int]int{}
	for _, s := range statuses {
		counts[s]++
	}
	if counts[200] != 1 || counts[400] != len(statuses)-1 {
		t.Errorf("statuses = %v, want one 200 and the rest 400", counts)
	}
	if n := len(srv.GroupsByName("content:same")); n != 1 {
		t.Errorf("%d groups named content:same", n)
	}
}
