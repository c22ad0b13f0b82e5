package devstack_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
)

func TestTerraformEnvKeepsLiveSettingsOut(t *testing.T) {
	base := []string{"PATH=/usr/bin", "HOME=/home/u", "OKTA_ORG_URL=https://live.okta.com", "OKTA_CLIENT_ID=live",
		"SANITY_API_TOKEN=live", "TF_CLI_CONFIG_FILE=/home/u/.terraformrc", "TF_VAR_x=1", "TF_CLI_ARGS_apply=-parallelism=1", "TF_LOG=warn"}
	env := devstack.TerraformEnviron(base, []string{"OKTA_ORG_URL=http://127.0.0.1:1", "SANITY_API_TOKEN=fake"}, "/tmp/demo.rc")
	joined := "\n" + strings.Join(env, "\n") + "\n"
	for _, gone := range []string{"live", "/home/u/.terraformrc", "TF_VAR_x", "TF_CLI_ARGS_apply"} {
		if strings.Contains(joined, gone) {
			t.Errorf("the environment still holds %q:%s", gone, joined)
		}
	}
	for _, kept := range []string{"\nPATH=/usr/bin\n", "\nHOME=/home/u\n", "\nTF_LOG=warn\n", "\nOKTA_ORG_URL=http://127.0.0.1:1\n",
		"\nSANITY_API_TOKEN=fake\n", "\nTF_CLI_CONFIG_FILE=/tmp/demo.rc\n", "\nCHECKPOINT_DISABLE=1\n"} {
		if !strings.Contains(joined, kept) {
			t.Errorf("the environment lacks %q:%s", strings.TrimSpace(kept), joined)
		}
	}
}

func TestTerraformEnvironWithoutACLIConfiguration(t *testing.T) {
	env := devstack.TerraformEnviron([]string{"TF_CLI_CONFIG_FILE=/home/u/.terraformrc"}, nil, "")
	if slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "TF_CLI_CONFIG_FILE=") }) {
		t.Errorf("TF_CLI_CONFIG_FILE is set: %q", env)
	}
}
