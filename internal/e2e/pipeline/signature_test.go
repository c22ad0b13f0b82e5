package pipeline_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/e2e/pipeline"
)

// The test vector of Sanity's webhook toolkit: secret "test", this body, signed at this time.
const (
	vectorSecret = "test"
	vectorBody   = `{"_id":"resume"}`
	vectorHeader = "t=1633519811129,v1=tLa470fx7qkLLEcMOcEUFuBbRSkGujyskxrNXcoh0N0"
)

var vectorTime = time.UnixMilli(1633519811129)

func TestSignMatchesSanitysTestVector(t *testing.T) {
	if got := pipeline.Sign(vectorSecret, vectorTime, []byte(vectorBody)); got != vectorHeader {
		t.Errorf("Sign = %q, want %q", got, vectorHeader)
	}
}

func TestVerifySignature(t *testing.T) {
	const maxAge = 5 * time.Minute
	cases := []struct {
		name   string
		header string
		body   string
		secret string
		now    time.Time
		want   error
	}{
		{"the test vector", vectorHeader, vectorBody, vectorSecret, vectorTime.Add(time.Minute), nil},
		{"a space as separator", "t=1633519811129 v1=tLa470fx7qkLLEcMOcEUFuBbRSkGujyskxrNXcoh0N0", vectorBody, vectorSecret, vectorTime, nil},
		{"another secret", vectorHeader, vectorBody, "guess", vectorTime, pipeline.ErrBadSignature},
		{"an altered body", vectorHeader, `{"_id":"resume2"}`, vectorSecret, vectorTime, pipeline.ErrBadSignature},
		{"the body re-encoded", vectorHeader, `{"_id": "resume"}`, vectorSecret, vectorTime, pipeline.ErrBadSignature},
		{"an altered timestamp", "t=1633519811130,v1=tLa470fx7qkLLEcMOcEUFuBbRSkGujyskxrNXcoh0N0", vectorBody, vectorSecret, vectorTime, pipeline.ErrBadSignature},
		{"no header", "", vectorBody, vectorSecret, vectorTime, pipeline.ErrNoSignature},
		{"not the header's form", "v1=tLa470fx7qkLLEcMOcEUFuBbRSkGujyskxrNXcoh0N0", vectorBody, vectorSecret, vectorTime, pipeline.ErrBadSignature},
		{"seconds, not milliseconds", pipeline.Sign(vectorSecret, time.UnixMilli(1633519811), []byte(vectorBody)), vectorBody, vectorSecret, vectorTime, pipeline.ErrBadSignature},
		{"signed six minutes ago", vectorHeader, vectorBody, vectorSecret, vectorTime.Add(6 * time.Minute), pipeline.ErrStale},
		{"signed six minutes in the future", vectorHeader, vectorBody, vectorSecret, vectorTime.Add(-6 * time.Minute), pipeline.ErrStale},
	}
	for _, c := range cases {
		_, err := pipeline.VerifySignature(c.header, []byte(c.body), c.secret, c.now, maxAge)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
	}
}

// A stale signature is still checked first: a forged request with an old timestamp is forged, not stale.
func TestVerifySignatureForgedBeforeStale(t *testing.T) {
	_, err := pipeline.VerifySignature(vectorHeader, []byte(vectorBody), "guess", vectorTime.Add(time.Hour), time.Minute)
	if !errors.Is(err, pipeline.ErrBadSignature) {
		t.Errorf("error %v, want a bad signature", err)
	}
}
