package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestProposedNewFollowsTerraform(t *testing.T) {
	s, err := loadDriverSchemas(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	config := s.groupConfig("doc-1", gatedDocument{slug: "doc-1", title: "One"})

	create, err := s.proposedNew(tftypes.NewValue(s.group, nil), config)
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := create.As(&attrs); err != nil {
		t.Fatal(err)
	}
	// Without a prior state, computed attributes the configuration leaves out are unknown; the rest is
	// the configuration.
	for name, want := range map[string]bool{"id": false, "document_field": false, "document_synced": false, "name": true} {
		if got := attrs[name].IsKnown(); got != want {
			t.Errorf("create: %s known = %v, want %v", name, got, want)
		}
	}

	prior := objectValue(s.group, map[string]tftypes.Value{
		"id":              tftypes.NewValue(tftypes.String, "00g1"),
		"document_id":     tftypes.NewValue(tftypes.String, "doc-1"),
		"name":            tftypes.NewValue(tftypes.String, "content:doc-1"),
		"description":     tftypes.NewValue(tftypes.String, "Access to Old"),
		"document_field":  tftypes.NewValue(tftypes.String, "oktaGroupId"),
		"on_destroy":      tftypes.NewValue(tftypes.String, "delete"),
		"document_synced": tftypes.NewValue(tftypes.Bool, true),
	})
	update, err := s.proposedNew(prior, config)
	if err != nil {
		t.Fatal(err)
	}
	if err := update.As(&attrs); err != nil {
		t.Fatal(err)
	}
	var id, description string
	_ = attrs["id"].As(&id)
	_ = attrs["description"].As(&description)
	if id != "00g1" || description != "Access to One" {
		t.Errorf("update: id %q, description %q; want the prior ID and the configured description", id, description)
	}

	raw, err := stateJSON(prior)
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]any
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	if state["id"] != "00g1" || state["document_synced"] != true || len(state) != len(s.group.AttributeTypes) {
		t.Errorf("state JSON %s: want every attribute, with their values", raw)
	}
}

func TestInParallelStopsAtTheFirstError(t *testing.T) {
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprint(i)
	}
	var calls atomic.Int64
	boom := errors.New("boom")
	err := inParallel(context.Background(), keys, func(key string) error {
		calls.Add(1)
		if key == "5" {
			return boom
		}
		// Long enough that the failing worker is scheduled again before the others run out of keys,
		// however busy the machine.
		time.Sleep(time.Millisecond)
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if n := calls.Load(); n == int64(len(keys)) {
		t.Errorf("all %d keys ran after an error", n)
	}
	calls.Store(0)
	if err := inParallel(context.Background(), keys, func(string) error { calls.Add(1); return nil }); err != nil || calls.Load() != 1000 {
		t.Errorf("err %v after %d calls, want nil after 1000", err, calls.Load())
	}
}

func TestCheckChanges(t *testing.T) {
	s, err := loadDriverSchemas(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	planned := tftypes.NewValue(tftypes.String, "planned")
	create := plannedChange{prior: instanceState{value: tftypes.NewValue(s.group, nil)}, planned: planned}
	update := plannedChange{prior: instanceState{value: objectValue(s.group, nil)}, planned: planned}
	for _, tc := range []struct {
		phase   string
		changes map[string]plannedChange
		ok      bool
	}{
		{"create", map[string]plannedChange{"a": create, "b": create}, true},
		{"create", map[string]plannedChange{"a": create}, false},
		{"noop_plan", map[string]plannedChange{}, true},
		{"noop_plan", map[string]plannedChange{"a": update}, false},
		{"one_change", map[string]plannedChange{"b": update}, true},
		{"one_change", map[string]plannedChange{"a": update}, false},
		{"one_change", map[string]plannedChange{"b": create}, false},
	} {
		if err := checkChanges(tc.phase, 2, "b", tc.changes); (err == nil) != tc.ok {
			t.Errorf("%s with %d changes: err %v, want ok %v", tc.phase, len(tc.changes), err, tc.ok)
		}
	}
}
