package testutil

import "testing"

// PanicValue runs f and returns the value it panicked with, or nil when it
// returned normally.
func PanicValue(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

// MustPanic fails t unless f panics.
func MustPanic(t testing.TB, what string, f func()) {
	t.Helper()
	if PanicValue(f) == nil {
		t.Fatalf("%s: no panic", what)
	}
}
