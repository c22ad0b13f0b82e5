// Package okta is the provider's only door to Okta: a thin wrapper over
// github.com/okta/okta-sdk-golang/v2 that builds the SDK client safely and
// turns its answers into this project's Group and GroupRule types and typed
// errors (ErrNotFound, ErrNameTaken, ErrRateLimited, ErrUnauthorized,
// ErrForbidden, ErrInvalid).
//
// The SDK is configured the way a Terraform provider needs it: its GET cache
// is off (it would hide drift for five minutes), every request goes through a
// pacer shared by all clients of the org in the process that keeps each rate
// limit bucket inside its window and caps requests in flight (pacer.go), 429
// answers the pacer could not prevent are retried using Okta's
// X-Rate-Limit-Reset and Date headers, transient failures (5xx, refused or
// reset connections, timeouts) are retried within bounds (retry.go), every
// call has a deadline, and plain http:// is accepted only for loopback hosts.
package okta

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"
)

// Scopes requested for an OAuth 2.0 service app when Config.Scopes is empty:
// enough to read, create, replace and delete groups and group rules.
var DefaultScopes = []string{"okta.groups.read", "okta.groups.manage"}

const (
	defaultMaxBackoff   = 60 * time.Second
	defaultAttemptLimit = 60 * time.Second
)

// Config says which org to talk to and how to authenticate. Exactly one of
// APIToken or (ClientID, PrivateKey) must be set.
type Config struct {
	// OrgURL is the org's base URL, for example https://dev-123.okta.com.
	// http:// is accepted only for loopback hosts (127.0.0.0/8, ::1,
	// localhost), such as the fake org in oktatest.
	OrgURL string

	// APIToken is an Okta API token, sent as "SSWS <token>".
	APIToken string

	// ClientID, PrivateKey, PrivateKeyID and Scopes configure an OAuth 2.0
	// service app that authenticates with private_key_jwt. PrivateKey is an
	// RSA key in PEM form, PKCS#1 ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE
	// KEY"); literal "\n" sequences are accepted as newlines, as they appear
	// in environment variables. PrivateKeyID is the key's kid, required when
	// the app has more than one key. Scopes defaults to DefaultScopes.
	ClientID     string
	PrivateKey   string
	PrivateKeyID string
	Scopes       []string

	// UserAgent is appended to the SDK's user agent, for example
	// "terraform-provider-sanityokta/1.2.3".
	UserAgent string

	// RequestTimeout bounds one call including all its retries and
	// waits. The SDK counts whole seconds, so it is rounded up. Zero means
	// (MaxRetries+1) × MaxBackoff + MaxRetryWait + AttemptTimeout + 60s.
	RequestTimeout time.Duration

	// MaxRetries is how often a request is retried after a 429, and after
	// a transient failure: a 500, 502, 503 or 504, a refused or reset
	// connection, or an attempt that timed out (see retry.go for which
	// requests are safe to send again). Zero means DefaultMaxRetries; a
	// negative value turns retries off.
	MaxRetries int

	// MaxRetryWait bounds the time one request spends on transient
	// failures: no retry starts later than this after its first attempt,
	// and a Retry-After longer than what is left ends the retries. Zero
	// means DefaultMaxRetryWait.
	MaxRetryWait time.Duration

	// AttemptTimeout bounds one attempt of a request; an attempt that takes
	// longer is abandoned and retried. Zero means 60s. A Timeout on
	// HTTPClient bounds all attempts of a request together.
	AttemptTimeout time.Duration

	// MaxBackoff caps a single wait before a retry (Okta asks to wait until
	// X-Rate-Limit-Reset). Zero means 60s; rounded up to whole seconds.
	MaxBackoff time.Duration

	// MaxConcurrentRequests caps the requests in flight to the org from
	// this process; zero means DefaultMaxConcurrentRequests. Keep it under
	// the org's concurrent-request limit (15 on a free developer org). The
	// first client of an org in the process fixes it: the limit is shared
	// by every client of that org.
	MaxConcurrentRequests int

	// HTTPClient, if set, carries the requests (for proxies or custom TLS).
	// Its Transport is wrapped, never modified.
	HTTPClient *http.Client
}

// Client talks to one Okta org. It is safe for concurrent use.
type Client struct {
	sdk     *sdk.Client
	orgURL  string
	retries int
	pacer   *pacer
	// scopes are the OAuth scopes requested for a service app; nil for an API token.
	scopes []string
}

// New checks cfg and builds a client. It makes no network call: bad
// credentials show up as ErrUnauthorized on the first request.
func New(ctx context.Context, cfg Config) (*Client, error) {
	orgURL, insecure, err := checkOrgURL(cfg.OrgURL)
	if err != nil {
		return nil, err
	}

	retries := cfg.MaxRetries
	switch {
	case retries == 0:
		retries = DefaultMaxRetries
	case retries < 0:
		retries = 0
	}
	maxBackoff := cfg.MaxBackoff
	if maxBackoff <= 0 {
		maxBackoff = defaultMaxBackoff
	}
	retry := newRetryPolicy(retries, cfg.MaxRetryWait, cfg.AttemptTimeout)
	timeout := cfg.RequestTimeout
	if timeout <= 0 {
		timeout = time.Duration(retries+1)*maxBackoff + retry.maxWait + retry.attemptTimeout + 60*time.Second
	}

	pace := pacerFor(orgURL, cfg.MaxConcurrentRequests, maxBackoff)
	retry.pacer = pace
	setters := []sdk.ConfigSetter{
		sdk.WithOrgUrl(orgURL),
		sdk.WithCache(false),
		sdk.WithRateLimitMaxRetries(int32(retries)),
		sdk.WithRateLimitMaxBackOff(ceilSeconds(maxBackoff)),
		sdk.WithRequestTimeout(ceilSeconds(timeout)),
		sdk.WithUserAgentExtra(cfg.UserAgent),
		sdk.WithHttpClientPtr(tracingHTTPClient(cfg.HTTPClient, pace, retry)),
		// Only ever true for loopback http:// URLs, see checkOrgURL.
		sdk.WithTestingDisableHttpsCheck(insecure),
	}

	switch {
	case cfg.APIToken != "" && (cfg.ClientID != "" || cfg.PrivateKey != ""):
		return nil, errors.New("okta: configure either an API token or a service app (client ID and private key), not both")
	case cfg.APIToken != "":
		setters = append(setters,
			sdk.WithAuthorizationMode("SSWS"),
			sdk.WithToken(cfg.APIToken))
	case cfg.ClientID != "" && cfg.PrivateKey != "":
		signer, err := newKeySigner(cfg.PrivateKey, cfg.PrivateKeyID)
		if err != nil {
			return nil, err
		}
		scopes := cfg.Scopes
		if len(scopes) == 0 {
			scopes = DefaultScopes
		}
		setters = append(setters,
			sdk.WithAuthorizationMode("PrivateKey"),
			sdk.WithClientId(cfg.ClientID),
			sdk.WithScopes(append([]string(nil), scopes...)),
			sdk.WithPrivateKeyId(cfg.PrivateKeyID),
			sdk.WithPrivateKeySigner(signer),
			// Clear anything the SDK may have read from OKTA_CLIENT_TOKEN
			// or okta.yaml, so only the configured credential is used.
			sdk.WithToken(""))
	case cfg.ClientID != "":
		return nil, errors.New("okta: a client ID needs a private key (PEM) to authenticate; set the private key or use an API token")
	case cfg.PrivateKey != "":
		return nil, errors.New("okta: a private key needs the service app's client ID; set the client ID or use an API token")
	default:
		return nil, errors.New("okta: no credentials: set an API token, or a service app client ID and private key")
	}

	_, c, err := sdk.NewClient(ctx, setters...)
	if err != nil {
		return nil, fmt.Errorf("okta: configuring the Okta SDK for %s: %w", orgURL, err)
	}
	client := &Client{sdk: c, orgURL: orgURL, retries: retries, pacer: pace}
	if cfg.APIToken == "" {
		client.scopes = cfg.Scopes
		if len(client.scopes) == 0 {
			client.scopes = DefaultScopes
		}
	}
	return client, nil
}

// OrgURL is the normalized org URL the client sends requests to.
func (c *Client) OrgURL() string { return c.orgURL }

// checkOrgURL normalizes the org URL and reports whether it is a loopback
// http:// URL, the only case where the SDK's https check may be disabled.
func checkOrgURL(raw string) (string, bool, error) {
	if strings.TrimSpace(raw) == "" {
		return "", false, errors.New("okta: the org URL is empty; set it to your org, for example https://dev-123.okta.com")
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", false, fmt.Errorf("okta: the org URL %q is not a URL: %w", raw, err)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return "", false, fmt.Errorf("okta: the org URL %q must be scheme and host only, for example https://dev-123.okta.com", raw)
	}
	base := u.Scheme + "://" + u.Host
	switch u.Scheme {
	case "https":
		return base, false, nil
	case "http":
		if isLoopback(u.Hostname()) {
			return base, true, nil
		}
		return "", false, fmt.Errorf("okta: the org URL %q uses plain http; use https (http is accepted only for 127.0.0.1, ::1 and localhost)", raw)
	default:
		return "", false, fmt.Errorf("okta: the org URL %q must start with https://", raw)
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func ceilSeconds(d time.Duration) int64 {
	return int64(math.Ceil(d.Seconds()))
}
