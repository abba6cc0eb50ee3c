package data

import (
	"fmt"
	"image"

	"github.com/mambaad/mambaad/data/imageio"
)

// loadSampleInto preprocesses a sample's image into img (3·crop² values)
// and, when mask is non-nil, its ground truth into mask (crop² values): the
// union of all its mask files, all zeros when it has none. Each mask must
// have the image's size, as the reference requires; a mismatch is an error
// naming both files, found from the mask's header alone.
func loadSampleInto(img []float32, mask []uint8, s Sample, size, crop int) error {
	decoded, err := imageio.DecodeFile(s.Path)
	if err != nil {
		return err
	}
	normalize(resizeCrop(imageio.ToRGB(decoded), size, crop), img)
	if mask == nil {
		return nil
	}
	clear(mask)
	b := decoded.Bounds()
	var union *imageio.Image8 // regions are merged at full resolution, then resized once
	for _, p := range s.Masks() {
		info, err := imageio.Stat(p)
		if err != nil {
			return err
		}
		if err := sameSize(p, info.Width, info.Height, s.Path, b); err != nil {
			return err
		}
		m, err := imageio.DecodeFile(p)
		if err != nil {
			return err
		}
		if err := sameSize(p, m.Bounds().Dx(), m.Bounds().Dy(), s.Path, b); err != nil {
			return err
		}
		if union == nil {
			union = imageio.ToMask(m)
			continue
		}
		for i, v := range imageio.ToMask(m).Pix {
			union.Pix[i] |= v
		}
	}
	if union != nil {
		binarize(resizeCrop(union, size, crop), mask)
	}
	return nil
}

func sameSize(mask string, w, h int, image string, b image.Rectangle) error {
	if w == b.Dx() && h == b.Dy() {
		return nil
	}
	return &imageio.FileError{Path: mask, Err: fmt.Errorf("%w: mask is %d×%d but image %s is %d×%d",
		imageio.ErrSizeMatch, w, h, image, b.Dx(), b.Dy())}
}
