// Package pipeline is the end-to-end tests' stand-in for a CI system: an endpoint for Sanity's
// GROQ-powered webhooks and a concurrency group that runs `terraform apply`. It is a test double, not a
// shipped component; the pipelines users run are the examples in examples/ci.
//
//   - signature.go: checking a delivery's signature and age (Receiver uses it).
//   - receiver.go: Receiver, which also drops repeated idempotency keys.
//   - group.go: Group, one Runner at a time, every trigger during a run folded into one pending run, as a
//     GitHub Actions concurrency group without cancel-in-progress.
//   - terraform.go: TerraformApply, the Runner that runs `terraform apply`.
package pipeline

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// SignatureHeader is the header Sanity signs deliveries with when the webhook has a secret.
const SignatureHeader = "Sanity-Webhook-Signature"

// Errors returned by VerifySignature; test for them with errors.Is.
var (
	ErrNoSignature  = errors.New("the delivery has no " + SignatureHeader + " header")
	ErrBadSignature = errors.New("the signature does not match the body and the webhook secret")
	ErrStale        = errors.New("the signature's timestamp is outside the accepted window")
)

// signatureFormat is the header's shape: t=<unix milliseconds>,v1=<base64url signature>.
var signatureFormat = regexp.MustCompile(`^t=(\d+)[, ]+v1=([^, ]+)$`)

// earliestSignature is 2021-01-01: Sanity's own verifier treats anything older as malformed, which
// also catches a header that carries seconds instead of milliseconds.
var earliestSignature = time.UnixMilli(1609459200000)

// Sign returns the signature header value Sanity would send for body at time t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.UnixMilli(), 10)
	return "t=" + ts + ",v1=" + signature(secret, ts, body)
}

func signature(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// VerifySignature checks a sanity-webhook-signature header against the raw request body and returns
// the time it was signed. The signature covers the timestamp, so a delivery signed more than maxAge
// before now (or more than maxAge after it, a clock too far ahead) is refused with ErrStale: that is
// what stops a captured request from being replayed later. Only the body and the timestamp are signed,
// never the other headers.
func VerifySignature(header string, body []byte, secret string, now time.Time, maxAge time.Duration) (time.Time, error) {
	if header == "" {
		return time.Time{}, ErrNoSignature
	}
	m := signatureFormat.FindStringSubmatch(header)
	if m == nil {
		return time.Time{}, fmt.Errorf("%w: the header is not in the form t=<milliseconds>,v1=<signature>", ErrBadSignature)
	}
	ms, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || time.UnixMilli(ms).Before(earliestSignature) {
		return time.Time{}, fmt.Errorf("%w: the timestamp %q is not a time in milliseconds", ErrBadSignature, m[1])
	}
	if !hmac.Equal([]byte(signature(secret, m[1], body)), []byte(m[2])) {
		return time.Time{}, ErrBadSignature
	}
	signed := time.UnixMilli(ms)
	if age := now.Sub(signed); age > maxAge || age < -maxAge {
		return signed, fmt.Errorf("%w: signed at %s, %s from now, more than the %s allowed",
			ErrStale, signed.UTC().Format(time.RFC3339), age.Round(time.Second), maxAge)
	}
	return signed, nil
}
