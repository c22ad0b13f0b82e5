package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestResolveConfigOktaRetries(t *testing.T) {
	base := map[string]string{"SANITY_PROJECT_ID": "abc123", "SANITY_DATASET": "production", "SANITY_API_TOKEN": "sk",
		"OKTA_ORG_URL": "https://dev-1.okta.com", "OKTA_API_TOKEN": "00secret"}
	for _, c := range []struct {
		name        string
		retries     types.Int64
		wait        types.String
		env         map[string]string
		wantRetries int
		wantWait    time.Duration
		wantErr     string
	}{
		{name: "defaults", wantRetries: 0, wantWait: 0},
		{name: "attributes", retries: types.Int64Value(9), wait: types.StringValue("2m"), wantRetries: 9, wantWait: 2 * time.Minute},
		{name: "zero turns retries off", retries: types.Int64Value(0), wantRetries: -1},
		{name: "environment", env: map[string]string{"OKTA_MAX_RETRIES": "3", "OKTA_MAX_RETRY_WAIT": "45s"}, wantRetries: 3, wantWait: 45 * time.Second},
		{name: "attributes win", retries: types.Int64Value(2), wait: types.StringValue("10s"),
			env: map[string]string{"OKTA_MAX_RETRIES": "3", "OKTA_MAX_RETRY_WAIT": "45s"}, wantRetries: 2, wantWait: 10 * time.Second},
		{name: "bad env count", env: map[string]string{"OKTA_MAX_RETRIES": "many"}, wantErr: "OKTA_MAX_RETRIES"},
		{name: "too many", retries: types.Int64Value(500), wantErr: "between 0"},
		{name: "bad wait", wait: types.StringValue("forever"), wantErr: "not a duration"},
		{name: "short wait", env: map[string]string{"OKTA_MAX_RETRY_WAIT": "10ms"}, wantErr: "out of range"},
		{name: "unknown", retries: types.Int64Unknown(), wantErr: "not known"},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range c.env {
				env[k] = v
			}
			o := nullOkta()
			o.MaxRetries, o.MaxRetryWait = c.retries, c.wait
			if o.MaxRetryWait == (types.String{}) {
				o.MaxRetryWait = types.StringNull()
			}
			cfg, diags := resolveConfig(context.Background(), providerModel{Okta: o, GroupNamePrefix: types.StringNull()}, func(k string) string { return env[k] })
			if c.wantErr != "" {
				if !diags.HasError() || !strings.Contains(diagsText(diags), c.wantErr) {
					t.Fatalf("diagnostics %v, want an error mentioning %q", diags, c.wantErr)
				}
				return
			}
			if diags.HasError() {
				t.Fatalf("unexpected errors: %v", diags)
			}
			if cfg.Okta.MaxRetries != c.wantRetries || cfg.Okta.MaxRetryWait != c.wantWait {
				t.Errorf("retries, wait = %d, %v; want %d, %v", cfg.Okta.MaxRetries, cfg.Okta.MaxRetryWait, c.wantRetries, c.wantWait)
			}
		})
	}
}

func diagsText(diags interface {
	Errors() diag.Diagnostics
}) string {
	var b strings.Builder
	for _, d := range diags.Errors() {
		b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	return b.String()
}
