package server

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/ligue-mednum/ligue/content"
)

// jpegWithGPS returns a real JPEG carrying an EXIF segment with GPS data,
// as a phone would write it.
func jpegWithGPS(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{200, 30, 30, 255})
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	exif := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08GPSLatitude=48.8566N;GPSLongitude=2.3522E;Model=PhoneX")
	seg := make([]byte, 4, 4+len(exif))
	seg[0], seg[1] = 0xFF, 0xE1
	binary.BigEndian.PutUint16(seg[2:], uint16(len(exif)+2))
	seg = append(seg, exif...)
	b := buf.Bytes()
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

func pngImage(t *testing.T, w, h int) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// postMultipart sends the reply form with a file, as a browser would.
func (cl *client) postMultipart(path string, fields map[string]string, fileName string, file []byte) *response {
	cl.site.t.Helper()
	if cl.csrf == "" {
		cl.get("/connexion")
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", cl.csrf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if fileName != "" {
		fw, _ := w.CreateFormFile("fichier", fileName)
		fw.Write(file)
	}
	w.Close()
	return cl.do("POST", path, &body, w.FormDataContentType())
}

var uploadLink = regexp.MustCompile(`/fichiers/([0-9a-f]{32}(?:\.small)?\.(?:jpg|png|pdf))`)

func TestUploads(t *testing.T) {
	ts := newTestSite(t, func(c *Config) { c.MaxUpload = 1 << 20 })
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Captures d’écran de la CAF", "Texte")
	cl := ts.loggedIn(karim)
	reply := "/discussions/" + itoa(int(topic.ID)) + "/reponses"

	photo := jpegWithGPS(t, 1600, 900)
	if !bytes.Contains(photo, []byte("GPSLatitude")) {
		t.Fatal("test photo has no GPS data")
	}
	r := cl.postMultipart(reply, map[string]string{"body": "Voici l’écran :", "action": "joindre", "alt": "écran d’accueil"}, "IMG_0001.JPG", photo)
	if r.status != 200 || !strings.Contains(r.body, "Voici l’écran :") || !strings.Contains(r.body, "[![écran d’accueil](/fichiers/") {
		t.Fatalf("attach: %d\n%s", r.status, r.body)
	}
	names := uploadLink.FindAllStringSubmatch(r.body, -1)
	if len(names) != 2 {
		t.Fatalf("links in body: %v", names)
	}
	for _, n := range names {
		res := ts.client().get("/fichiers/" + n[1])
		if res.status != 200 || res.header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("%s: %d %s", n[1], res.status, res.header.Get("Content-Type"))
		}
		if strings.Contains(res.body, "GPSLatitude") || strings.Contains(res.body, "Exif") || strings.Contains(res.body, "PhoneX") {
			t.Errorf("%s still carries EXIF/GPS metadata", n[1])
		}
		img, _, err := image.DecodeConfig(strings.NewReader(res.body))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(n[1], ".small.") && img.Width != 1200 {
			t.Errorf("reduced image is %d px wide", img.Width)
		}
	}

	// The post with the image publishes and displays the reduced image.
	body := r.body[strings.Index(r.body, "Voici l’écran :"):]
	body = body[:strings.Index(body, "</textarea>")]
	body = strings.NewReplacer("&#39;", "'", "&lt;", "<", "&gt;", ">", "&amp;", "&", "&#34;", `"`).Replace(body)
	if r := cl.postMultipart(reply, map[string]string{"body": body, "action": "publier"}, "", nil); r.status != 303 {
		t.Fatalf("publish: %d\n%s", r.status, r.body)
	}
	if page := ts.client().get(topic.Path()); !strings.Contains(page.body, `<img src="/fichiers/`+names[0][1]) && !strings.Contains(page.body, `<img src="/fichiers/`+names[1][1]) {
		t.Errorf("image not displayed:\n%s", page.body)
	}

	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	r = cl.postMultipart(reply, map[string]string{"body": "", "action": "joindre"}, "guide CAF.pdf", pdf)
	m := uploadLink.FindStringSubmatch(r.body[strings.Index(r.body, "[guide CAF.pdf"):])
	if r.status != 200 || m == nil {
		t.Fatalf("pdf: %d", r.status)
	}
	res := ts.client().get("/fichiers/" + m[1])
	if res.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(res.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("pdf served as %v", res.header)
	}

	for _, tc := range []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"html disguised as an image", "photo.png", []byte("<!doctype html><script>alert(1)</script>"), "Ce type de fichier n’est pas accepté"},
		{"gif/javascript polyglot", "x.gif", []byte("GIF89a/*\x00\x00*/=alert(1)//;"), "Cette image est"},
		{"fake pdf", "doc.pdf", []byte("%PDF-1.4 <html><script>alert(1)</script>"), "PDF semble abîmé"},
		{"too big", "grand.png", append(pngImage(t, 10, 10), make([]byte, 1<<20)...), "trop volumineux"},
		{"pixel flood", "flood.png", pixelFlood(), "trop grande"},
		{"empty", "vide.png", nil, "Choisissez un fichier"},
	} {
		r := cl.postMultipart(reply, map[string]string{"body": "Mon texte à garder", "action": "joindre"}, tc.file, tc.data)
		if r.status != 422 || !strings.Contains(r.body, tc.want) || !strings.Contains(r.body, "Mon texte à garder") {
			t.Errorf("%s: %d, want 422 with %q and the text kept\n%s", tc.name, r.status, tc.want, r.body[strings.Index(r.body, "<main"):])
		}
	}
	if r := ts.client().get("/fichiers/../ligue.db"); r.status != 404 {
		t.Errorf("path traversal: %d", r.status)
	}
}

// pixelFlood is a tiny PNG whose header announces 100,000 × 100,000 pixels.
func pixelFlood() []byte {
	b := pngImage(nil, 1, 1)
	binary.BigEndian.PutUint32(b[16:], 100000)
	binary.BigEndian.PutUint32(b[20:], 100000)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29])) // IHDR stays valid
	return b
}

// pngHeader is a tiny PNG (1 × 1 really) whose header announces w × h pixels
// of the given bit depth and color type.
func pngHeader(w, h int, depth, colorType byte) []byte {
	b := pngImage(nil, 1, 1)
	binary.BigEndian.PutUint32(b[16:], uint32(w))
	binary.BigEndian.PutUint32(b[20:], uint32(h))
	b[24], b[25] = depth, colorType
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// Decoding is bounded by pixels × bytes per pixel, before any allocation.
func TestImagesTooHeavyToDecodeAreRefused(t *testing.T) {
	ts := newTestSite(t)
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Des photos de l’atelier", "Voici")
	cl := ts.loggedIn(karim)
	reply := "/discussions/" + itoa(int(topic.ID)) + "/reponses"
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"16-bit RGBA 10000×4000", pngHeader(10000, 4000, 16, 6)},
		{"16-bit RGB 10000×4000", pngHeader(10000, 4000, 16, 2)},
		{"8-bit RGBA 6000×6000", pngHeader(6000, 6000, 8, 6)},
		{"16-bit gray 7000×5000", pngHeader(7000, 5000, 16, 0)},
		{"8-bit RGB 20001×10", pngHeader(20001, 10, 8, 2)},
	} {
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		cl.get(topic.Path())
		r := cl.postMultipart(reply, map[string]string{"body": "Mon texte à garder", "action": "joindre"}, "atelier.png", tc.data)
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if r.status != 422 || !strings.Contains(r.body, "trop grande") || !strings.Contains(r.body, "Mon texte à garder") {
			t.Errorf("%s: %d", tc.name, r.status)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
			t.Errorf("%s: %d MB allocated to refuse it", tc.name, grew>>20)
		}
	}
	// A photo of ordinary size still goes through.
	cl.get(topic.Path())
	if r := cl.postMultipart(reply, map[string]string{"body": "Photo", "action": "joindre"}, "photo.jpg", jpegWithGPS(t, 1600, 1200)); r.status != 200 {
		t.Errorf("ordinary photo: %d", r.status)
	}
}

// An upload over the limit gets a French 413 with the typed text ready to
// send again, not a cut connection.
func TestOversizedUploadKeepsTheText(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ts := newTestSite(t, func(c *Config) { c.BaseURL = base; c.MaxUpload = 1 << 20 })
	go ts.srv.App().Listener(ln)
	t.Cleanup(func() { ts.srv.App().Shutdown() })
	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Des photos de l’atelier", "Voici")

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) string {
		res, err := browser.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	csrf := func(page string) string { return csrfInput.FindStringSubmatch(page)[1] }
	login := url.Values{"login": {karim.Email}, "password": {testPassword}, "_csrf": {csrf(get("/connexion"))}}
	req, _ := http.NewRequest("POST", base+"/connexion", strings.NewReader(login.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	if res, err := browser.Do(req); err != nil || res.StatusCode != 303 {
		t.Fatalf("login: %v", err)
	}

	for _, size := range []int{3 << 20, 9 << 20} {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		w.WriteField("_csrf", csrf(get(topic.Path())))
		// Each size its own text: the same one sent again would be a double submission.
		text := fmt.Sprintf("Mon long texte à garder, « avec des guillemets », n°%d.", size>>20)
		w.WriteField("body", text)
		w.WriteField("action", "joindre")
		fw, _ := w.CreateFormFile("fichier", "enorme.jpg")
		fw.Write(bytes.Repeat([]byte{0xff}, size))
		w.Close()
		req, _ := http.NewRequest("POST", base+"/discussions/"+itoa(int(topic.ID))+"/reponses", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Origin", base)
		res, err := browser.Do(req)
		if err != nil {
			t.Fatalf("%d MB upload: the connection failed: %v", size>>20, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		page := string(b)
		if res.StatusCode != 413 || !strings.Contains(page, "trop volumineux") || !strings.Contains(page, text) ||
			!strings.Contains(page, `name="_csrf"`) {
			t.Errorf("%d MB upload: %d %.400s", size>>20, res.StatusCode, page)
		}
		// The form it shows can be sent as it is.
		again := url.Values{"_csrf": {csrf(page)}, "body": {text}, "action": {"publier"}}
		req, _ = http.NewRequest("POST", base+"/discussions/"+itoa(int(topic.ID))+"/reponses", strings.NewReader(again.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", base)
		if res, err := browser.Do(req); err != nil || res.StatusCode != 303 {
			t.Errorf("sending the kept text again: %v %v", res.StatusCode, err)
		}
	}
	// The API answers in its JSON shape.
	res, err := http.Post(base+"/api/v1/discussions", "application/json", bytes.NewReader(bytes.Repeat([]byte(" "), 3<<20)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 413 || !strings.Contains(string(b), `"too_large"`) {
		t.Errorf("API: %d %s", res.StatusCode, b)
	}
}
