package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestSummaryTakesTheDriverRowsForSizesTerraformDidNotRun(t *testing.T) {
	floor := 12.5
	terraform := []Detail{
		{Result: Result{Shape: "for_each", N: 1000, Phase: "noop_plan", WallS: 26, FloorWallS: &floor, MeasuredBy: "terraform"}},
		{Result: Result{Shape: "for_each", N: 1000, Phase: "create", MeasuredBy: "terraform"}, Failed: true},
	}
	driven := []DriverResult{
		{Result: Result{Shape: "for_each", N: 1000, Phase: "noop_plan", WallS: 3, MeasuredBy: "protocol_driver"}},
		{Result: Result{Shape: "for_each", N: 10000, Phase: "noop_plan", WallS: 32, OktaRequests: 50, MeasuredBy: "protocol_driver"}},
	}
	path := filepath.Join(t.TempDir(), "summary.json")
	if err := writeResults(path, terraform, driven); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(raw, &rows); err != nil {
		t.Fatal(err)
	}
	// The failed Terraform line is left out, and the driver's 1,000 line gives way to Terraform's.
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2: %s", len(rows), raw)
	}
	if rows[0]["measured_by"] != "terraform" || rows[0]["floor_wall_s"] != floor {
		t.Errorf("first row %v, want Terraform's with its floor", rows[0])
	}
	if rows[1]["n"] != 10000.0 || rows[1]["measured_by"] != "protocol_driver" || rows[1]["floor_wall_s"] != nil {
		t.Errorf("second row %v, want the driver's at 10,000 with a null floor", rows[1])
	}
	for _, key := range []string{"n", "phase", "wall_s", "okta_requests", "sanity_requests", "okta_429", "provider_peak_rss_mb", "floor_wall_s"} {
		if _, ok := rows[1][key]; !ok {
			t.Errorf("the driver's row lacks %q", key)
		}
	}
}
