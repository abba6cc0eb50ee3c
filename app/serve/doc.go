// Package serve is `mambaad serve`: an HTTP inference service for one or
// more checkpoints, with the Open Inference Protocol v2 REST API (the one
// KServe, Triton, Seldon MLServer and OpenVINO Model Server speak), a plain
// POST /predict, Prometheus metrics, an operator's web page embedded in the
// binary, and a load generator to measure it.
//
// Every image goes through the same code as `mambaad predict`:
// imageio.DecodeBytes (header checks before decoding), data.ImageTensor
// (PIL-exact preprocessing), detector.Predict and detector.Decide, so a
// score served here is bit for bit the one predict prints.
//
// # Requests under load
//
// A Detector is not safe for concurrent use, so each model has a fixed set
// of worker goroutines (Config.Workers, default 1), each owning its own
// loaded copy of the checkpoint; the compute kernels already use every core
// inside one forward pass. Requests are decoded and preprocessed in their
// own handler goroutines, then put on the model's bounded queue
// (Config.QueueSize). A worker takes the first waiting image and, for at
// most Config.MaxDelay, more up to Config.MaxBatch, and scores them in one
// Predict call (dynamic batching). Under load the queue is never empty, so
// batches are full without waiting.
//
// Limits, each answered at once rather than queued without bound: more than
// Config.MaxInflight requests in the server, a full queue, or a request
// whose body and decoded pixels would take the memory budget
// (Config.MemoryBudget) past its limit get 429 with Retry-After; a body over
// Config.MaxBodyBytes, or an image over Config.MaxSide or
// Config.MaxPixels (read from its header, before decoding), gets 413; a
// request not answered within Config.Timeout gets 503. A panic in a handler
// or a worker becomes a 500 for the requests concerned, never a crash.
package serve
