package acctest

import (
	"context"
	"testing"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
)

// PutDocuments writes whole documents (published, drafts.* or versions.*) as a client's createOrReplace
// would, and removes them when the test ends.
func (e *Env) PutDocuments(t testing.TB, docs ...map[string]any) {
	t.Helper()
	muts := make([]sanity.Mutation, 0, len(docs))
	for _, d := range docs {
		muts = append(muts, sanity.CreateOrReplace(d))
		id, _ := d["_id"].(string)
		t.Cleanup(func() { _ = e.deleteDocument(id) })
	}
	if _, err := e.SanityClient.Mutate(context.Background(), muts, &sanity.MutateOptions{Visibility: sanity.VisibilitySync}); err != nil {
		t.Fatalf("seeding documents: %v", err)
	}
}

// Document returns the stored document with this exact ID (published, draft or version), or nil.
func (e *Env) Document(t testing.TB, id string) map[string]any {
	t.Helper()
	if e.Sanity != nil {
		return e.Sanity.Document(id)
	}
	docs, err := e.SanityClient.Documents(context.Background(), []string{id})
	if err != nil {
		t.Fatalf("reading document %q: %v", id, err)
	}
	if len(docs) == 0 {
		return nil
	}
	return docs[0]
}

// Field returns a document's top-level field as a string, "" when the document or field is missing.
func (e *Env) Field(t testing.TB, id, field string) string {
	t.Helper()
	s, _ := e.Document(t, id)[field].(string)
	return s
}

// PatchDocument sets and unsets fields of one stored document behind the provider's back.
func (e *Env) PatchDocument(t testing.TB, id string, set map[string]any, unset ...string) {
	t.Helper()
	p := sanity.PatchID(id)
	p.Set, p.Unset = set, unset
	if _, err := e.SanityClient.Mutate(context.Background(), []sanity.Mutation{p.Mutation()}, &sanity.MutateOptions{Visibility: sanity.VisibilitySync}); err != nil {
		t.Fatalf("patching document %q: %v", id, err)
	}
}

// DeleteDocument deletes one stored document behind the provider's back.
func (e *Env) DeleteDocument(t testing.TB, id string) {
	t.Helper()
	if err := e.deleteDocument(id); err != nil {
		t.Fatalf("deleting document %q: %v", id, err)
	}
}

func (e *Env) deleteDocument(id string) error {
	if id == "" {
		return nil
	}
	_, err := e.SanityClient.Mutate(context.Background(), []sanity.Mutation{sanity.Delete(id)}, &sanity.MutateOptions{Visibility: sanity.VisibilitySync})
	return err
}
