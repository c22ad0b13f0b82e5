// Package sanity is a small client for the Sanity Content Lake HTTP API: GROQ queries, mutations and the
// doc endpoint, with one typed error (*APIError) and a retry policy that never applies a write twice.
package sanity

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/wait"
)

// DefaultAPIVersion is the dated API version used when Config.APIVersion is empty. It is pinned, never
// "today", so behaviour does not drift; from this version on the default perspective is "published" and
// release versions (versions.<release>.<id>) are visible.
const DefaultAPIVersion = "2025-02-19"

// Config says which dataset to talk to and how.
type Config struct {
	// ProjectID selects https://<ProjectID>.api.sanity.io unless APIHost is set.
	ProjectID string
	// Dataset is the dataset name, for example "production".
	Dataset string
	// Token is the API token sent as a bearer token. It is never logged or put in an error.
	Token string
	// APIVersion is "YYYY-MM-DD" (with or without a leading "v"), "1" or "X". Empty means
	// DefaultAPIVersion.
	APIVersion string
	// APIHost replaces the whole base URL, for example "http://127.0.0.1:4000" for a local fake.
	// Plain http is accepted only for loopback hosts.
	APIHost string
	// HTTPClient sends the requests; nil means a client with a 60 s timeout.
	HTTPClient *http.Client
	// UserAgent is sent with every request; empty means "sanityokta-sanity-client".
	UserAgent string
	// Retry bounds retries of safe requests; the zero value means DefaultRetryPolicy.
	Retry RetryPolicy
}

// RetryPolicy bounds how often and for how long a request is retried.
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt; negative disables retries.
	MaxRetries int
	// BaseDelay is the first back-off; each retry doubles it, plus up to BaseDelay of jitter.
	BaseDelay time.Duration
	// MaxDelay caps one back-off, including a server's Retry-After.
	MaxDelay time.Duration
	// MaxElapsed caps the time spent on one call across all attempts.
	MaxElapsed time.Duration
}

// DefaultRetryPolicy is used when Config.Retry is the zero value.
var DefaultRetryPolicy = RetryPolicy{MaxRetries: 5, BaseDelay: 200 * time.Millisecond, MaxDelay: 10 * time.Second, MaxElapsed: 60 * time.Second}

// Client talks to one dataset. It is safe for concurrent use.
type Client struct {
	base       string // scheme://host[/prefix], no trailing slash
	version    string // "v2025-02-19", "v1", "vX"
	dataset    string
	projectID  string
	token      string
	userAgent  string
	httpClient *http.Client
	retry      RetryPolicy
	sleep      func(context.Context, time.Duration) error
}

var (
	datedVersion = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	projectIDRe  = regexp.MustCompile(`^[-a-z0-9]+$`)
	datasetRe    = regexp.MustCompile(`^~?[a-z0-9][-\w]{0,63}$`)
)

// New checks cfg and returns a client. It makes no request.
func New(cfg Config) (*Client, error) {
	c := &Client{
		dataset:    cfg.Dataset,
		projectID:  cfg.ProjectID,
		token:      cfg.Token,
		userAgent:  cfg.UserAgent,
		httpClient: cfg.HTTPClient,
		retry:      cfg.Retry,
		sleep:      wait.Sleep,
	}
	if !datasetRe.MatchString(cfg.Dataset) {
		return nil, fmt.Errorf("sanity: dataset %q is not a valid dataset name: use lowercase letters, digits, '-' and '_', at most 64 characters", cfg.Dataset)
	}
	version := strings.TrimPrefix(cfg.APIVersion, "v")
	switch {
	case version == "":
		version = DefaultAPIVersion
	case version == "1", version == "X", datedVersion.MatchString(version):
	default:
		return nil, fmt.Errorf("sanity: API version %q is not valid: use a date such as %q, \"1\" or \"X\"", cfg.APIVersion, DefaultAPIVersion)
	}
	c.version = "v" + version

	if cfg.APIHost != "" {
		u, err := url.Parse(strings.TrimRight(cfg.APIHost, "/"))
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, fmt.Errorf("sanity: API host %q is not an http(s) URL", cfg.APIHost)
		}
		if u.Scheme == "http" && !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("sanity: API host %q uses plain http to a non-loopback host; use https so the token is not sent in clear text", cfg.APIHost)
		}
		if u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("sanity: API host %q must not carry a query or fragment", cfg.APIHost)
		}
		c.base = u.Scheme + "://" + u.Host + u.EscapedPath()
	} else {
		if !projectIDRe.MatchString(cfg.ProjectID) {
			return nil, fmt.Errorf("sanity: project ID %q is not valid: use lowercase letters, digits and '-'", cfg.ProjectID)
		}
		c.base = "https://" + cfg.ProjectID + ".api.sanity.io"
	}
	if c.userAgent == "" {
		c.userAgent = "sanityokta-sanity-client"
	}
	if c.httpClient == nil {
		c.httpClient = &http.Client{Timeout: 60 * time.Second}
	}
	if c.retry == (RetryPolicy{}) {
		c.retry = DefaultRetryPolicy
	}
	if c.retry.BaseDelay <= 0 {
		c.retry.BaseDelay = DefaultRetryPolicy.BaseDelay
	}
	if c.retry.MaxDelay <= 0 {
		c.retry.MaxDelay = DefaultRetryPolicy.MaxDelay
	}
	if c.retry.MaxElapsed <= 0 {
		c.retry.MaxElapsed = DefaultRetryPolicy.MaxElapsed
	}
	return c, nil
}

// Dataset returns the dataset the client talks to.
func (c *Client) Dataset() string { return c.dataset }

// APIVersion returns the version path segment in use, such as "v2025-02-19".
func (c *Client) APIVersion() string { return c.version }

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// request is one logical API call; send may try it several times.
type request struct {
	method string
	path   string // after the version, e.g. "/data/query/production"
	query  url.Values
	body   []byte
	// retryable says whether the call may be sent again after a failure it cannot see the end of.
	retryable bool
}

// send performs req with the retry policy and returns the body of a 2xx answer.
func (c *Client) send(ctx context.Context, req request) ([]byte, error) {
	deadline := timeNow().Add(c.retry.MaxElapsed)
	for attempt := 0; ; attempt++ {
		body, status, retryAfter, err := c.sendOnce(ctx, req)
		if err == nil {
			return body, nil
		}
		if !req.retryable || attempt >= c.retry.MaxRetries || ctx.Err() != nil || !shouldRetry(status, err) {
			return nil, err
		}
		delay := c.backoff(attempt, retryAfter)
		if timeNow().Add(delay).After(deadline) {
			return nil, err
		}
		logRetry(ctx, req.method, req.path, attempt, delay)
		if serr := c.sleep(ctx, delay); serr != nil {
			return nil, err
		}
	}
}

// shouldRetry: rate limits, bad gateways, unavailable services and network failures (status 0).
func shouldRetry(status int, err error) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable:
		return true
	case 0:
		return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	}
	return false
}

func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	d := c.retry.BaseDelay << attempt
	d += time.Duration(rand.Int64N(int64(c.retry.BaseDelay) + 1))
	if retryAfter > d {
		d = retryAfter
	}
	if d > c.retry.MaxDelay {
		d = c.retry.MaxDelay
	}
	return d
}

const maxResponseBody = 256 << 20

var timeNow = time.Now

// sendOnce returns the status (0 for transport failures) and Retry-After with any error.
func (c *Client) sendOnce(ctx context.Context, req request) ([]byte, int, time.Duration, error) {
	path := "/" + c.version + req.path
	u := c.base + path
	if len(req.query) > 0 {
		u += "?" + req.query.Encode()
	}
	var rd io.Reader
	if req.body != nil {
		rd = bytes.NewReader(req.body)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.method, u, rd)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("sanity: building %s %s: %w", req.method, path, err)
	}
	hreq.Header.Set("Accept", "application/json")
	hreq.Header.Set("User-Agent", c.userAgent)
	if req.body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		hreq.Header.Set("Authorization", "Bearer "+c.token)
	}
	start := time.Now()
	resp, err := c.httpClient.Do(hreq)
	logRequest(ctx, req.method, path, req.query, resp, err, start)
	if err != nil {
		// url.Error repeats the URL, which never holds the token (it travels in a header).
		return nil, 0, 0, fmt.Errorf("sanity: %s %s: %w", req.method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("sanity: reading the answer to %s %s: %w", req.method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := parseAPIError(req.method, path, resp, body)
		return nil, resp.StatusCode, apiErr.RetryAfter, apiErr
	}
	return body, resp.StatusCode, 0, nil
}

// retryAfter reads Retry-After as seconds or an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
