// Command dumpresize writes what mambaad's preprocessing makes of some image
// files, as raw bytes, for bench/pil/check_real.py to compare with PIL:
// <n>.rgb (decoded, W×H×3), <n>.resized (size×size×3, PIL bilinear) and,
// with -masks, <n>.mask (size×size of 0/1, the reference mask transform).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mambaad/mambaad/data"
	"github.com/mambaad/mambaad/data/imageio"
)

func main() {
	size := flag.Int("size", 256, "resize target (square)")
	out := flag.String("out", "", "output folder")
	masks := flag.Bool("masks", false, "treat the files as masks")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: dumpresize -out DIR [-size N] [-masks] FILE...")
		os.Exit(2)
	}
	for i, p := range flag.Args() {
		if err := dump(p, filepath.Join(*out, fmt.Sprint(i)), *size, *masks); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

func dump(path, base string, size int, masks bool) error {
	if masks {
		m, err := data.LoadMask(path, size, size)
		if err != nil {
			return err
		}
		return os.WriteFile(base+".mask", m, 0o644)
	}
	img, err := imageio.DecodeFile(path)
	if err != nil {
		return err
	}
	rgb := imageio.ToRGB(img)
	if err := os.WriteFile(base+".rgb", rgb.Pix, 0o644); err != nil {
		return err
	}
	return os.WriteFile(base+".resized", imageio.Resize(rgb, size, size).Pix, 0o644)
}
