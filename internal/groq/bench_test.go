package groq

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// realisticDocuments builds n documents shaped like a Content Lake export: system fields, a slug,
// references, arrays of strings and a Portable Text body, in shuffled _id order.
func realisticDocuments(tb testing.TB, n int) []any {
	rng := rand.New(rand.NewSource(1))
	types := []string{"accessDocument", "accessDocument", "article", "person"}
	words := strings.Fields("editorial access group okta sanity content lake review publish draft team rule member owner policy")
	sentence := func(k int) string {
		w := make([]string, k)
		for i := range w {
			w[i] = words[rng.Intn(len(words))]
		}
		return strings.Join(w, " ")
	}
	raw := make([]map[string]any, n)
	for i := range raw {
		typ := types[i%len(types)]
		doc := map[string]any{
			"_id":         fmt.Sprintf("%s-%06d", typ, i),
			"_type":       typ,
			"_rev":        fmt.Sprintf("rev%08x", rng.Uint32()),
			"_createdAt":  "2026-01-02T03:04:05Z",
			"_updatedAt":  "2026-03-04T05:06:07Z",
			"title":       sentence(4),
			"description": sentence(30),
			"allowedUsers": []any{
				fmt.Sprintf("user%d@example.com", rng.Intn(500)), fmt.Sprintf("user%d@example.com", rng.Intn(500)),
			},
			"owners": []any{
				map[string]any{"_type": "reference", "_ref": fmt.Sprintf("person-%06d", rng.Intn(n)), "_key": "k1"},
			},
			"tags":        []any{words[rng.Intn(len(words))], words[rng.Intn(len(words))]},
			"publishedAt": "2026-02-03T04:05:06Z",
			"body": []any{
				map[string]any{"_type": "block", "_key": "b1", "style": "normal", "markDefs": []any{},
					"children": []any{map[string]any{"_type": "span", "_key": "s1", "text": sentence(40), "marks": []any{}}}},
				map[string]any{"_type": "block", "_key": "b2", "style": "normal", "markDefs": []any{},
					"children": []any{map[string]any{"_type": "span", "_key": "s2", "text": sentence(25), "marks": []any{}}}},
			},
		}
		if i%5 != 0 {
			doc["slug"] = map[string]any{"_type": "slug", "current": fmt.Sprintf("slug-%d", i)}
		}
		if i%7 == 0 {
			doc["oktaGroupId"] = fmt.Sprintf("00g%06d", i)
		}
		raw[i] = doc
	}
	rng.Shuffle(len(raw), func(i, j int) { raw[i], raw[j] = raw[j], raw[i] })
	// Round-trip through JSON so values have exactly the shapes the fake decodes from NDJSON.
	b, err := json.Marshal(raw)
	if err != nil {
		tb.Fatal(err)
	}
	var docs []any
	if err := json.Unmarshal(b, &docs); err != nil {
		tb.Fatal(err)
	}
	return docs
}

const providerQuery = `*[_type == $type && defined(slug.current)]{
  _id, _rev, _type, _updatedAt, title, description, allowedUsers, owners, oktaGroupId,
  "slug": slug.current
} | order(_id)`

func BenchmarkProviderQuery(b *testing.B) {
	docs := realisticDocuments(b, 10_000)
	q, err := Parse(providerQuery)
	if err != nil {
		b.Fatal(err)
	}
	env := &Env{Documents: docs, Params: map[string]any{"type": "accessDocument"}}
	res, err := q.Evaluate(context.Background(), env)
	if err != nil {
		b.Fatal(err)
	}
	if n := len(res.([]any)); n != 4000 {
		b.Fatalf("query matched %d documents, want 4000", n)
	}
	runEvaluateBenchmark(b, q, env)
}

// runEvaluateBenchmark times q over env, also reporting process CPU time per query (cpu-ns/op),
// which stays meaningful when other work competes for the machine.
func runEvaluateBenchmark(b *testing.B, q *Query, env *Env) {
	b.ReportAllocs()
	b.ResetTimer()
	start := processCPU()
	for i := 0; i < b.N; i++ {
		if _, err := q.Evaluate(context.Background(), env); err != nil {
			b.Fatal(err)
		}
	}
	if cpu := processCPU() - start; cpu > 0 {
		b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(providerQuery); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJoin measures a filter that joins against a second query, the shape the cache of
// scope-independent sub-queries is for.
func BenchmarkJoin(b *testing.B) {
	docs := realisticDocuments(b, 10_000)
	q, err := Parse(`*[_type == "accessDocument" && owners[0]._ref in *[_type == "person" && defined(slug)]._id]{_id}`)
	if err != nil {
		b.Fatal(err)
	}
	env := &Env{Documents: docs}
	runEvaluateBenchmark(b, q, env)
}
