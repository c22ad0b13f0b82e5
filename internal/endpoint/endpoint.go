// Package endpoint is the one rule for where a credential may be sent: https anywhere, plain http only to
// this machine (127.0.0.0/8, ::1, localhost), such as the local stack. The Okta and Content Lake clients
// apply it when they are built, and the provider applies it at validate time to say which setting is wrong.
package endpoint

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Check reports whether the base URL raw may receive a credential.
func Check(raw string) error {
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
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q uses plain http to a host that is not loopback; tokens would travel unencrypted: "+
			"use https (plain http is accepted only for 127.0.0.0/8, ::1 and localhost)", u.Scheme+"://"+u.Host)
	default:
		return fmt.Errorf("%q has scheme %q: use https", raw, u.Scheme)
	}
}

// PlainLoopback reports whether raw is a plain http URL that Check accepts, the only case where a client
// may turn off its own https check.
func PlainLoopback(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && strings.EqualFold(u.Scheme, "http") && isLoopback(u.Hostname()) && Check(raw) == nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
