package groq

func pipeScore(base []any, args []expr, s *scope) any {
	return nil
}
