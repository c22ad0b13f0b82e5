package sanity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestNewValidatesConfig(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want string // substring of the error; "" for success
	}{
		{"default host", Config{ProjectID: "abc123", Dataset: "production"}, ""},
		{"loopback http", Config{Dataset: "production", APIHost: "http://127.0.0.1:4000"}, ""},
		{"localhost http", Config{Dataset: "production", APIHost: "http://localhost:4000/"}, ""},
		{"ipv6 loopback", Config{Dataset: "production", APIHost: "http://[::1]:4000"}, ""},
		{"remote http", Config{Dataset: "production", APIHost: "http://api.example.com", Token: "sk-secret"}, "plain http"},
		{"bad dataset", Config{ProjectID: "abc", Dataset: "Prod"}, "dataset"},
		{"bad project", Config{ProjectID: "ABC", Dataset: "production"}, "project ID"},
		{"bad version", Config{ProjectID: "abc", Dataset: "production", APIVersion: "2025-2-19"}, "API version"},
		{"vX", Config{ProjectID: "abc", Dataset: "production", APIVersion: "X"}, ""},
		{"v-prefixed date", Config{ProjectID: "abc", Dataset: "production", APIVersion: "v2021-10-21"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "sk-secret") {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
	c, _ := New(Config{ProjectID: "abc123", Dataset: "production"})
	if c.base != "https://abc123.api.sanity.io" || c.APIVersion() != "v"+DefaultAPIVersion {
		t.Errorf("defaults: base %q, version %q", c.base, c.APIVersion())
	}
}

// errorCase is a response body as the Content Lake sends it and what the client must make of it.
type errorCase struct {
	name   string
	status int
	header map[string]string
	body   string
	check  func(t *testing.T, e *APIError)
}

var errorCases = []errorCase{
	{
		name: "query parse error", status: 400,
		body: `{"error":{"type":"queryParseError","description":"unexpected token \"\\\"event]\", expected expression","query":"*[_type == \"event]","start":11,"end":18}}`,
		check: func(t *testing.T, e *APIError) {
			if e.Type != "queryParseError" || !e.HasPosition || e.Start != 11 || e.End != 18 || e.Query != `*[_type == "event]` || !IsQueryError(e) {
				t.Errorf("%+v", e)
			}
		},
	},
	{
		name: "mutation error with items", status: 409,
		body: `{"error":{"type":"mutationError","description":"The mutation(s) failed: The document with the ID \"x\" was not found","items":[{"error":{"type":"documentNotFoundError","id":"x","description":"The document with the ID \"x\" was not found"},"index":1}]}}`,
		check: func(t *testing.T, e *APIError) {
			if e.Type != "mutationError" || len(e.Items) != 1 || e.Items[0].Index != 1 || e.Items[0].ID != "x" || !IsNotFound(e) || IsRevisionConflict(e) {
				t.Errorf("%+v", e)
			}
		},
	},
	{
		name: "permission error", status: 403,
		body: `{"error":{"type":"mutationError","description":"Mutation(s) failed with 1 error(s)","items":[{"error":{"type":"insufficientPermissionsError","permission":"create","description":"Insufficient permissions; permission \"create\" required"},"index":0}]}}`,
		check: func(t *testing.T, e *APIError) {
			if !IsForbidden(e) || e.Items[0].Permission != "create" {
				t.Errorf("%+v", e)
			}
			if msg := e.Error(); !strings.Contains(msg, `(it lacks the "create" permission)`) || !strings.Contains(msg, "SANITY_API_TOKEN") || !strings.Contains(msg, "Editor role") {
				t.Errorf("message %q does not say which token lacks which permission and what role to use", msg)
			}
		},
	},
	{
		name: "boom 401", status: 401,
		body: `{"statusCode":401,"error":"Unauthorized","message":"Session not found","errorCode":"SIO-401-ANF"}`,
		check: func(t *testing.T, e *APIError) {
			if !IsUnauthorized(e) || e.Type != "Unauthorized" || e.Description != "Session not found" || e.ErrorCode != "SIO-401-ANF" {
				t.Errorf("%+v", e)
			}
			if msg := e.Error(); !strings.Contains(msg, "Check the API token (sanity.token or SANITY_API_TOKEN)") || !strings.Contains(msg, "Editor role") {
				t.Errorf("message %q does not say which setting to check and what the token needs", msg)
			}
		},
	},
	{
		name: "generic description", status: 400,
		body: `{"error":{"description":"Param $my_var referenced, but not provided"}}`,
		check: func(t *testing.T, e *APIError) {
			if e.Description != "Param $my_var referenced, but not provided" || e.Type != "" {
				t.Errorf("%+v", e)
			}
		},
	},
	{
		name: "html gateway page", status: 504, header: map[string]string{"Content-Type": "text/html"},
		body: `<html><body>Gateway Time-out</body></html>`,
		check: func(t *testing.T, e *APIError) {
			if e.Description != "Gateway Timeout" || !IsTemporary(e) {
				t.Errorf("%+v", e)
			}
		},
	},
	{
		name: "trace and retry-after", status: 429,
		header: map[string]string{"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "Retry-After": "3"},
		body:   `API rate limit exceeded`,
		check: func(t *testing.T, e *APIError) {
			if e.TraceID != "0af7651916cd43dd8448eb211c80319c" || e.RetryAfter != 3*time.Second || e.Description != "API rate limit exceeded" || !IsRateLimited(e) {
				t.Errorf("%+v", e)
			}
		},
	},
}

func TestErrorBodiesAreParsed(t *testing.T) {
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			c, err := New(Config{Dataset: "production", APIHost: srv.URL, Token: "sk-secret-token", Retry: RetryPolicy{MaxRetries: -1}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Query(context.Background(), "*", nil, nil)
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("got %T %v, want *APIError", err, err)
			}
			if apiErr.StatusCode != tc.status {
				t.Errorf("status %d, want %d", apiErr.StatusCode, tc.status)
			}
			tc.check(t, apiErr)
			if strings.Contains(err.Error(), "sk-secret-token") {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

// flaky answers with the given statuses in turn, then 200 with an empty query result.
func flaky(t *testing.T, statuses []int, header http.Header) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1)) - 1
		if n < len(statuses) {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.WriteHeader(statuses[n])
			fmt.Fprintf(w, `{"error":{"description":"status %d"}}`, statuses[n])
			return
		}
		_, _ = io.WriteString(w, `{"ms":1,"query":"*","result":[],"transactionId":"t","results":[],"documents":[]}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func testClient(t *testing.T, url string, policy RetryPolicy) (*Client, *[]time.Duration) {
	t.Helper()
	c, err := New(Config{Dataset: "production", APIHost: url, Retry: policy})
	if err != nil {
		t.Fatal(err)
	}
	var slept []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}
	return c, &slept
}

func TestRetryPolicy(t *testing.T) {
	policy := RetryPolicy{MaxRetries: 3, BaseDelay: 10 * time.Millisecond, MaxDelay: 5 * time.Second, MaxElapsed: time.Minute}
	ctx := context.Background()

	t.Run("queries retry 429 502 503 and honour Retry-After", func(t *testing.T) {
		srv, calls := flaky(t, []int{429, 502, 503}, http.Header{"Retry-After": {"2"}})
		c, slept := testClient(t, srv.URL, policy)
		if _, err := c.Query(ctx, "*", nil, nil); err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 4 || len(*slept) != 3 || (*slept)[0] != 2*time.Second {
			t.Errorf("calls %d, sleeps %v", calls.Load(), *slept)
		}
	})
	t.Run("the retry count is bounded", func(t *testing.T) {
		srv, calls := flaky(t, []int{503, 503, 503, 503, 503}, nil)
		c, _ := testClient(t, srv.URL, policy)
		if _, err := c.Query(ctx, "*", nil, nil); !IsTemporary(err) {
			t.Fatalf("got %v", err)
		}
		if calls.Load() != 4 {
			t.Errorf("calls %d, want 4", calls.Load())
		}
	})
	t.Run("the retry time is bounded", func(t *testing.T) {
		srv, calls := flaky(t, []int{429, 429}, http.Header{"Retry-After": {"30"}})
		c, _ := testClient(t, srv.URL, RetryPolicy{MaxRetries: 5, BaseDelay: time.Millisecond, MaxDelay: time.Minute, MaxElapsed: 10 * time.Second})
		if _, err := c.Query(ctx, "*", nil, nil); !IsRateLimited(err) {
			t.Fatalf("got %v", err)
		}
		if calls.Load() != 1 {
			t.Errorf("calls %d, want 1: a 30 s Retry-After exceeds the 10 s budget", calls.Load())
		}
	})
	t.Run("other errors are not retried", func(t *testing.T) {
		srv, calls := flaky(t, []int{400, 500}, nil)
		c, _ := testClient(t, srv.URL, policy)
		if _, err := c.Query(ctx, "*", nil, nil); err == nil {
			t.Fatal("want an error")
		}
		if calls.Load() != 1 {
			t.Errorf("calls %d, want 1", calls.Load())
		}
	})
	t.Run("doc reads retry", func(t *testing.T) {
		srv, calls := flaky(t, []int{502}, nil)
		c, _ := testClient(t, srv.URL, policy)
		if _, err := c.Documents(ctx, []string{"a"}); err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 2 {
			t.Errorf("calls %d, want 2", calls.Load())
		}
	})
	t.Run("mutations without a transaction ID are sent once", func(t *testing.T) {
		srv, calls := flaky(t, []int{503}, nil)
		c, _ := testClient(t, srv.URL, policy)
		if _, err := c.Mutate(ctx, []Mutation{Delete("a")}, nil); !IsTemporary(err) {
			t.Fatalf("got %v", err)
		}
		if calls.Load() != 1 {
			t.Errorf("calls %d, want 1", calls.Load())
		}
	})
	t.Run("mutations with a transaction ID are retried", func(t *testing.T) {
		srv, calls := flaky(t, []int{503, 429}, nil)
		c, _ := testClient(t, srv.URL, policy)
		if _, err := c.Mutate(ctx, []Mutation{Delete("a")}, &MutateOptions{TransactionID: "tx1"}); err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 3 {
			t.Errorf("calls %d, want 3", calls.Load())
		}
	})
	t.Run("network errors are retried", func(t *testing.T) {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				conn, _, _ := w.(http.Hijacker).Hijack()
				conn.Close()
				return
			}
			_, _ = io.WriteString(w, `{"result":1}`)
		}))
		defer srv.Close()
		c, _ := testClient(t, srv.URL, policy)
		res, err := c.Query(ctx, "1", nil, nil)
		if err != nil || string(res.Result) != "1" || calls.Load() != 2 {
			t.Errorf("res %v err %v calls %d", res, err, calls.Load())
		}
	})
}

func TestRequestsCarryVersionPerspectiveAndToken(t *testing.T) {
	var got *http.Request
	var gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		_, _ = io.WriteString(w, `{"result":null,"transactionId":"t","results":[]}`)
	}))
	defer srv.Close()
	c, err := New(Config{Dataset: "ds", APIHost: srv.URL + "/prefix", Token: "sk-tok", APIVersion: "2021-10-21", UserAgent: "ua/1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Query(ctx, `*[_id == $id]`, map[string]any{"id": "a", "n": 1.5}, nil); err != nil {
		t.Fatal(err)
	}
	q := got.URL.Query()
	if got.Method != "GET" || got.URL.Path != "/prefix/v2021-10-21/data/query/ds" || q.Get("perspective") != "published" ||
		q.Get("$id") != `"a"` || q.Get("$n") != "1.5" || got.Header.Get("Authorization") != "Bearer sk-tok" || got.Header.Get("User-Agent") != "ua/1" {
		t.Errorf("query request: %s %s %v", got.Method, got.URL, got.Header)
	}

	long := strings.Repeat("a", 12000)
	if _, err := c.Query(ctx, `$x`, map[string]any{"x": long}, &QueryOptions{Perspective: "raw"}); err != nil {
		t.Fatal(err)
	}
	if got.Method != "POST" || got.URL.Query().Get("perspective") != "raw" || !strings.Contains(gotBody, `"params":{"x":"`+long) {
		t.Errorf("long query: %s %s", got.Method, got.URL)
	}

	p := PatchID("a")
	p.IfRevisionID = "r1"
	p.Set = map[string]any{"x": 1}
	if _, err := c.Mutate(ctx, []Mutation{p.Mutation(), Delete("b"), DeleteByQuery("*[_id == $id]", map[string]any{"id": "c"})}, &MutateOptions{ReturnIDs: true, TransactionID: "tx-1", DryRun: true}); err != nil {
		t.Fatal(err)
	}
	want := `{"mutations":[{"patch":{"id":"a","ifRevisionID":"r1","set":{"x":1}}},{"delete":{"id":"b"}},{"delete":{"params":{"id":"c"},"query":"*[_id == $id]"}}],"transactionId":"tx-1"}`
	if gotBody != want {
		t.Errorf("mutate body:\n got %s\nwant %s", gotBody, want)
	}
	if q := got.URL.Query(); q.Get("returnIds") != "true" || q.Get("dryRun") != "true" || q.Get("visibility") != "sync" {
		t.Errorf("mutate URL: %s", got.URL)
	}
}

func TestConflictHelpersMatchLiveWording(t *testing.T) {
	// Bodies shaped like the live API's, whose item types are not documented: the helpers fall back to the
	// status and the wording.
	revision := &APIError{StatusCode: 409, Type: "mutationError", Description: `The mutation(s) failed: Document "x" has unexpected revision ID ("a"), expected "b"`}
	exists := &APIError{StatusCode: 409, Items: []ErrorItem{{Description: `Document by ID "x" already exists`}}}
	reused := &APIError{StatusCode: 409, Description: `Transaction ID "t" already exists`}
	if !IsRevisionConflict(revision) || IsRevisionConflict(exists) || IsRevisionConflict(reused) {
		t.Error("IsRevisionConflict")
	}
	if !IsAlreadyExists(exists) || IsAlreadyExists(revision) || IsAlreadyExists(reused) {
		t.Error("IsAlreadyExists")
	}
	if !IsTransactionIDReused(reused) || IsTransactionIDReused(revision) || IsTransactionIDReused(exists) {
		t.Error("IsTransactionIDReused")
	}
	wrapped := fmt.Errorf("writing back: %w", revision)
	if !IsRevisionConflict(wrapped) {
		t.Error("wrapped errors must be recognised")
	}
}
