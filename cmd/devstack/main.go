// Command devstack runs the local stack: a fake Okta org and a fake Sanity Content Lake on loopback ports,
// seeded from NDJSON, for trying the provider and for offline tests and pipelines.
//
// It prints one `export NAME=value` line per provider setting on standard output first
// (SANITY_API_HOST, SANITY_PROJECT_ID, SANITY_DATASET, SANITY_API_TOKEN, OKTA_ORG_URL, OKTA_API_TOKEN),
// then logs to standard error and runs until SIGINT or SIGTERM.
//
//	go run ./cmd/devstack >devstack.env 2>devstack.log &
//	until [ "$(wc -l <devstack.env)" -ge 6 ]; do sleep 0.2; done
//	. ./devstack.env
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "devstack:", err)
		os.Exit(1)
	}
}

// run starts the stack, writes the export lines to stdout, and serves until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	opts.Log = slog.New(slog.NewTextHandler(stderr, nil))

	stack, err := devstack.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer stack.Close()
	if err := stack.WriteExports(stdout); err != nil {
		return fmt.Errorf("writing the export lines: %w", err)
	}
	opts.Log.Info("local stack ready; stop it with Ctrl-C or SIGTERM",
		"sanity_admin", stack.SanityURL+"/__admin/", "okta_admin", stack.OktaURL+"/__admin/")
	<-ctx.Done()
	opts.Log.Info("stopping")
	return nil
}

func parseFlags(args []string, stderr io.Writer) (devstack.Options, error) {
	fs := flag.NewFlagSet("devstack", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: devstack [flags]

Runs a fake Okta org and a fake Sanity Content Lake on loopback ports. Prints the provider's
environment as export lines on standard output, logs to standard error, and runs until interrupted.

Flags:
`)
		fs.PrintDefaults()
	}
	seed := fs.String("seed", "", "NDJSON `file` of documents to load (default: the quickstart content, examples/quickstart/content.ndjson)")
	users := fs.String("users", "", "NDJSON `file` of Okta users to add, one {\"profile\":{...},\"status\":...} per line (default: the quickstart users, examples/quickstart/users.ndjson, when --seed is not set either)")
	rateLimit := fs.String("okta-rate-limit", "off", "Okta rate limit: off, developer-org (100 requests per minute per bucket, 15 concurrent), or a number of requests per minute per bucket")
	window := fs.Duration("okta-rate-window", devstack.DefaultOktaRateWindow, "length of an Okta rate-limit window (shorten it to see limits reset quickly)")
	sanityPort := fs.Int("sanity-port", 0, "loopback port of the fake Content Lake (0: a free port)")
	oktaPort := fs.Int("okta-port", 0, "loopback port of the fake Okta org (0: a free port)")
	projectID := fs.String("sanity-project", devstack.DefaultProjectID, "Sanity project ID the fake answers for")
	dataset := fs.String("sanity-dataset", devstack.DefaultDataset, "Sanity dataset name")
	if err := fs.Parse(args); err != nil {
		return devstack.Options{}, err
	}
	if fs.NArg() > 0 {
		return devstack.Options{}, fmt.Errorf("unexpected arguments %q; see --help", fs.Args())
	}
	limit, err := devstack.ParseRateLimit(*rateLimit)
	if err != nil {
		return devstack.Options{}, fmt.Errorf("--okta-rate-limit: %w", err)
	}
	if *window <= 0 || *window > 24*time.Hour {
		return devstack.Options{}, fmt.Errorf("--okta-rate-window %s: want a duration between 1ms and 24h", *window)
	}
	opts := devstack.Options{
		SeedFile:       *seed,
		UsersFile:      *users,
		OktaRateLimit:  limit,
		OktaRateWindow: *window,
		SanityPort:     *sanityPort,
		OktaPort:       *oktaPort,
		ProjectID:      *projectID,
		Dataset:        *dataset,
	}
	if *seed == "" {
		opts.Seed = bytes.NewReader(devstack.QuickstartContent())
		opts.SeedName = "quickstart content"
		if *users == "" {
			opts.Users = bytes.NewReader(devstack.QuickstartUsers())
		}
	}
	return opts, nil
}
