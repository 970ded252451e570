package content

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // registers the GIF decoder
	"image/jpeg"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/disintegration/imaging"
	_ "golang.org/x/image/webp" // registers the WebP decoder
)

// Upload limits.
const (
	DefaultMaxUpload = 8 << 20
	maxPixels        = 40_000_000 // a 10,000 × 4,000 photo; beyond, a "pixel flood"
	// maxDecoded bounds the memory a decoded image takes: pixels × bytes
	// per pixel (a 48-megapixel JPEG, a 16-bit PNG of 8 megapixels).
	maxDecoded   = 64 << 20
	displayWidth = 1200
)

// Upload is a file a member attached, stored under its content hash.
type Upload struct {
	ID          int64     `db:"id"`
	Name        string    `db:"name"`
	UserID      int64     `db:"user_id"`
	Original    string    `db:"original"`
	ContentType string    `db:"content_type"`
	Size        int64     `db:"size"`
	Width       int       `db:"width"`
	Height      int       `db:"height"`
	CreatedAt   time.Time `db:"created_at"`
	// Display is the name of the reduced image shown in posts ("" for a PDF).
	Display string `db:"-"`
}

// IsImage tells an image from a document.
func (u *Upload) IsImage() bool { return strings.HasPrefix(u.ContentType, "image/") }

// Markdown is the text inserted in a post for this upload.
func (u *Upload) Markdown(alt string) string {
	alt = strings.NewReplacer("[", "", "]", "", "\n", " ").Replace(strings.TrimSpace(alt))
	if u.IsImage() {
		return "[![" + alt + "](" + UploadPrefix + u.Display + ")](" + UploadPrefix + u.Name + ")"
	}
	label := strings.NewReplacer("[", "", "]", "").Replace(u.Original)
	return "[" + label + " (PDF, " + humanSize(u.Size) + ")](" + UploadPrefix + u.Name + ")"
}

func humanSize(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d\u00a0ko", (n+1023)/1024)
	}
	return strings.Replace(fmt.Sprintf("%.1f\u00a0Mo", float64(n)/(1<<20)), ".", ",", 1)
}

// SaveUpload checks, cleans and stores a file: the type is sniffed from the
// bytes, never taken from the name; images are decoded and re-encoded, which
// drops EXIF and GPS metadata and anything appended to them, and a reduced
// copy is kept for display.
func (s *Store) SaveUpload(ctx context.Context, u *User, original string, data []byte, maxBytes int64, dir string) (*Upload, error) {
	if err := CanWrite(u); err != nil {
		return nil, err
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxUpload
	}
	if len(data) == 0 {
		return nil, Invalid("fichier", "Choisissez un fichier à joindre.")
	}
	if int64(len(data)) > maxBytes {
		return nil, Invalid("fichier", fmt.Sprintf("Ce fichier est trop volumineux (%s) : %s au plus.", humanSize(int64(len(data))), humanSize(maxBytes)))
	}
	up := &Upload{UserID: u.ID, Original: cleanFileName(original), CreatedAt: s.Now()}
	var full, small []byte
	var ext string
	switch sniffed := http.DetectContentType(data); sniffed {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		var err error
		if full, small, ext, err = reencode(data, up); err != nil {
			return nil, err
		}
	case "application/pdf":
		if !bytes.HasPrefix(data, []byte("%PDF-")) || !bytes.Contains(data[max(0, len(data)-2048):], []byte("%%EOF")) {
			return nil, Invalid("fichier", "Ce PDF semble abîmé ou n’en est pas vraiment un.")
		}
		full, ext, up.ContentType = data, ".pdf", "application/pdf"
	default:
		return nil, Invalid("fichier", "Ce type de fichier n’est pas accepté : joignez une image (JPEG, PNG, WebP, GIF) ou un PDF.")
	}
	sum := sha256.Sum256(full)
	hash := hex.EncodeToString(sum[:16])
	up.Name, up.Size = hash+ext, int64(len(full))
	if small != nil {
		up.Display = hash + ".small" + ext
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(dir, up.Name), full); err != nil {
		return nil, err
	}
	if small != nil {
		if err := writeFileAtomic(filepath.Join(dir, up.Display), small); err != nil {
			return nil, err
		}
	}
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO uploads (name, user_id, original, content_type, size, width, height, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		up.Name, up.UserID, up.Original, up.ContentType, up.Size, up.Width, up.Height, up.CreatedAt)
	return up, err
}

// reencode decodes an image (after checking its announced size, so a tiny
// file claiming a huge canvas is refused before any allocation) and encodes
// it again, full size and reduced.
func reencode(data []byte, up *Upload) (full, small []byte, ext string, err error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, nil, "", Invalid("fichier", "Cette image est illisible ou abîmée.")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels || cfg.Width > 20000 || cfg.Height > 20000 ||
		float64(cfg.Width)*float64(cfg.Height)*bytesPerPixel(cfg.ColorModel) > maxDecoded {
		return nil, nil, "", Invalid("fichier", fmt.Sprintf("Cette image est trop grande (%d × %d pixels) : réduisez-la, "+
			"par exemple à 4 000 pixels de large, puis joignez-la de nouveau.", cfg.Width, cfg.Height))
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, nil, "", Invalid("fichier", "Cette image est illisible ou abîmée.")
	}
	up.Width, up.Height = cfg.Width, cfg.Height
	encode := func(m image.Image) ([]byte, error) {
		var buf bytes.Buffer
		var err error
		if format == "jpeg" {
			err = jpeg.Encode(&buf, m, &jpeg.Options{Quality: 85})
		} else {
			err = png.Encode(&buf, m)
		}
		return buf.Bytes(), err
	}
	ext, up.ContentType = ".png", "image/png"
	if format == "jpeg" {
		ext, up.ContentType = ".jpg", "image/jpeg"
	}
	if full, err = encode(img); err != nil {
		return nil, nil, "", err
	}
	reduced := img
	if cfg.Width > displayWidth {
		reduced = imaging.Resize(img, displayWidth, 0, imaging.Lanczos)
	}
	small, err = encode(reduced)
	return full, small, ext, err
}

// bytesPerPixel is what one pixel of a color model takes once decoded.
func bytesPerPixel(m color.Model) float64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3 // at most (4:4:4); less when subsampled
	case color.CMYKModel, color.RGBAModel, color.NRGBAModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8 // unknown: count the widest
}

func cleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 32 || strings.ContainsRune(`<>:"/\|?*`, r) {
			return -1
		}
		return r
	}, name)
	name = TruncateRunes(name, 100)
	if name == "" || name == "." {
		return "fichier"
	}
	return name
}

func writeFileAtomic(path string, data []byte) error {
	if _, err := os.Stat(path); err == nil {
		return nil // same hash, same bytes
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// UploadByName finds an upload (or its reduced copy) by file name.
func (s *Store) UploadByName(ctx context.Context, name string) (*Upload, error) {
	base := strings.Replace(name, ".small.", ".", 1)
	var up Upload
	err := s.db.R.GetContext(ctx, &up, `SELECT id, name, user_id, original, content_type, size, width, height, created_at
		FROM uploads WHERE name = ?`, base)
	return &up, notFound(err)
}
