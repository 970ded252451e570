package pdf

import (
	"bytes"
	"errors"
	"image"
	"image/draw"
	_ "image/gif" // decoders for image.DecodeConfig and image.Decode
	"image/jpeg"
	"image/png"
	"io"
	"strconv"

	"codeberg.org/go-pdf/fpdf"
	"github.com/disintegration/imaging"
	_ "golang.org/x/image/webp"
)

// Limits on what one image may cost.
const (
	maxImages     = 100      // per document; more show their alt text
	maxImageBytes = 20 << 20 // a bigger file is not read
	maxPixels     = 40e6     // checked from the header, before decoding
	maxSide       = 2000     // px; larger images are scaled down first
	imageDPI      = 150      // how big a pixel prints, unless the page is narrower
	maxImageH     = 120.0    // mm
)

// loadedImage is an image registered in the PDF, or why it could not be.
type loadedImage struct {
	name string
	w, h int // px
	err  error
}

var errNoImage = errors.New("pdf: image not shown")

// image places an image as a block, scaled to fit the text's width and
// maxImageH; when it cannot be shown, its alt text stands in its place.
func (r *renderer) image(ref *imageRef, size float64) {
	img := r.load(ref.src)
	if img.err != nil {
		r.flow(r.alt(nil, ref, &style{italic: true, size: size, color: mutedColor, link: ref.link}), size)
		return
	}
	w := float64(img.w) * 25.4 / imageDPI
	h := float64(img.h) * 25.4 / imageDPI
	if maxW := r.right - r.left; w > maxW {
		w, h = maxW, h*maxW/w
	}
	if h > maxImageH {
		w, h = w*maxImageH/h, maxImageH
	}
	x := r.left
	r.emit(h, func(top float64) {
		r.pdf.ImageOptions(img.name, x, top, w, h, false, fpdf.ImageOptions{}, 0, ref.link)
	})
}

// alt appends the text shown instead of an image.
func (r *renderer) alt(ps []piece, ref *imageRef, st *style) []piece {
	alt := ref.alt
	if alt == "" {
		alt = "sans description"
	}
	return r.appendText(ps, "[image\u00a0: "+alt+"]", st)
}

// load reads, checks and registers the image at src once per document.
func (r *renderer) load(src string) *loadedImage {
	if img, ok := r.loaded[src]; ok {
		return img
	}
	img := &loadedImage{name: "img" + strconv.Itoa(len(r.loaded))}
	r.loaded[src] = img
	if r.images == nil || len(r.loaded) > maxImages || r.pdf.Err() {
		img.err = errNoImage
		return img
	}
	data, typ, err := r.read(src, img)
	if err != nil {
		img.err = err
		return img
	}
	r.pdf.RegisterImageOptionsReader(img.name, fpdf.ImageOptions{ImageType: typ}, bytes.NewReader(data))
	if r.pdf.Err() {
		// Only this image failed: the document goes on without it.
		r.pdf.ClearError()
		img.err = errNoImage
	}
	return img
}

// read returns the image at src in a form fpdf embeds as is, a JPEG or a
// plain 8-bit PNG, and sets img's size in pixels. Dimensions are checked
// before anything is decoded, so a small file announcing a huge picture
// costs nothing.
func (r *renderer) read(src string, img *loadedImage) ([]byte, string, error) {
	rc, err := r.images(src)
	if err != nil {
		return nil, "", err
	}
	if rc == nil {
		return nil, "", errNoImage
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxImageBytes+1))
	if err != nil {
		return nil, "", err
	}
	if len(data) > maxImageBytes {
		return nil, "", errNoImage
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, "", err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || float64(cfg.Width)*float64(cfg.Height) > maxPixels {
		return nil, "", errNoImage
	}
	img.w, img.h = cfg.Width, cfg.Height
	small := cfg.Width <= maxSide && cfg.Height <= maxSide
	switch {
	case small && format == "jpeg":
		return data, "JPG", nil
	case small && format == "png" && plainPNG(data):
		return data, "PNG", nil
	}
	m, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", err
	}
	var out image.Image = m
	if !small {
		out = imaging.Fit(m, maxSide, maxSide, imaging.Box)
		img.w, img.h = out.Bounds().Dx(), out.Bounds().Dy()
	}
	var buf bytes.Buffer
	if format == "jpeg" {
		err = jpeg.Encode(&buf, out, &jpeg.Options{Quality: 85})
		return buf.Bytes(), "JPG", err
	}
	// NRGBA: Go's encoder then writes 8 bits per channel, which fpdf reads.
	nrgba := image.NewNRGBA(out.Bounds())
	draw.Draw(nrgba, nrgba.Bounds(), out, out.Bounds().Min, draw.Src)
	err = png.Encode(&buf, nrgba)
	return buf.Bytes(), "PNG", err
}

// plainPNG tells a PNG that fpdf can embed: at most 8 bits per channel, not
// interlaced (the IHDR chunk is always first).
func plainPNG(b []byte) bool {
	return len(b) > 28 && string(b[12:16]) == "IHDR" && b[24] <= 8 && b[28] == 0
}
