package data

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Options carries the layout-specific choices; the zero value gives each
// benchmark's standard protocol.
type Options struct {
	// Meta is the index file of the "meta" layout, relative to the root
	// (default "meta.json").
	Meta string
	// COCOSplit is the COCO-AD split, 0–3 (file meta_20_<split>.json).
	COCOSplit int
	// RealIADJSON picks Real-IAD's split folder: "realiad_jsons"
	// (multi-view, the default), "realiad_jsons_sv" (single-view), a
	// "realiad_jsons_fuiad_*" folder, or a path.
	RealIADJSON string
	// RealIADImages is Real-IAD's image folder under the root (default: the
	// first of realiad_1024, realiad_512, realiad_256, realiad_raw present).
	RealIADImages string
	// Views keeps only these Real-IAD camera views ("C1" … "C5"); empty
	// keeps all.
	Views []string
	// Folders are the classes of the "folder" layout, each with its own
	// folders; empty finds them by the conventional names (root/good/… as
	// one class, or root/<class>/good/… per class; see FolderNormalNames
	// and the other lists). Giving Folders implies the "folder" layout.
	Folders []FolderOptions
	// Note, when set, receives one-line remarks about the data that are not
	// errors, e.g. a folder class's abnormal images without masks (once per
	// class, when the class is first read).
	Note func(msg string)
}

type opener func(root string, o Options) (Dataset, error)

func treeOpener(l treeLayout) opener {
	return func(root string, _ Options) (Dataset, error) { return l.open(root) }
}

var registry = map[string]opener{
	"mvtec":      treeOpener(mvtecLayout),
	"visa":       openVisA,
	"realiad":    openRealIAD,
	"mvtec3d":    treeOpener(mvtec3dLayout),
	"unimedical": treeOpener(uniMedicalLayout),
	"cocoad":     openCOCOAD,
	"btad":       treeOpener(btadLayout),
	"mpdd":       treeOpener(mpddLayout),
	"mvtecloco":  treeOpener(mvtecLocoLayout),
	"meta":       openMeta,
	"folder":     openFolder,
}

// Names lists the layouts Open knows, sorted.
func Names() []string {
	var out []string
	for n := range registry {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Open reads the dataset at root in the named layout; name "" or "auto"
// detects it (see Detect).
func Open(name, root string, o Options) (Dataset, error) {
	if !isDir(root) {
		return nil, fmt.Errorf("dataset folder %s does not exist", root)
	}
	name = strings.ToLower(strings.TrimSpace(name))
	if len(o.Folders) > 0 {
		if name != "" && name != "auto" && name != "folder" {
			return nil, fmt.Errorf("folder classes are only for the folder layout, not %q", name)
		}
		name = "folder"
	}
	if name == "" || name == "auto" {
		var err error
		if name, err = Detect(root); err != nil {
			return nil, err
		}
	}
	open, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("unknown dataset layout %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return open(root, o)
}

// Detect recognises a layout from the files at root: VisA's split CSV,
// Real-IAD's JSON folders, COCO-AD's meta files, then the MVTec family by
// its class folders (MVTec 3D-AD by rgb sub-folders, MVTec LOCO by its
// logical/structural anomaly folders, BTAD by "ok" folders, everything else
// with train/good as "mvtec", which also reads MPDD and Uni-Medical), and
// then an ADer meta.json, and finally the "folder" layout's conventional
// names (root/good/… or root/<class>/good/…, when no class folder looks
// like an MVTec class with train/ or test/).
func Detect(root string) (string, error) {
	switch {
	case isFile(filepath.Join(root, "split_csv", "1cls.csv")):
		return "visa", nil
	case isDir(filepath.Join(root, "realiad_jsons")):
		return "realiad", nil
	case len(glob(root, "meta_20_*.json")) > 0:
		return "cocoad", nil
	}
	if name := detectTree(root); name != "" {
		return name, nil
	}
	if isFile(filepath.Join(root, "meta.json")) {
		return "meta", nil
	}
	if isDir(filepath.Join(root, "train")) && isDir(filepath.Join(root, "test")) {
		return "", fmt.Errorf("%s looks like a single class folder: point at its parent %s and select the class",
			root, filepath.Dir(filepath.Clean(root)))
	}
	if ok, err := detectFolder(root); err != nil {
		return "", err
	} else if ok {
		return "folder", nil
	}
	return "", fmt.Errorf("cannot tell the layout of %s (known: %s); name it explicitly, or for plain folders use "+
		"DIR/good/*.png [DIR/bad/*.png DIR/masks/*.png] or DIR/<class>/good/…", root, strings.Join(Names(), ", "))
}

func detectTree(root string) string {
	dirs, _ := listDirs(root)
	for _, d := range dirs {
		c := filepath.Join(root, d)
		switch {
		case isDir(filepath.Join(c, "train", "good", "rgb")):
			return "mvtec3d"
		case isDir(filepath.Join(c, "test", "logical_anomalies")):
			return "mvtecloco"
		case isDir(filepath.Join(c, "train", "ok")) && isDir(filepath.Join(c, "test")):
			return "btad"
		case isDir(filepath.Join(c, "train", "good")) && isDir(filepath.Join(c, "test")):
			return "mvtec"
		}
	}
	return ""
}

func glob(dir, pattern string) []string {
	m, _ := filepath.Glob(filepath.Join(dir, pattern))
	return m
}
