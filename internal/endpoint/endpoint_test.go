package endpoint_test

import (
	"strings"
	"testing"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/endpoint"
)

func TestCheck(t *testing.T) {
	for raw, want := range map[string]string{
		"https://dev-123.okta.com":    "",
		"http://127.0.0.1:4000":       "",
		"http://127.1.2.3":            "",
		"http://[::1]:8080":           "",
		"http://localhost:9000":       "",
		"http://dev-123.okta.com":     "plain http to a host that is not loopback",
		"http://10.0.0.1":             "plain http to a host that is not loopback",
		"ftp://example.com":           `has scheme "ftp"`,
		"https://user:pw@example.com": "must not carry credentials",
		"dev-123.okta.com":            "not an absolute URL",
	} {
		err := endpoint.Check(raw)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("Check(%q) = %v, want %q", raw, err, want)
		}
	}
	if !endpoint.PlainLoopback("http://127.0.0.1:1") || endpoint.PlainLoopback("https://127.0.0.1") || endpoint.PlainLoopback("http://example.com") {
		t.Error("PlainLoopback is true only for http to loopback")
	}
}
