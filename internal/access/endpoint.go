package access

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// CheckEndpoint reports whether a base URL may receive a credential: https anywhere, plain http only to a
// loopback host (127.0.0.0/8, ::1, localhost), such as the local stack. It runs before any request, so a
// token never leaves the process over plain http.
func CheckEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a valid URL: %w", raw, err)
	}
	if u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL: write it as https://host", raw)
	}
	if u.User != nil {
		return fmt.Errorf("the URL must not carry credentials: pass tokens in their own settings")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q uses plain http to a host that is not loopback; tokens would travel unencrypted: "+
			"use https (plain http is accepted only for 127.0.0.0/8, ::1 and localhost)", u.Scheme+"://"+u.Host)
	default:
		return fmt.Errorf("%q has scheme %q: use https", raw, u.Scheme)
	}
}

// IsLoopback reports whether host names this machine: localhost, 127.0.0.0/8 or ::1.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
