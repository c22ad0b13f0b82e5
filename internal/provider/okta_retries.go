package provider

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
)

// The okta block's retry bounds: how often, and for how long, one Okta request is retried after a
// transient failure.
const (
	envOktaMaxRetries   = "OKTA_MAX_RETRIES"
	envOktaMaxRetryWait = "OKTA_MAX_RETRY_WAIT"

	maxOktaRetries   = 50
	maxOktaRetryWait = time.Hour
)

func maxRetriesAttribute() schema.Attribute {
	return schema.Int64Attribute{
		Optional: true,
		MarkdownDescription: fmt.Sprintf("How many times one Okta request is retried after a transient failure (HTTP 500, 502, 503 "+
			"or 504, a refused or reset connection, a timeout) or a 429, within `max_retry_wait`. `0` turns retries off. "+
			"Defaults to %d. Environment variable: `%s`.", access.DefaultOktaMaxRetries, envOktaMaxRetries),
		Validators: []validator.Int64{int64validator.Between(0, maxOktaRetries)},
	}
}

func maxRetryWaitAttribute() schema.Attribute {
	return schema.StringAttribute{
		Optional: true,
		MarkdownDescription: fmt.Sprintf("The longest one Okta request keeps retrying transient failures, as a duration such as "+
			"`90s` or `2m`: no retry starts later than this after the request's first attempt, and a `Retry-After` from Okta "+
			"that asks for longer ends the retries. Defaults to `%ds`. Environment variable: `%s`.",
			int(access.DefaultOktaMaxRetryWait.Seconds()), envOktaMaxRetryWait),
		Validators: []validator.String{durationValidator{}},
	}
}

// oktaRetries resolves max_retries and max_retry_wait into the client's terms: 0 means the default and a
// negative count turns retries off.
func (r *settingReader) oktaRetries(op path.Path, o *oktaBlockModel) (int, time.Duration) {
	retries := 0
	p := op.AtName("max_retries")
	switch {
	case o.MaxRetries.IsUnknown():
		r.diags.AddAttributeError(p, "Provider setting not known yet",
			fmt.Sprintf("%s depends on a value that is only known after apply; set it to a known value or use the %s environment variable.", p, envOktaMaxRetries))
	case !o.MaxRetries.IsNull():
		retries = r.retryCount(p, o.MaxRetries.ValueInt64(), "okta.max_retries")
	default:
		if env := strings.TrimSpace(r.getenv(envOktaMaxRetries)); env != "" {
			n, err := strconv.ParseInt(env, 10, 64)
			if err != nil {
				r.diags.AddAttributeError(p, "Invalid Okta retry count",
					fmt.Sprintf("%s=%q is not a whole number; set it to a count between 0 (no retries) and %d.", envOktaMaxRetries, env, maxOktaRetries))
			} else {
				retries = r.retryCount(p, n, envOktaMaxRetries)
			}
		}
	}

	p = op.AtName("max_retry_wait")
	s := r.value(p, o.MaxRetryWait, envOktaMaxRetryWait)
	if s == "" {
		return retries, 0
	}
	d, err := parseRetryWait(s)
	if err != nil {
		r.diags.AddAttributeError(p, "Invalid Okta retry wait", fmt.Sprintf("max_retry_wait (or %s) %v.", envOktaMaxRetryWait, err))
	}
	return retries, d
}

func (r *settingReader) retryCount(p path.Path, n int64, where string) int {
	if n < 0 || n > maxOktaRetries {
		r.diags.AddAttributeError(p, "Invalid Okta retry count",
			fmt.Sprintf("%s is %d; set it between 0 (no retries) and %d.", where, n, maxOktaRetries))
		return 0
	}
	if n == 0 {
		return -1
	}
	return int(n)
}

func parseRetryWait(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: write it like \"90s\" or \"2m\"", s)
	}
	if d < time.Second || d > maxOktaRetryWait {
		return 0, fmt.Errorf("%q is out of range: use 1s to %s", s, maxOktaRetryWait)
	}
	return d, nil
}

// durationValidator checks max_retry_wait at validate time.
type durationValidator struct{}

func (durationValidator) Description(_ context.Context) string {
	return "a duration such as 90s or 2m, from 1s to 1h"
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := parseRetryWait(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Okta retry wait", err.Error()+".")
	}
}
