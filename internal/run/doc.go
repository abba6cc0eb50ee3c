// Package run is the application layer behind the mambaad command: one
// Options type per command (TrainOptions, TestOptions, PredictOptions,
// CalibrateOptions, DemoOptions, BenchOptions), each with Validate, which
// checks and completes the options before anything is read or written, and
// Run(ctx), which does the work. Package main only turns flags into
// options; the one signal context of the process reaches every long phase
// through ctx. Configurations (presets, YAML files) live here too.
package run
