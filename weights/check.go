package weights

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/mambaad/mambaad/format/pth"
	"github.com/mambaad/mambaad/format/safetensors"
)

// Format is a checkpoint container, named by its usual file extension.
type Format string

const (
	PTH         Format = ".pth"
	Safetensors Format = ".safetensors"
)

// Sniff tells a torch.save file from a safetensors file by its first bytes,
// so that a download named after its URL, or a file with the wrong
// extension, is still read with the right parser.
func Sniff(path string) (Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("weights: %w", err)
	}
	defer f.Close()
	var head [9]byte
	n, err := io.ReadFull(f, head[:])
	if err != nil && err != io.ErrUnexpectedEOF {
		return "", fmt.Errorf("weights: %s: %v", path, err)
	}
	switch {
	case n >= 4 && bytes.Equal(head[:4], []byte("PK\x03\x04")): // torch.save zip format
		return PTH, nil
	case n >= 1 && head[0] == 0x80: // pickle PROTO opcode: legacy torch.save
		return PTH, nil
	case n == 9 && head[8] == '{': // header length, then the JSON header
		return Safetensors, nil
	}
	return "", fmt.Errorf("weights: %s: neither a PyTorch .pth nor a .safetensors file", path)
}

// Shapes reads the tensor names and shapes of a .pth or .safetensors file.
func Shapes(path string) (map[string][]int, Format, error) {
	format, err := Sniff(path)
	if err != nil {
		return nil, "", err
	}
	shapes := map[string][]int{}
	if format == Safetensors {
		f, err := safetensors.Open(path)
		if err != nil {
			return nil, format, err
		}
		for _, info := range f.Infos {
			shapes[info.Name] = info.Shape
		}
		return shapes, format, nil
	}
	ts, err := pth.Load(path)
	if err != nil {
		return nil, format, err
	}
	for _, t := range ts {
		shapes[t.Name] = t.Shape
	}
	return shapes, format, nil
}

// CheckFile parses the checkpoint at path and checks that it holds the
// trunk of a (see CheckShapes).
func CheckFile(path string, a Arch) error {
	shapes, _, err := Shapes(path)
	if err != nil {
		return err
	}
	if err := CheckShapes(shapes, a); err != nil {
		return fmt.Errorf("weights: %s: %v", path, err)
	}
	return nil
}

// CheckShapes checks that every required trunk tensor of a is present with
// its shape. The error lists what is missing or misshapen, and recognises a
// common prefix such as "module." left by DataParallel.
func CheckShapes(shapes map[string][]int, a Arch) error {
	var missing, wrong []string
	for _, p := range a.Trunk() {
		s, ok := shapes[p.Name]
		switch {
		case !ok && !p.Optional:
			missing = append(missing, p.Name)
		case ok && !p.Optional && !slices.Equal(s, p.Shape):
			wrong = append(wrong, fmt.Sprintf("%s is %v, want %v", p.Name, s, p.Shape))
		}
	}
	if len(missing) == 0 && len(wrong) == 0 {
		return nil
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("%d trunk tensors missing (%s)", len(missing), brief(missing)))
	}
	if len(wrong) > 0 {
		parts = append(parts, fmt.Sprintf("%d with the wrong shape (%s)", len(wrong), brief(wrong)))
	}
	msg := strings.Join(parts, ", ") + "; is this a checkpoint of that backbone?"
	if p := keyPrefix(shapes); p != "" {
		msg += fmt.Sprintf(" (its keys carry the prefix %q: save the backbone's own state_dict)", p)
	}
	return fmt.Errorf("%s", msg)
}

// brief joins the first few items and counts the rest.
func brief(items []string) string {
	const show = 4
	if len(items) <= show {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:show], ", ") + fmt.Sprintf(" and %d more", len(items)-show)
}

// keyPrefix finds "P" such that P+"conv1.weight" and P+"bn1.weight" exist,
// the usual sign of a wrapped model (module., backbone., encoder.).
func keyPrefix(shapes map[string][]int) string {
	var found []string
	for name := range shapes {
		p, ok := strings.CutSuffix(name, "conv1.weight")
		if !ok || p == "" || strings.Contains(p, "layer") {
			continue
		}
		if _, ok := shapes[p+"bn1.weight"]; ok {
			found = append(found, p)
		}
	}
	slices.Sort(found)
	if len(found) == 0 {
		return ""
	}
	return found[0]
}
