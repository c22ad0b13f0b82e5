package okta

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// loggingTransport writes one debug line per request to Okta, with the context's logger (the provider
// passes its masking logger down). It logs the method, the path, the names (never the values) of the
// query parameters, the status, the duration, the rate-limit headers and Okta's request ID. It never
// logs a header it was not told to: the Authorization header, the token and the client assertion stay out.
type loggingTransport struct {
	base http.RoundTripper
}

func (lt loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := lt.base.RoundTrip(req)
	fields := map[string]any{
		"method":      req.Method,
		"path":        req.URL.Path,
		"duration_ms": time.Since(start).Milliseconds(),
	}
	if keys := queryKeys(req.URL); keys != "" {
		fields["query_keys"] = keys
	}
	if err != nil {
		fields["error"] = scrubError(err).Error()
		tflog.Debug(ownFields(req.Context()), "okta request failed", fields)
		return resp, err
	}
	fields["status"] = resp.StatusCode
	for header, field := range map[string]string{
		"X-Okta-Request-Id":      "request_id",
		"X-Rate-Limit-Limit":     "rate_limit_limit",
		"X-Rate-Limit-Remaining": "rate_limit_remaining",
		"X-Rate-Limit-Reset":     "rate_limit_reset",
		"Retry-After":            "retry_after",
	} {
		if v := resp.Header.Get(header); v != "" {
			fields[field] = v
		}
	}
	tflog.Debug(ownFields(req.Context()), "okta request", fields)
	return resp, nil
}

// queryKeys names the query parameters of u, sorted, without their values: a value can be a search
// expression, a cursor or (for the token endpoint of some clients) a credential.
func queryKeys(u *url.URL) string {
	q := u.Query()
	if len(q) == 0 {
		return ""
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// logPacerWait notes that the pacer holds a request until its bucket's window resets.
func logPacerWait(ctx context.Context, bucket string, d time.Duration) {
	tflog.Debug(ownFields(ctx), "okta pacer holding a request until the rate-limit window resets", map[string]any{
		"bucket": bucket, "wait_ms": d.Milliseconds(),
	})
}

// ownFields gives the log line a private copy of the logger's fields. The logger masks secrets in its
// fields map in place, so two goroutines logging with one context (concurrent requests of one operation)
// would otherwise write the same map at once.
func ownFields(ctx context.Context) context.Context {
	return tflog.SetField(ctx, "client", "okta")
}
