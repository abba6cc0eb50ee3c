package data

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// VisA is read through its own split file, split_csv/1cls.csv (the
// one-class protocol every multi-class paper uses), whose columns are
// object,split,label,image,mask with label "normal" or "anomaly" and paths
// relative to the VisA root, e.g.
//
//	candle,test,anomaly,candle/Data/Images/Anomaly/000.JPG,candle/Data/Masks/Anomaly/000.png
//
// The file names no defect type, so anomalies get Defect "anomaly". VisA
// masks store a region index (1, 2, …) rather than 255; any non-zero pixel
// is a defect, which the mask loader handles.
func openVisA(root string, _ Options) (Dataset, error) {
	path := filepath.Join(root, "split_csv", "1cls.csv")
	bySplit, err := readVisACSV(root, path)
	if err != nil {
		return nil, fmt.Errorf("visa: %w", err)
	}
	var classes []string
	for c := range bySplit {
		classes = append(classes, c)
	}
	slices.Sort(classes)
	return &lazyDataset{name: "visa", root: root, classes: classes, scan: func(c string) (classSplits, error) {
		return bySplit[c], nil
	}}, nil
}

func readVisACSV(root, path string) (map[string]classSplits, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("split file %s does not exist", path)
		}
		return nil, err
	}
	defer f.Close()
	return parseVisACSV(root, path, f)
}

// parseVisACSV reads the split file from in; path only names it in errors.
// It is the entry the fuzz tests feed.
func parseVisACSV(root, path string, in io.Reader) (map[string]classSplits, error) {
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read the header: %v", path, err)
	}
	col, err := visaColumns(path, header)
	if err != nil {
		return nil, err
	}
	out := map[string]classSplits{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		if err := addVisARow(out, root, rec, col); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s lists no images", path)
	}
	return out, nil
}

type visaCols struct{ object, split, label, image, mask int }

func visaColumns(path string, header []string) (visaCols, error) {
	idx := map[string]int{}
	for i, h := range header {
		idx[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	var c visaCols
	names := []string{"object", "split", "label", "image", "mask"}
	for k, dst := range []*int{&c.object, &c.split, &c.label, &c.image, &c.mask} {
		i, ok := idx[names[k]]
		if !ok {
			return c, fmt.Errorf("%s: header lacks column %q (want object,split,label,image,mask)", path, names[k])
		}
		*dst = i
	}
	return c, nil
}

func addVisARow(out map[string]classSplits, root string, rec []string, c visaCols) error {
	field := func(i int) string {
		if i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	class, split, label, img := field(c.object), field(c.split), field(c.label), field(c.image)
	if class == "" || img == "" {
		return errors.New("empty object or image column")
	}
	s := Sample{Path: filepath.Join(root, filepath.FromSlash(img)), Class: class, Defect: "good"}
	switch label {
	case "normal":
	case "anomaly":
		s.Label, s.Defect = 1, "anomaly"
		if m := field(c.mask); m != "" {
			s.MaskPath = filepath.Join(root, filepath.FromSlash(m))
		}
	default:
		return fmt.Errorf("label %s is neither normal nor anomaly", quoteShort(label))
	}
	cs := out[class]
	switch split {
	case "train":
		if s.Label != 0 {
			return fmt.Errorf("anomalous image %q in the train split", img)
		}
		cs.train = append(cs.train, s)
	case "test":
		cs.test = append(cs.test, s)
	default:
		return fmt.Errorf("split %s is neither train nor test", quoteShort(split))
	}
	out[class] = cs
	return nil
}
