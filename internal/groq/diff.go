package groq

// changed implements diff::changedAny (only=false) and diff::changedOnly (only=true).
func changed(before, after any, sel *selector, s *scope, only bool) any {
	return nil
}
