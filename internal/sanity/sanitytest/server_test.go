package sanitytest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
)

func newClient(t *testing.T, srv *sanitytest.Server, token, version string) *sanity.Client {
	t.Helper()
	c, err := sanity.New(sanity.Config{
		ProjectID: srv.ProjectID(), Dataset: srv.Dataset(), Token: token, APIVersion: version, APIHost: srv.URL,
		Retry: sanity.RetryPolicy{MaxRetries: 3, BaseDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond, MaxElapsed: 5 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newServer(t *testing.T, opts ...sanitytest.Option) *sanitytest.Server {
	t.Helper()
	srv := sanitytest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

func seed(t *testing.T, srv *sanitytest.Server, docs ...any) {
	t.Helper()
	if err := srv.Seed(docs...); err != nil {
		t.Fatal(err)
	}
}

func doc(id, typ string, fields ...any) map[string]any {
	d := map[string]any{"_id": id, "_type": typ}
	for i := 0; i+1 < len(fields); i += 2 {
		d[fields[i].(string)] = fields[i+1]
	}
	return d
}

func queryIDs(t *testing.T, c *sanity.Client, perspective, query string, params map[string]any) []string {
	t.Helper()
	res, err := c.Query(context.Background(), query, params, &sanity.QueryOptions{Perspective: perspective})
	if err != nil {
		t.Fatalf("query %s (%s): %v", query, perspective, err)
	}
	var ids []string
	if err := res.Decode(&ids); err != nil {
		t.Fatalf("query %s: %v (result %s)", query, err, res.Result)
	}
	return ids
}

func TestQueryWithParamsAndPerspectives(t *testing.T) {
	srv := newServer(t)
	seed(t, srv,
		doc("a", "page", "title", "A"),
		doc("drafts.a", "page", "title", "A draft"),
		doc("b", "page", "title", "B"),
		doc("versions.r1.a", "page", "title", "A in r1"),
		doc("c", "post", "title", "C"),
	)
	c := newClient(t, srv, srv.ReadToken(), "2025-02-19")

	got := queryIDs(t, c, "raw", `*[_type == $t] | order(_id asc)._id`, map[string]any{"t": "page"})
	want := []string{"a", "b", "drafts.a", "versions.r1.a"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("raw: got %v, want %v", got, want)
	}
	if got := queryIDs(t, c, "published", `*[_type == $t]._id`, map[string]any{"t": "page"}); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("published: got %v", got)
	}
	res, err := c.Query(context.Background(), `*[_id == "a"][0]{title, _originalId}`, nil, &sanity.QueryOptions{Perspective: "drafts"})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Result) != `{"_originalId":"drafts.a","title":"A draft"}` {
		t.Errorf("drafts perspective: got %s", res.Result)
	}
	res, err = c.Query(context.Background(), `*[_id == "a"][0].title`, nil, &sanity.QueryOptions{Perspective: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Result) != `"A in r1"` {
		t.Errorf("release perspective: got %s", res.Result)
	}
	if res.Query != `*[_id == "a"][0].title` || len(res.SyncTags) != 1 {
		t.Errorf("envelope: query %q syncTags %v", res.Query, res.SyncTags)
	}
}

func TestVersionDefaultsAndReleaseVisibility(t *testing.T) {
	srv := newServer(t)
	seed(t, srv, doc("a", "page"), doc("drafts.a", "page"), doc("versions.r1.a", "page"))
	get := func(version string) []string {
		u := srv.URL + "/" + version + "/data/query/" + srv.Dataset() + "?query=" + url.QueryEscape(`*._id`)
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Authorization", "Bearer "+srv.ReadToken())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ Result []string }
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: status %d, %v", version, resp.StatusCode, err)
		}
		return body.Result
	}
	cases := map[string][]string{
		"v1":          {"a", "drafts.a"},
		"v2021-10-21": {"a", "drafts.a"},
		"v2025-02-18": {"a", "drafts.a"},
		"v2025-02-19": {"a"},
		"vX":          {"a"},
	}
	for version, want := range cases {
		if got := get(version); !reflect.DeepEqual(got, want) {
			t.Errorf("%s default perspective: got %v, want %v", version, got, want)
		}
	}
	old := newClient(t, srv, srv.ReadToken(), "2024-01-01")
	if got := queryIDs(t, old, "raw", `*._id`, nil); !reflect.DeepEqual(got, []string{"a", "drafts.a"}) {
		t.Errorf("raw before 2025-02-19 must hide versions: got %v", got)
	}
	_, err := old.Query(context.Background(), `*`, nil, &sanity.QueryOptions{Perspective: "r1"})
	if err == nil {
		t.Error("release perspective before 2025-02-19: want an error")
	}
}

func TestAnonymousCallersSeePublishedOnly(t *testing.T) {
	srv := newServer(t)
	seed(t, srv, doc("a", "page"), doc("drafts.a", "page"))
	c := newClient(t, srv, "", "2021-10-21")
	if got := queryIDs(t, c, "raw", `*._id`, nil); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("anonymous raw: got %v", got)
	}
	docs, err := c.Documents(context.Background(), []string{"a", "drafts.a"})
	if err != nil {
		t.Fatal(err)
	}
	if docs[0] == nil || docs[1] != nil {
		t.Errorf("anonymous doc endpoint: got %v", docs)
	}
}

func TestQueryErrors(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv, srv.ReadToken(), "")
	_, err := c.Query(context.Background(), `*[_type == "event]`, nil, nil)
	var apiErr *sanity.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 || apiErr.Type != "queryParseError" || !apiErr.HasPosition {
		t.Fatalf("parse error: got %#v", err)
	}
	if apiErr.Query != `*[_type == "event]` || apiErr.Start < 0 || apiErr.End <= apiErr.Start {
		t.Errorf("parse error position: %+v", apiErr)
	}
	_, err = c.Query(context.Background(), `*[_type == $type]`, nil, nil)
	if !sanity.IsQueryError(err) || !strings.Contains(err.Error(), "Param $type referenced, but not provided") {
		t.Errorf("missing param: got %v", err)
	}
	bad := newClient(t, srv, "sk-not-a-token", "")
	_, err = bad.Query(context.Background(), `*`, nil, nil)
	if !sanity.IsUnauthorized(err) || !errors.As(err, &apiErr) || apiErr.Description != "Session not found" {
		t.Errorf("unknown token: got %v", err)
	}
	if strings.Contains(err.Error(), "sk-not-a-token") {
		t.Errorf("error leaks the token: %v", err)
	}
}

func TestLongQueriesGoOutAsPOST(t *testing.T) {
	srv := newServer(t)
	seed(t, srv, doc("a", "page"))
	c := newClient(t, srv, srv.ReadToken(), "")
	long := strings.Repeat("x", 12000)
	got := queryIDs(t, c, "published", `*[_type == "page" && $long != ""]._id`, map[string]any{"long": long})
	if !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("got %v", got)
	}
	if n := srv.CountRequests("POST", "/v*/data/query/*"); n != 1 {
		t.Errorf("POST queries: %d, want 1", n)
	}
}

func TestMutationsThroughClient(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv, srv.WriteToken(), "")
	ctx := context.Background()

	res, err := c.Mutate(ctx, []sanity.Mutation{
		sanity.Create(doc("p1", "page", "title", "One", "tags", []any{map[string]any{"_key": "k1", "v": 1}}, "n", 1)),
		sanity.CreateIfNotExists(doc("p2", "page")),
	}, &sanity.MutateOptions{ReturnIDs: true, ReturnDocuments: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 2 || res.Results[0].Operation != "create" || res.Results[0].ID != "p1" || res.Results[0].Document["_rev"] != res.TransactionID {
		t.Fatalf("create results: %+v", res)
	}
	created := srv.Document("p1")
	if created["_createdAt"] == nil || created["_updatedAt"] == nil {
		t.Errorf("system fields missing: %v", created)
	}

	p := sanity.PatchID("p1")
	p.IfRevisionID = res.TransactionID
	p.Set = map[string]any{"title": "One!", "meta.owner": "ops"}
	p.SetIfMissing = map[string]any{"title": "ignored", "slug": map[string]any{"current": "one"}}
	p.Unset = []string{`tags[_key=="k1"].v`}
	p.Inc = map[string]float64{"n": 2}
	p.Insert = &sanity.Insert{After: "tags[-1]", Items: []any{map[string]any{"_key": "k2"}}}
	res2, err := c.Mutate(ctx, []sanity.Mutation{p.Mutation()}, &sanity.MutateOptions{ReturnDocuments: true})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Document("p1")
	if got["title"] != "One!" || got["meta"].(map[string]any)["owner"] != "ops" || got["n"] != 3.0 ||
		got["slug"].(map[string]any)["current"] != "one" || got["_rev"] != res2.TransactionID {
		t.Errorf("patched document: %v", got)
	}
	if tags := got["tags"].([]any); len(tags) != 2 || !reflect.DeepEqual(tags[0], map[string]any{"_key": "k1"}) {
		t.Errorf("patched tags: %v", got["tags"])
	}

	// A stale revision is a conflict and changes nothing.
	stale := sanity.PatchID("p1")
	stale.IfRevisionID = res.TransactionID
	stale.Set = map[string]any{"title": "lost"}
	_, err = c.Mutate(ctx, []sanity.Mutation{stale.Mutation()}, nil)
	var apiErr *sanity.APIError
	if !sanity.IsRevisionConflict(err) || !errors.As(err, &apiErr) || apiErr.StatusCode != 409 || apiErr.Items[0].ID != "p1" {
		t.Fatalf("stale revision: got %v", err)
	}
	if srv.Document("p1")["title"] != "One!" {
		t.Error("a failed patch changed the document")
	}

	// Create on a taken ID, patch on a missing document.
	_, err = c.Mutate(ctx, []sanity.Mutation{sanity.Create(doc("p1", "page"))}, nil)
	if !sanity.IsAlreadyExists(err) {
		t.Errorf("create on existing ID: got %v", err)
	}
	missing := sanity.PatchID("nope")
	missing.Set = map[string]any{"x": 1}
	_, err = c.Mutate(ctx, []sanity.Mutation{missing.Mutation()}, nil)
	if !sanity.IsNotFound(err) {
		t.Errorf("patch on missing document: got %v", err)
	}

	// Delete by ID and by query.
	if _, err := c.Mutate(ctx, []sanity.Mutation{sanity.Delete("p2"), sanity.DeleteByQuery(`*[_id == $id]`, map[string]any{"id": "p1"})}, nil); err != nil {
		t.Fatal(err)
	}
	if len(srv.Documents()) != 0 {
		t.Errorf("documents left after delete: %v", srv.Documents())
	}
}

func TestFailedTransactionLeavesDatasetUnchanged(t *testing.T) {
	srv := newServer(t)
	seed(t, srv, doc("a", "page", "title", "A"), doc("b", "page", "title", "B"))
	before := srv.Documents()
	c := newClient(t, srv, srv.WriteToken(), "")
	patchA := sanity.PatchID("a")
	patchA.Set = map[string]any{"title": "changed"}
	_, err := c.Mutate(context.Background(), []sanity.Mutation{
		sanity.Create(doc("c", "page")),
		patchA.Mutation(),
		sanity.Delete("b"),
		sanity.Create(doc("a", "page")), // fails: a exists
	}, nil)
	var apiErr *sanity.APIError
	if !errors.As(err, &apiErr) || apiErr.Type != "mutationError" || len(apiErr.Items) != 1 || apiErr.Items[0].Index != 3 {
		t.Fatalf("got %v", err)
	}
	if after := srv.Documents(); !reflect.DeepEqual(before, after) {
		t.Errorf("dataset changed by a failed transaction:\nbefore %v\nafter  %v", before, after)
	}
}

func TestTransactionIDsAreSingleUseAndRetriesAreSafe(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv, srv.WriteToken(), "")
	ctx := context.Background()
	opts := &sanity.MutateOptions{TransactionID: "tx-one"}
	if _, err := c.Mutate(ctx, []sanity.Mutation{sanity.Create(doc("a", "page"))}, opts); err != nil {
		t.Fatal(err)
	}
	_, err := c.Mutate(ctx, []sanity.Mutation{sanity.Create(doc("b", "page"))}, opts)
	if !sanity.IsTransactionIDReused(err) {
		t.Fatalf("reused transaction ID: got %v", err)
	}
	if srv.Document("b") != nil {
		t.Error("a transaction with a reused ID was applied")
	}

	// The answer to the first attempt is lost after the commit: the retry must report success.
	if err := srv.AddFault(sanitytest.Fault{Method: "POST", Path: "/v*/data/mutate/*", Drop: true, Apply: true}); err != nil {
		t.Fatal(err)
	}
	res, err := c.Mutate(ctx, []sanity.Mutation{sanity.Create(doc("c", "page"))}, &sanity.MutateOptions{TransactionID: "tx-two"})
	if err != nil {
		t.Fatalf("retry after a dropped connection: %v", err)
	}
	if !res.Replayed || srv.Document("c") == nil || srv.CountRequests("POST", "/v*/data/mutate/*") != 4 {
		t.Errorf("document c %v, mutate requests %d", srv.Document("c"), srv.CountRequests("POST", "/v*/data/mutate/*"))
	}

	// Without a transaction ID the client never resends a mutation.
	if err := srv.AddFault(sanitytest.Fault{Method: "POST", Path: "/v*/data/mutate/*", Status: 503}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Mutate(ctx, []sanity.Mutation{sanity.Create(doc("d", "page"))}, nil)
	if !sanity.IsTemporary(err) || srv.Document("d") != nil {
		t.Errorf("unguarded mutation after 503: err %v, doc %v", err, srv.Document("d"))
	}
}

func TestReadTokenCannotMutate(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv, srv.ReadToken(), "")
	_, err := c.Mutate(context.Background(), []sanity.Mutation{sanity.Create(doc("a", "page")), sanity.Delete("b")}, nil)
	var apiErr *sanity.APIError
	if !sanity.IsForbidden(err) || !errors.As(err, &apiErr) || len(apiErr.Items) != 2 || apiErr.Items[0].Permission != "create" {
		t.Fatalf("got %v", err)
	}
}

func TestQueriesAreRetriedOnRateLimitsAndGatewayErrors(t *testing.T) {
	srv := newServer(t)
	seed(t, srv, doc("a", "page"))
	c := newClient(t, srv, srv.ReadToken(), "")
	if err := srv.AddFault(sanitytest.Fault{Path: "/v*/data/query/*", Status: 429, RetryAfter: time.Millisecond, Times: 1}); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddFault(sanitytest.Fault{Path: "/v*/data/query/*", Status: 502, Body: "<html>Bad Gateway</html>"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddFault(sanitytest.Fault{Path: "/v*/data/query/*", Drop: true}); err != nil {
		t.Fatal(err)
	}
	if got := queryIDs(t, c, "published", `*._id`, nil); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("got %v", got)
	}
	if n := srv.CountRequests("GET", "/v*/data/query/*"); n != 4 {
		t.Errorf("query attempts: %d, want 4", n)
	}
	if err := srv.AddFault(sanitytest.Fault{Path: "/v*/data/query/*", Status: 503, Times: 10}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Query(context.Background(), `*`, nil, nil)
	if !sanity.IsTemporary(err) {
		t.Errorf("after the retry budget: got %v", err)
	}
}

func TestRateLimits(t *testing.T) {
	srv := newServer(t, sanitytest.WithLimits(sanitytest.Limits{MutationsPerSecond: 2, RequestsPerSecond: -1}))
	body := `{"mutations":[{"createOrReplace":{"_id":"a","_type":"page"}}]}`
	var statuses []int
	var retryAfter string
	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest("POST", srv.URL+"/v2025-02-19/data/mutate/"+srv.Dataset(), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+srv.WriteToken())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
		retryAfter = resp.Header.Get("Retry-After")
	}
	// Three requests may straddle a second boundary; the third is refused unless they did.
	if statuses[0] != 200 || (statuses[2] != 429 && statuses[1] != 200) {
		t.Errorf("statuses %v", statuses)
	}
	if statuses[2] == 429 && retryAfter != "1" {
		t.Errorf("Retry-After %q", retryAfter)
	}
}

func TestOversizedMutationBody(t *testing.T) {
	srv := newServer(t, sanitytest.WithLimits(sanitytest.Limits{MaxMutationBody: 1024, MaxRequestBody: 1 << 20}))
	c := newClient(t, srv, srv.WriteToken(), "")
	_, err := c.Mutate(context.Background(), []sanity.Mutation{sanity.Create(doc("a", "page", "blob", strings.Repeat("x", 2000)))}, nil)
	var apiErr *sanity.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("got %v", err)
	}
}

func TestBadRequestBodies(t *testing.T) {
	srv := newServer(t)
	post := func(body string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", srv.URL+"/v2025-02-19/data/mutate/"+srv.Dataset(), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+srv.WriteToken())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	status, out := post(`{"mutations":[}`)
	if status != 400 || out["error"].(map[string]any)["type"] != "httpInvalidRequestBody" {
		t.Errorf("bad JSON: %d %v", status, out)
	}
	status, out = post(`{"mutations":[{"upsert":{"_id":"a"}}]}`)
	if status != 400 || out["error"].(map[string]any)["type"] != "mutationError" {
		t.Errorf("unknown mutation type: %d %v", status, out)
	}
	status, out = post(`{"mutations":[{"create":{"_id":"-bad id","_type":"x"}}]}`)
	if status != 400 {
		t.Errorf("invalid ID: %d %v", status, out)
	}
}

func TestPublishAndUnpublishAsEditor(t *testing.T) {
	srv := newServer(t)
	seed(t, srv, doc("a", "page", "title", "old", "oktaGroupId", "00g1"), doc("drafts.a", "page", "title", "new"))
	if err := srv.Publish("a"); err != nil {
		t.Fatal(err)
	}
	pub := srv.Document("a")
	if pub["title"] != "new" || pub["oktaGroupId"] != nil || srv.Document("drafts.a") != nil {
		t.Errorf("after publish: published %v, draft %v", pub, srv.Document("drafts.a"))
	}
	if err := srv.Publish("a"); err == nil {
		t.Error("publishing without a draft: want an error")
	}
	if err := srv.Unpublish("a"); err != nil {
		t.Fatal(err)
	}
	if srv.Document("a") != nil || srv.Document("drafts.a")["title"] != "new" {
		t.Errorf("after unpublish: %v", srv.Documents())
	}
}

func TestSeedNDJSONAndAdminAPI(t *testing.T) {
	srv := newServer(t)
	ndjson := `{"_id":"a","_type":"page","title":"A"}

{"_id":"drafts.a","_type":"page","title":"A*"}
`
	resp, err := http.Post(srv.URL+"/__admin/documents", "application/x-ndjson", strings.NewReader(ndjson))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("seed over HTTP: %v %v", err, resp)
	}
	resp.Body.Close()
	if len(srv.Documents()) != 2 {
		t.Fatalf("documents: %v", srv.Documents())
	}
	resp, err = http.Post(srv.URL+"/__admin/publish/a", "", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("publish over HTTP: %v %v", err, resp)
	}
	resp.Body.Close()
	if srv.Document("a")["title"] != "A*" {
		t.Errorf("after admin publish: %v", srv.Document("a"))
	}
	resp, err = http.Post(srv.URL+"/__admin/faults", "application/json", strings.NewReader(`{"path":"/v*/data/doc/**","status":503,"times":1}`))
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("fault over HTTP: %v %v", err, resp)
	}
	resp.Body.Close()
	c := newClient(t, srv, srv.ReadToken(), "")
	d, err := c.Document(context.Background(), "a")
	if err != nil || d["title"] != "A*" {
		t.Errorf("doc after a 503: %v %v", d, err)
	}
	if srv.CountRequests("GET", "/v*/data/doc/**") != 2 {
		t.Errorf("doc requests: %d", srv.CountRequests("GET", "/v*/data/doc/**"))
	}
	if err := srv.SeedNDJSON(strings.NewReader("{\"_id\":\"x\"}\n")); err == nil {
		t.Error("seed without _type: want an error")
	}
}

func TestExportRoundTripsThroughSeedNDJSON(t *testing.T) {
	srv := newServer(t)
	seed(t, srv, doc("a", "page", "title", "A"), doc("drafts.a", "page"), doc("versions.r1.a", "page"), doc("p", "person"))
	req, _ := http.NewRequest("GET", srv.URL+"/v2025-02-19/data/export/"+srv.Dataset(), nil)
	req.Header.Set("Authorization", "Bearer "+srv.ReadToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("content type %q", ct)
	}
	copySrv := newServer(t)
	if err := copySrv.SeedNDJSON(resp.Body); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(srv.Documents(), copySrv.Documents()) {
		t.Errorf("export and re-seed changed the dataset:\n%v\n%v", srv.Documents(), copySrv.Documents())
	}
}

func TestOverlongGETQueryIsRefused(t *testing.T) {
	srv := newServer(t)
	u := srv.URL + "/v2025-02-19/data/query/" + srv.Dataset() + "?query=" + url.QueryEscape(`*[_id == $x]`) + "&%24x=" + url.QueryEscape(`"`+strings.Repeat("y", 12000)+`"`)
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestURITooLong {
		t.Errorf("status %d, want 414", resp.StatusCode)
	}
}

func TestDelayFaultHoldsTheRequest(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv, srv.ReadToken(), "")
	if err := srv.AddFault(sanitytest.Fault{Method: "GET", Path: "/v*/data/doc/**", Delay: 2 * time.Second}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Documents(ctx, []string{"a"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the caller's deadline", err)
	}
	// The fault is used up: the next read answers at once.
	if _, err := c.Documents(context.Background(), []string{"a"}); err != nil {
		t.Error(err)
	}
}

func TestDocEndpointHidesVersionsBefore20250219(t *testing.T) {
	srv := newServer(t)
	seed(t, srv, doc("versions.r1.a", "page"))
	for version, want := range map[string]bool{"2024-06-01": false, "2025-02-19": true} {
		d, err := newClient(t, srv, srv.ReadToken(), version).Document(context.Background(), "versions.r1.a")
		if err != nil {
			t.Fatal(err)
		}
		if (d != nil) != want {
			t.Errorf("API %s: got %v", version, d)
		}
	}
}

func TestWithAddrListensThere(t *testing.T) {
	free := newServer(t)
	addr := strings.TrimPrefix(free.URL, "http://")
	free.Close() // release the port for the next server
	srv := newServer(t, sanitytest.WithAddr(addr))
	if srv.URL != "http://"+addr {
		t.Errorf("URL %s, want http://%s", srv.URL, addr)
	}
	defer func() {
		if recover() == nil {
			t.Error("a non-loopback address must be refused")
		}
	}()
	sanitytest.NewServer(sanitytest.WithAddr("0.0.0.0:0"))
}

func TestQueriesBeyondTheStepLimitAreRefused(t *testing.T) {
	srv := newServer(t, sanitytest.WithMaxSteps(1000))
	docs := make([]any, 0, 200)
	for i := 0; i < 200; i++ {
		docs = append(docs, doc("d"+strconv.Itoa(i), "page"))
	}
	seed(t, srv, docs...)
	c := newClient(t, srv, srv.ReadToken(), "")
	_, err := c.Query(context.Background(), `*[_type == "page"]{_id, "n": count(*[_type == ^._type])}`, nil, nil)
	var apiErr *sanity.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Fatalf("got %v, want a 400", err)
	}
	if _, err := c.Query(context.Background(), `count(*)`, nil, nil); err != nil {
		t.Errorf("a cheap query on the same server: %v", err)
	}
}
