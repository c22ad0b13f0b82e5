package devstack

import "strings"

// TerraformEnviron is the environment for a Terraform run (or a provider process) against the local
// stack: base, usually os.Environ(), minus anything that would point the provider or Terraform
// elsewhere (live Okta or Sanity settings, another CLI configuration, data directory, workspace,
// variables or extra arguments), plus stack (Stack.Environ) and, unless cliConfig is empty, the CLI
// configuration. Settings that only change what Terraform prints, such as TF_LOG, are kept.
func TerraformEnviron(base, stack []string, cliConfig string) []string {
	var env []string
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "SANITY_"), strings.HasPrefix(name, "OKTA_"), strings.HasPrefix(name, "TF_VAR_"),
			strings.HasPrefix(name, "TF_CLI_ARGS"), name == "TF_CLI_CONFIG_FILE", name == "TF_DATA_DIR",
			name == "TF_WORKSPACE", name == "TF_IN_AUTOMATION", name == "TF_INPUT", name == "CHECKPOINT_DISABLE":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, stack...)
	if cliConfig != "" {
		env = append(env, "TF_CLI_CONFIG_FILE="+cliConfig)
	}
	return append(env,
		"TF_IN_AUTOMATION=1",   // no "run terraform apply next" hints
		"TF_INPUT=0",           // never wait for input
		"CHECKPOINT_DISABLE=1", // no version check over the network
	)
}
