// Package weights knows the ImageNet backbones MambaAD's frozen encoder can
// use, fetches their checkpoints once into a local cache, and finds them
// there later without the network.
//
// Every download is verified before it lands under its final name: against
// the full SHA-256 where one is published and cross-checked, else against
// the 8-hex-digit prefix torch.hub embeds in its file names (check_hash),
// else — for files with no digest at all — by parsing the file and checking
// it holds the expected trunk tensors. A corrupt file would otherwise load
// silently and surface as a wrong anomaly map, far from its cause.
//
// The cache is $MAMBAAD_CACHE, else os.UserCacheDir()/mambaad/weights. It is
// a flat directory: downloads keep their upstream file names, imported files
// are named <backbone>.imported.<ext>, and unfinished downloads end in .part
// so that an interrupted fetch resumes where it stopped.
package weights

import (
	"fmt"
	"slices"
	"strings"
)

// Verification is how much of a file's identity can be checked.
type Verification int

const (
	// Structural: no digest is published (or none could be cross-checked),
	// so a download is accepted when it parses and holds the trunk tensors
	// with the right shapes.
	Structural Verification = iota
	// Prefix: the first 8 hex digits of the SHA-256, which torch.hub and
	// timm embed in the file name and check on download (check_hash).
	Prefix
	// Full: the complete SHA-256, as published by several independent
	// projects that pinned the same upstream file.
	Full
)

// String names the level as the list command shows it.
func (v Verification) String() string {
	switch v {
	case Full:
		return "sha256"
	case Prefix:
		return "sha256 prefix"
	default:
		return "structure only"
	}
}

// Entry is one known backbone checkpoint.
type Entry struct {
	Name   string  // what users type: "resnet18"
	Arch   Arch    // the network the tensors must fit
	URL    string  // upstream location
	File   string  // name in the cache and on a mirror (MAMBAAD_WEIGHTS_URL)
	SHA256 string  // 64 hex digits (Full), 8 (Prefix) or "" (Structural)
	Size   int64   // exact byte size when known, else 0
	MiB    float64 // approximate size as published upstream, 0 if unknown
	Origin string  // where the URL and digest come from
}

// Verification reports the level the entry's digest allows.
func (e Entry) Verification() Verification {
	switch len(e.SHA256) {
	case 64:
		return Full
	case 8:
		return Prefix
	default:
		return Structural
	}
}

// torchvision's file names embed the digest prefix; the full digests below
// were each found pinned, identically, by several unrelated projects, and
// each starts with its file name's prefix. The sizes in MiB are torchvision's
// own "_file_size" metadata.
var known = Registry{
	{
		Name:   "resnet18",
		Arch:   ResNet(false, [4]int{2, 2, 2, 2}, 1),
		URL:    "https://download.pytorch.org/models/resnet18-f37072fd.pth",
		File:   "resnet18-f37072fd.pth",
		SHA256: "f37072fd47e89c5e827621c5baffa7500819f7896bbacec160b1a16c560e07ec",
		Size:   46830571,
		MiB:    44.661,
		Origin: "torchvision ResNet18_Weights.IMAGENET1K_V1",
	},
	{
		Name:   "resnet34",
		Arch:   ResNet(false, [4]int{3, 4, 6, 3}, 1),
		URL:    "https://download.pytorch.org/models/resnet34-b627a593.pth",
		File:   "resnet34-b627a593.pth",
		SHA256: "b627a593bcbe140c234610266fe4f8ae95ea42fc881d091c9b6052e6b1d0590f",
		MiB:    83.275,
		Origin: "torchvision ResNet34_Weights.IMAGENET1K_V1",
	},
	{
		Name:   "resnet50",
		Arch:   ResNet(true, [4]int{3, 4, 6, 3}, 1),
		URL:    "https://download.pytorch.org/models/resnet50-0676ba61.pth",
		File:   "resnet50-0676ba61.pth",
		SHA256: "0676ba61b6795bbe1773cffd859882e5e297624d384b6993f7c9e683e722fb8a",
		MiB:    97.781,
		Origin: "torchvision ResNet50_Weights.IMAGENET1K_V1",
	},
	{
		Name:   "wide_resnet50_2",
		Arch:   ResNet(true, [4]int{3, 4, 6, 3}, 2),
		URL:    "https://download.pytorch.org/models/wide_resnet50_2-95faca4d.pth",
		File:   "wide_resnet50_2-95faca4d.pth",
		SHA256: "95faca4d",
		MiB:    131.82,
		Origin: "torchvision Wide_ResNet50_2_Weights.IMAGENET1K_V1 (stored as float16)",
	},
	{
		Name:   "resnet34.a1_in1k",
		Arch:   ResNet(false, [4]int{3, 4, 6, 3}, 1),
		URL:    "https://github.com/huggingface/pytorch-image-models/releases/download/v0.1-rsb-weights/resnet34_a1_0-46f8f793.pth",
		File:   "resnet34_a1_0-46f8f793.pth",
		SHA256: "46f8f793",
		Origin: "timm resnet34.a1_in1k (ResNet Strikes Back), the pretrained_cfg url in timm's resnet.py",
	},
	{
		Name:   "timm/resnet34.a1_in1k",
		Arch:   ResNet(false, [4]int{3, 4, 6, 3}, 1),
		URL:    "https://huggingface.co/timm/resnet34.a1_in1k/resolve/main/model.safetensors",
		File:   "resnet34.a1_in1k.safetensors",
		Origin: "timm resnet34.a1_in1k on the Hugging Face hub (hf_hub_id timm/), same weights as resnet34.a1_in1k",
	},
}

// Known returns the built-in registry.
func Known() Registry { return slices.Clone(known) }

// Registry is a list of known backbones, looked up by name.
type Registry []Entry

// Names lists the entries' names in registry order.
func (r Registry) Names() []string {
	names := make([]string, len(r))
	for i, e := range r {
		names[i] = e.Name
	}
	return names
}

// Lookup returns the entry called name, or an error listing the known names.
func (r Registry) Lookup(name string) (Entry, error) {
	for _, e := range r {
		if e.Name == name {
			return e, nil
		}
	}
	return Entry{}, fmt.Errorf("weights: unknown backbone %q (known: %s)", name, strings.Join(r.Names(), ", "))
}
