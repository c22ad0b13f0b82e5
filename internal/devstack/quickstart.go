package devstack

import _ "embed"

// quickstart is a copy of examples/quickstart/content.ndjson, embedded so that the local stack starts
// with it from any directory. TestQuickstartCopyIsCurrent fails when the copies differ; `go generate`
// refreshes it.
//
//go:generate cp ../../examples/quickstart/content.ndjson quickstart.ndjson
//go:embed quickstart.ndjson
var quickstart []byte

// QuickstartContent returns the quickstart's dataset: gated partner price lists, handbooks and
// compliance courses, an archived price list, a pending draft and a content release, with authors and
// image assets around them. Pass it as Options.Seed via bytes.NewReader.
func QuickstartContent() []byte { return append([]byte(nil), quickstart...) }
