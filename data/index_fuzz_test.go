package data

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// The fuzz targets feed the dataset index files (meta.json, VisA's
// split_csv/1cls.csv, Real-IAD's <class>.json) to their parsers. They check
// that parsing never panics, that every error is one line naming the file,
// that memory stays in proportion to the input, that every sample read is
// well formed (a class, a 0/1 label, "good" and no mask for normal images,
// no anomaly in a training split), and for meta.json and VisA that writing
// the samples back in the same format reads back the same samples.
//
// The seed corpora in testdata/fuzz are written by TestFuzzSeeds (go test
// -run TestFuzzSeeds -update-fuzz-seeds).

const fuzzRoot = "/ds"

func allocated(fn func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	fn()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

func checkIndex(t *testing.T, path string, in []byte, parse func() (map[string]classSplits, error)) map[string]classSplits {
	t.Helper()
	var out map[string]classSplits
	var err error
	if n := allocated(func() { out, err = parse() }); n > 16<<20+256*uint64(len(in)) {
		t.Fatalf("parsing %d bytes allocated %d bytes", len(in), n)
	}
	if err != nil {
		if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.Contains(msg, path) {
			t.Fatalf("error is not one line naming %s: %q", path, msg)
		}
		return nil
	}
	for class, cs := range out {
		checkSamples(t, class, cs.train, true)
		checkSamples(t, class, cs.test, false)
	}
	return out
}

func checkSamples(t *testing.T, class string, ss []Sample, train bool) {
	t.Helper()
	for _, s := range ss {
		ok := s.Path != "" && s.Class == class && class != "" && s.Defect != "" && (s.Label == 0 || s.Label == 1) &&
			(s.Label == 1 || (s.Defect == "good" && s.MaskPath == "")) && (!train || s.Label == 0) && len(s.ExtraMasks) == 0
		if !ok {
			t.Fatalf("class %q (train %v): bad sample %+v", class, train, s)
		}
	}
}

func rel(p string) string {
	if p == "" {
		return ""
	}
	r, err := filepath.Rel(fuzzRoot, p)
	if err != nil {
		panic(err)
	}
	return filepath.ToSlash(r)
}

// metaJSON writes classes back as a meta.json.
func metaJSON(m map[string]classSplits) []byte {
	type entry struct {
		ImgPath    string `json:"img_path"`
		MaskPath   string `json:"mask_path"`
		ClsName    string `json:"cls_name"`
		SpecieName string `json:"specie_name"`
		Anomaly    int    `json:"anomaly"`
	}
	out := map[string]map[string][]entry{"train": {}, "test": {}}
	for class, cs := range m {
		for split, ss := range map[string][]Sample{"train": cs.train, "test": cs.test} {
			es := []entry{}
			for _, s := range ss {
				es = append(es, entry{rel(s.Path), rel(s.MaskPath), s.Class, s.Defect, s.Label})
			}
			out[split][class] = es
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic(err)
	}
	return b
}

// visaCSV writes classes back as a VisA split file, reporting false when
// a path would not survive the reader's trimming of spaces.
func visaCSV(m map[string]classSplits) ([]byte, bool) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"object", "split", "label", "image", "mask"})
	for class, cs := range m {
		for split, ss := range map[string][]Sample{"train": cs.train, "test": cs.test} {
			for _, s := range ss {
				label := map[int]string{0: "normal", 1: "anomaly"}[s.Label]
				img, mask := rel(s.Path), rel(s.MaskPath)
				if strings.TrimSpace(img) != img || strings.TrimSpace(mask) != mask {
					return nil, false
				}
				w.Write([]string{class, split, label, img, mask})
			}
		}
	}
	w.Flush()
	return b.Bytes(), true
}

func FuzzMeta(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		const path = fuzzRoot + "/meta.json"
		out := checkIndex(t, path, b, func() (map[string]classSplits, error) { return parseMeta(fuzzRoot, path, b) })
		if out == nil {
			return
		}
		again, err := parseMeta(fuzzRoot, path, metaJSON(out))
		if err != nil || !reflect.DeepEqual(again, out) {
			t.Fatalf("written back, the index reads differently (%v):\n%+v\n%+v", err, out, again)
		}
	})
}

func FuzzVisACSV(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		const path = fuzzRoot + "/split_csv/1cls.csv"
		parse := func(in []byte) (map[string]classSplits, error) {
			return parseVisACSV(fuzzRoot, path, bytes.NewReader(in))
		}
		out := checkIndex(t, path, b, func() (map[string]classSplits, error) { return parse(b) })
		if out == nil {
			return
		}
		back, ok := visaCSV(out)
		if !ok {
			return
		}
		again, err := parse(back)
		if err != nil || !reflect.DeepEqual(again, out) {
			t.Fatalf("written back, the index reads differently (%v):\n%+v\n%+v", err, out, again)
		}
	})
}

func FuzzRealIAD(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		const path = fuzzRoot + "/realiad_jsons/realiad_jsons/audiojack.json"
		for _, views := range [][]string{nil, {"C1"}} {
			checkIndex(t, path, b, func() (map[string]classSplits, error) {
				cs, err := parseRealIAD(path, b, fuzzRoot+"/realiad_1024/audiojack", "audiojack", views)
				if err != nil {
					return nil, err
				}
				for _, s := range append(cs.train, cs.test...) {
					if !strings.HasPrefix(s.Group, "audiojack/") {
						t.Fatalf("sample %+v: group does not name the class", s)
					}
				}
				return map[string]classSplits{"audiojack": cs}, nil
			})
		}
	})
}

var updateSeeds = flag.Bool("update-fuzz-seeds", false, "rewrite the generated seed corpora under testdata/fuzz")

func TestFuzzSeeds(t *testing.T) {
	metaGood := `{"train": {"bottle": [
  {"img_path": "bottle/train/good/000.png", "mask_path": "", "cls_name": "bottle", "specie_name": "good", "anomaly": 0}]},
 "test": {"bottle": [
  {"img_path": "bottle/test/broken/000.png", "mask_path": "bottle/ground_truth/broken/000_mask.png", "cls_name": "bottle", "specie_name": "broken", "anomaly": 1},
  {"img_path": "bottle/test/good/000.png", "mask_path": "", "cls_name": "bottle", "specie_name": "good", "anomaly": false},
  {"img_path": "bottle/test/x/001.png", "anomaly": "1"}],
  "cable": []}}`
	visaGood := "\ufeffobject,split,label,image,mask\n" +
		"candle,train,normal,candle/Data/Images/Normal/0000.JPG,\n" +
		"candle,test,normal,candle/Data/Images/Normal/0001.JPG,\n" +
		"candle,test,anomaly,candle/Data/Images/Anomaly/000.JPG,candle/Data/Masks/Anomaly/000.png\n" +
		"\"pcb1\",train,normal,pcb1/Data/Images/Normal/0000.JPG\n"
	realIAD := `{"meta": {"prefix": "", "normal_class": "OK", "pre_transform": null},
 "train": [
  {"category": "audiojack", "anomaly_class": "OK", "image_path": "OK/S0001/audiojack_0001_OK_C1_20230922093358.jpg", "mask_path": null}],
 "test": [
  {"category": "audiojack", "anomaly_class": "OK", "image_path": "OK/S0002/audiojack_0002_OK_C2_20230922093400.jpg", "mask_path": null},
  {"category": "audiojack", "anomaly_class": "AK", "image_path": "NG/AK/S0100/audiojack_0100_NG_AK_C1_20230922.jpg",
   "mask_path": "NG/AK/S0100/audiojack_0100_NG_AK_C1_20230922.png"}]}`
	corpora := map[string]map[string]string{
		"FuzzMeta": {
			"good":           metaGood,
			"train-anomaly":  `{"train": {"c": [{"img_path": "a.png", "anomaly": 1}]}}`,
			"anomaly-2":      `{"test": {"c": [{"img_path": "a.png", "anomaly": 2}]}}`,
			"no-splits":      `{"validation": {}}`,
			"truncated":      metaGood[:len(metaGood)/2],
			"empty-img-path": `{"test": {"c": [{"img_path": "", "anomaly": 0}]}}`,
			// These printed file text raw, breaking the error over lines.
			"train-anomaly-newline": `{"train": {"c": [{"img_path": "a\nb.png", "anomaly": 1}]}}`,
			"anomaly-multiline":     "{\"test\": {\"c\": [{\"img_path\": \"a.png\", \"anomaly\": [\n1]}]}}",
			"empty-class":           `{"test": {"": [{"img_path": "a.png", "anomaly": 0}]}}`,
		},
		"FuzzVisACSV": {
			"good":                  visaGood,
			"bad-label":             "object,split,label,image,mask\ncandle,train,weird,a.png,\n",
			"bad-header":            "object,split,image\n",
			"bare-quote":            "object,split,label,image,mask\nca\"ndle,train,normal,a.png,\n",
			"empty":                 "",
			"train-anomaly-newline": "object,split,label,image,mask\ncandle,train,anomaly,\"a\nb.png\",\n",
		},
		"FuzzRealIAD": {
			"good":                  realIAD,
			"prefix":                strings.Replace(realIAD, `"prefix": ""`, `"prefix": "sub"`, 1),
			"truncated":             realIAD[:len(realIAD)/3],
			"not-json":              "[1, 2",
			"train-anomaly-newline": `{"train": [{"anomaly_class": "AK", "image_path": "a\nb_C1_1.jpg"}]}`,
		},
	}
	for target, seeds := range corpora {
		for name, text := range seeds {
			var s strings.Builder
			fmt.Fprintf(&s, "go test fuzz v1\n[]byte(%q)\n", text)
			p := filepath.Join("testdata", "fuzz", target, name)
			if *updateSeeds {
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(s.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			} else if old, err := os.ReadFile(p); err != nil || string(old) != s.String() {
				t.Errorf("seed %s is missing or differs from its builder; rerun with -update-fuzz-seeds", p)
			}
		}
	}
}
