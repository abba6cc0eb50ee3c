package data

import (
	"fmt"
	"image"
	"math"

	"github.com/mambaad/mambaad/data/imageio"
)

// ImageNet statistics the frozen encoder was trained with (torchvision's
// Normalize constants, as float32 like the reference tensors).
var (
	Mean = [3]float32{0.485, 0.456, 0.406}
	Std  = [3]float32{0.229, 0.224, 0.225}
)

// LoadImage reads an image file and applies the reference preprocessing:
// convert to RGB, resize to size×size with PIL's bilinear filter, centre
// crop to crop×crop, scale to [0,1] and normalise with Mean and Std. The
// result is CHW float32, 3·crop·crop values.
func LoadImage(path string, size, crop int) ([]float32, error) {
	if err := checkGeometry(size, crop); err != nil {
		return nil, err
	}
	img, err := imageio.DecodeFile(path)
	if err != nil {
		return nil, err
	}
	return ImageTensor(img, size, crop), nil
}

// LoadMask reads a ground-truth mask and returns crop×crop values, 1 for
// defect and 0 for background, computed as the reference does: pixels with
// PIL luma > 0 become 255, the 'L' image is resized like the input image
// and centre-cropped, and values above 0.5 after ToTensor (≥ 128) are set.
func LoadMask(path string, size, crop int) ([]uint8, error) {
	if err := checkGeometry(size, crop); err != nil {
		return nil, err
	}
	img, err := imageio.DecodeFile(path)
	if err != nil {
		return nil, err
	}
	return MaskTensor(img, size, crop), nil
}

// ImageTensor is LoadImage for an image already in memory.
func ImageTensor(img image.Image, size, crop int) []float32 {
	out := make([]float32, 3*crop*crop)
	normalize(resizeCrop(imageio.ToRGB(img), size, crop), out)
	return out
}

// MaskTensor is LoadMask for a mask already in memory.
func MaskTensor(img image.Image, size, crop int) []uint8 {
	out := make([]uint8, crop*crop)
	binarize(resizeCrop(imageio.ToMask(img), size, crop), out)
	return out
}

func checkGeometry(size, crop int) error {
	if size <= 0 || crop <= 0 {
		return fmt.Errorf("data: resize %d and crop %d must both be positive", size, crop)
	}
	return nil
}

// resizeCrop resizes to size×size and centre-crops to crop×crop.
func resizeCrop(m *imageio.Image8, size, crop int) *imageio.Image8 {
	r := imageio.Resize(m, size, size)
	if crop == size {
		return r
	}
	x0, y0 := centerCropOrigin(size, crop), centerCropOrigin(size, crop)
	return r.Crop(x0, y0, crop, crop)
}

// CenterCropOrigin is where the centre crop of LoadImage starts, in both
// axes of the size×size resized image (negative when crop > size pads the
// image): it lets a crop×crop anomaly map be placed back onto the input.
func CenterCropOrigin(size, crop int) int { return centerCropOrigin(size, crop) }

// centerCropOrigin is torchvision's CenterCrop offset along one axis:
// round((n − crop)/2) with Python's round-half-to-even when the crop fits,
// and minus the left padding ((crop − n) // 2) when it does not.
func centerCropOrigin(n, crop int) int {
	if crop > n {
		return -((crop - n) / 2)
	}
	return int(math.RoundToEven(float64(n-crop) / 2))
}

// normalize is ToTensor followed by Normalize, in float32 operations in
// the same order as torch ((x/255 − mean)/std), so values match bit for bit.
func normalize(m *imageio.Image8, out []float32) {
	plane := m.W * m.H
	for c := 0; c < 3; c++ {
		mean, std := Mean[c], Std[c]
		dst := out[c*plane : (c+1)*plane]
		for i := range dst {
			v := float32(m.Pix[3*i+c]) / 255
			dst[i] = (v - mean) / std
		}
	}
}

// binarize applies ToTensor and the > 0.5 threshold: v/255 > 0.5 ⇔ v ≥ 128.
func binarize(m *imageio.Image8, out []uint8) {
	for i, v := range m.Pix {
		if v >= 128 {
			out[i] = 1
		} else {
			out[i] = 0
		}
	}
}
