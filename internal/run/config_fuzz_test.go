package run

import (
	"strings"
	"testing"
	"time"
)

// FuzzConfig feeds arbitrary YAML to the configuration decoder: no input
// may panic or hang, errors are one line, and a configuration that decodes
// and validates renders back to YAML that decodes to the same thing.
func FuzzConfig(f *testing.F) {
	for _, n := range PresetNames() {
		c, _ := LoadConfig(n, "")
		f.Add([]byte(c.YAML()))
	}
	f.Add([]byte("data: {root: ./mvtec, dataset: auto, classes: all}\nmodel: {backbone: resnet34, image_size: 256}\ntrain: {epochs: 100}\n"))
	f.Add([]byte("data:\n  folders:\n    - {class: bolt, normal: ok, abnormal: ng, mask: gt, test_share: 0.1}\n"))
	f.Add([]byte("model: {method: combined, memory_bank: {fraction: 0.01, max_patches: 4096}}\n"))
	f.Add([]byte("train: {epochz: 3}\n"))
	f.Add([]byte("&a [*a, *a, *a]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c := DemoConfig()
		done := make(chan error, 1)
		go func() { done <- decodeYAML(b, &c) }()
		var err error
		select {
		case err = <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("decoding %d bytes takes over 5 s: %q", len(b), b)
		}
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		o := TrainOptions{Config: c}
		if o.Validate() != nil {
			return
		}
		back := DemoConfig()
		if err := decodeYAML([]byte(c.YAML()), &back); err != nil {
			t.Fatalf("a valid configuration does not decode from its own YAML: %v\n%s", err, c.YAML())
		}
		if back.YAML() != c.YAML() {
			t.Fatalf("round trip changed the configuration:\n%s\n---\n%s", c.YAML(), back.YAML())
		}
	})
}
