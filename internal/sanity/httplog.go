package sanity

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// logRequest writes one debug line per Content Lake request with the context's logger (the provider
// passes its masking logger down): the method, the path, the names (never the values) of the query
// parameters, the status, the duration, the rate-limit headers and the trace and request IDs Sanity
// returned. Request headers are never logged, so neither is the token.
func logRequest(ctx context.Context, method, path string, query url.Values, resp *http.Response, err error, start time.Time) {
	fields := map[string]any{
		"method":      method,
		"path":        path,
		"duration_ms": time.Since(start).Milliseconds(),
	}
	if len(query) > 0 {
		keys := make([]string, 0, len(query))
		for k := range query {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fields["query_keys"] = strings.Join(keys, ",")
	}
	if err != nil {
		// Transport errors carry the URL; its query holds the GROQ query and parameters, so drop it.
		fields["error"] = scrubURLError(err).Error()
		tflog.Debug(ownFields(ctx), "sanity request failed", fields)
		return
	}
	fields["status"] = resp.StatusCode
	if id := traceID(resp.Header.Get("traceparent")); id != "" {
		fields["trace_id"] = id
	}
	for header, field := range map[string]string{
		"X-Request-Id":                 "request_id",
		"X-Ratelimit-Limit-Second":     "rate_limit_limit_second",
		"X-Ratelimit-Remaining-Second": "rate_limit_remaining_second",
		"Ratelimit-Limit":              "rate_limit_limit",
		"Ratelimit-Remaining":          "rate_limit_remaining",
		"Ratelimit-Reset":              "rate_limit_reset",
		"Retry-After":                  "retry_after",
	} {
		if v := resp.Header.Get(header); v != "" {
			fields[field] = v
		}
	}
	tflog.Debug(ownFields(ctx), "sanity request", fields)
}

// scrubURLError removes the query from the URL of a transport error.
func scrubURLError(err error) error {
	ue, ok := err.(*url.Error)
	if !ok {
		return err
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		return &url.Error{Op: ue.Op, URL: "(url)", Err: ue.Err}
	}
	u.RawQuery = ""
	return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
}

// logRetry notes a wait before a request is sent again.
func logRetry(ctx context.Context, method, path string, attempt int, delay time.Duration) {
	tflog.Debug(ownFields(ctx), "sanity request retried after a wait", map[string]any{
		"method": method, "path": path, "attempt": attempt + 1, "wait_ms": delay.Milliseconds(),
	})
}

// ownFields gives the log line a private copy of the logger's fields. The logger masks secrets in its
// fields map in place, so two goroutines logging with one context (concurrent requests of one operation)
// would otherwise write the same map at once.
func ownFields(ctx context.Context) context.Context {
	return tflog.SetField(ctx, "client", "sanity")
}
