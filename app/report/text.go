package report

import (
	"image"
	"image/color"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// captionFace is the face of gallery captions and of the gallery's colour
// bar: basicfont's 7×13 bitmap face is built in and pixel-sharp at 1:1,
// which is how galleries are viewed, and survives the report's JPEG
// encoding better than antialiased text.
var captionFace font.Face = basicfont.Face7x13

var goRegular = sync.OnceValue(func() *opentype.Font {
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		panic("report: the built-in Go Regular font does not parse: " + err.Error())
	}
	return f
})

// TextFace returns the built-in Go Regular font at px pixels, with hinting
// so that stems fall on whole pixels. Text that must scale with a picture
// (the legend of a predict heat map) uses it; a face is not safe for
// concurrent use, so each drawing gets its own.
func TextFace(px float64) font.Face {
	f, err := opentype.NewFace(goRegular(), &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic("report: Go Regular at " + fmtScore(float32(px)) + " px: " + err.Error())
	}
	return f
}

// asciiOnly replaces what basicfont cannot draw (it has ASCII glyphs only)
// with '?' rather than an invisible box.
func asciiOnly(face font.Face, s string) string {
	if face != captionFace {
		return s
	}
	r := []rune(s)
	for i, c := range r {
		if (c < 0x20 || c > 0x7e) && c != '\n' {
			r[i] = '?'
		}
	}
	return string(r)
}

// textWidth is the advance width of s in whole pixels (rounded up).
func textWidth(face font.Face, s string) int {
	return font.MeasureString(face, s).Ceil()
}

// lineHeightOf is the height of one line of text in face: ascent plus
// descent, without leading.
func lineHeightOf(face font.Face) int {
	m := face.Metrics()
	return m.Ascent.Ceil() + m.Descent.Ceil()
}

// drawText draws s with its top-left corner at (x, y).
func drawText(dst *image.RGBA, face font.Face, c color.Color, x, y int, s string) {
	d := font.Drawer{Dst: dst, Src: image.NewUniform(c), Face: face,
		Dot: fixed.P(x, y+face.Metrics().Ascent.Ceil())}
	d.DrawString(s)
}

// wrapText breaks s into lines no wider than maxW pixels: at spaces where it
// can, inside a word (after '/', '_', '-' or '.' when possible, else
// anywhere) when a word is wider than a line by itself. Every character of
// s is kept, so a wrapped file name or score is still complete; "\n" starts
// a new line. A line narrower than one character still gets one character.
func wrapText(face font.Face, s string, maxW int) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			cand := word
			if line != "" {
				cand = line + " " + word
			}
			if textWidth(face, cand) <= maxW {
				line = cand
				continue
			}
			if line != "" {
				out = append(out, line)
				line = ""
			}
			for textWidth(face, word) > maxW {
				head, tail := breakWord(face, word, maxW)
				out = append(out, head)
				word = tail
			}
			line = word
		}
		out = append(out, line)
	}
	// Drop blank lines at the end only (an empty title has no lines).
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// breakWord splits a word too wide for maxW: the longest head that fits,
// shortened to end after a separator ('/', '_', '-', else '.') when one
// lies in its last two thirds.
func breakWord(face font.Face, word string, maxW int) (head, tail string) {
	r := []rune(word)
	n := 1
	for n < len(r) && textWidth(face, string(r[:n+1])) <= maxW {
		n++
	}
	for _, seps := range []string{"/_-", "."} {
		for k := n; k > n/3 && k > 1; k-- {
			if strings.ContainsRune(seps, r[k-1]) {
				return string(r[:k]), string(r[k:])
			}
		}
	}
	return string(r[:n]), string(r[n:])
}
