package main

import "testing"

func TestSDKLogLevelFollowsWhatTerraformShows(t *testing.T) {
	for _, tc := range []struct {
		tfLog, tfLogProvider, want string
	}{
		{"", "", "OFF"},             // Terraform shows no provider logs: the provider writes none
		{"debug", "", "DEBUG"},      // case as users type it
		{"", "INFO", "INFO"},        // provider logs without core logs
		{"WARN", "DEBUG", "DEBUG"},  // the more verbose setting wins
		{"ERROR", "", "ERROR"},      //
		{"TRACE", "", ""},           // trace was asked for: the SDK's own default
		{"INFO", "TRACE", ""},       //
		{"JSON", "", ""},            // JSON logs are trace logs
		{"verbose", "", "OFF"},      // not a level Terraform knows
		{" info ", "", "INFO"},      //
		{"OFF", "ERROR", "ERROR"},   //
		{"error", "off", "ERROR"},   //
		{"", "json", ""},            //
		{"warn", "garbage", "WARN"}, //
		{"info", "info", "INFO"},    //
		{"trace", "trace", ""},      //
	} {
		if got := sdkLogLevel(tc.tfLog, tc.tfLogProvider); got != tc.want {
			t.Errorf("TF_LOG=%q TF_LOG_PROVIDER=%q: SDK level %q, want %q", tc.tfLog, tc.tfLogProvider, got, tc.want)
		}
	}
}
