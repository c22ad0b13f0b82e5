//go:build !unix

package groq

func processCPU() int64 { return 0 }
