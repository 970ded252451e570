package server

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// The shipped nginx site, deploy/nginx/ligue.conf, run by Debian's nginx on
// loopback in front of the real server: its public listeners swapped for a
// plain loopback one, everything else (upstream, cache, and the locations
// of ligue-locations.conf, included as they are) left as shipped.

const (
	shippedSite      = "../deploy/nginx/ligue.conf"
	shippedLocations = "../deploy/nginx/ligue-locations.conf"
)

// findNginx is the path of Debian's nginx, "" when it is not installed.
func findNginx() string {
	if path, err := exec.LookPath("nginx"); err == nil {
		return path
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx" // not on the PATH of users other than root
	}
	return ""
}

// replaceOnce replaces old, which must appear exactly once in s: a change
// to the shipped file fails here instead of testing something else.
func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if n := strings.Count(s, old); n != 1 {
		t.Fatalf("%s: %q appears %d times, want once", shippedSite, old, n)
	}
	return strings.Replace(s, old, new, 1)
}

// loopbackSite is the shipped site with its public listeners replaced by
// listen, its upstream by ligueAddr and its cache in dir.
func loopbackSite(t *testing.T, listen, ligueAddr, dir string) string {
	t.Helper()
	b, err := os.ReadFile(shippedSite)
	if err != nil {
		t.Fatal(err)
	}
	site := string(b)
	begin, end := strings.Index(site, "# BEGIN public listeners"), strings.Index(site, "# END public listeners")
	if begin < 0 || end < begin {
		t.Fatalf("%s: the public listeners are not marked", shippedSite)
	}
	end += strings.Index(site[end:], "\n")
	site = site[:begin] + "server {\n\tlisten " + listen + ";" + site[end:]
	site = replaceOnce(t, site, "server 127.0.0.1:8080;", "server "+ligueAddr+";")
	site = replaceOnce(t, site, "/var/cache/nginx/ligue", filepath.Join(dir, "cache"))
	locations, err := filepath.Abs(shippedLocations)
	if err != nil {
		t.Fatal(err)
	}
	return replaceOnce(t, site, "include /etc/nginx/snippets/ligue-locations.conf;", "include "+locations+";")
}

// startNginx runs nginx in front of the server at ligueAddr, listening on
// listen, until the test ends.
func startNginx(t *testing.T, listen, ligueAddr string) {
	t.Helper()
	nginx := findNginx()
	if nginx == "" {
		requireTool(t, "nginx", "make test installs Debian's nginx (make nginx-deps)")
	}
	dir := t.TempDir()
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // workers write request bodies into dir, which is root's
	}
	conf := fmt.Sprintf(`%s
daemon off;
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path %[2]s/body;
	proxy_temp_path %[2]s/proxy;
	fastcgi_temp_path %[2]s/fastcgi;
	uwsgi_temp_path %[2]s/uwsgi;
	scgi_temp_path %[2]s/scgi;
	gzip on; # as in Debian's nginx.conf
%s
}
`, user, dir, loopbackSite(t, listen, ligueAddr, dir))
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"-p", dir, "-c", path, "-e", filepath.Join(dir, "error.log")}
	if out, err := exec.Command(nginx, append(args, "-t")...).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s\n%s", err, out, conf)
	}
	cmd := exec.Command(nginx, args...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGQUIT)
		cmd.Wait()
		if t.Failed() {
			errors, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx:\n%s%s", logs.String(), errors)
		}
	})
	for i := 0; ; i++ {
		if res, err := http.Get("http://" + listen + "/sante"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if i == 200 {
			t.Fatalf("nginx does not answer on %s", listen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var nginxBodyLimit = regexp.MustCompile(`(?m)^client_max_body_size (\d+)m;`)

func TestBehindTheShippedNginx(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close()
	public := "http://" + listen
	ts, direct := listeningSite(t, func(c *Config) { c.BaseURL = public; c.TrustedProxies = []string{"127.0.0.1"} })
	startNginx(t, listen, strings.TrimPrefix(direct, "http://"))

	t.Run("the client's own address reaches the limiter", func(t *testing.T) {
		// Each attempt makes up another X-Forwarded-For: nginx appends the
		// real address after it, and that is the one counted.
		attacker := newWebClient(t, public, public, "127.0.0.2")
		for i, status := range failLogins(attacker, loginIPLimit, func(i int) {
			attacker.headers["X-Forwarded-For"] = "203.0.113." + strconv.Itoa(i+1)
		}) {
			if status != http.StatusUnauthorized { // not 403: the Origin check passes behind nginx
				t.Fatalf("failure %d through nginx: %d", i+1, status)
			}
		}
		attacker.headers["X-Forwarded-For"] = "198.51.100.200"
		if r := attacker.postForm("/connexion", url.Values{"login": {"encore-un"}, "password": {"x"}}); r.status != http.StatusTooManyRequests {
			t.Errorf("127.0.0.2 after %d failures, rotating X-Forwarded-For: %d, want 429", loginIPLimit, r.status)
		}
		neighbour := newWebClient(t, public, public, "127.0.0.3")
		if r := neighbour.postForm("/connexion", url.Values{"login": {"encore-un"}, "password": {"x"}}); r.status != http.StatusUnauthorized {
			t.Errorf("another client of the same nginx: %d, want 401", r.status)
		}
	})

	karim := ts.mustCreateMember("Karim", content.RoleMember)
	topic := ts.mustCreateTopic(karim, "Des photos de l’atelier tablette", "Voici le programme")
	member := newWebClient(t, public, public, "127.0.0.4")
	if r := member.postForm("/connexion", url.Values{"login": {karim.Email}, "password": {testPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("login through nginx: %d", r.status)
	}

	t.Run("live updates are not buffered", func(t *testing.T) {
		visitor := newWebClient(t, public, public, "127.0.0.5") // a member's stream also carries their unread count
		req, _ := http.NewRequest("GET", public+"/discussions/"+itoa(int(topic.ID))+"/evenements", nil)
		// As a browser asks over http; Ligue compresses the stream, flushing
		// at each event.
		req.Header.Set("Accept-Encoding", "gzip, deflate")
		res, err := visitor.http.Do(req)
		if err != nil || res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("event stream through nginx: %v %v", err, res)
		}
		defer res.Body.Close()
		lines := make(chan string)
		go func() {
			defer close(lines)
			unzipped, err := gzip.NewReader(res.Body)
			if err != nil {
				return
			}
			sc := bufio.NewScanner(unzipped)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		// Should nginx hold the stream back, the test ends it after two
		// keep-alives: what was held then comes, but after the end.
		ending := time.After(2 * streamKeepAlive)
		ended := false
		waitFor := func(want string) {
			t.Helper()
			for {
				select {
				case line, open := <-lines:
					if !open {
						t.Fatalf("the stream ended before %q", want)
					}
					if line == want {
						if ended {
							t.Errorf("%q came only when the stream ended: held back on the way", want)
						}
						return
					}
				case <-ending:
					ended = true
					ts.srv.live.close()
				}
			}
		}
		waitFor("data: 1") // the current state, at once
		ts.mustReply(karim, topic, "Une réponse écrite pendant que la page est ouverte", 0)
		waitFor("data: 2")
	})

	t.Run("an oversized upload gets Ligue's page, the text kept", func(t *testing.T) {
		b, err := os.ReadFile(shippedLocations)
		if err != nil {
			t.Fatal(err)
		}
		m := nginxBodyLimit.FindSubmatch(b)
		if m == nil {
			t.Fatalf("%s sets no client_max_body_size in MB", shippedLocations)
		}
		mb, _ := strconv.Atoi(string(m[1]))
		nginxLimit := mb << 20
		if nginxLimit <= ts.srv.bodyLimit() || int64(nginxLimit) > ts.srv.drainLimit() {
			t.Fatalf("nginx lets %d MB through; Ligue answers bodies from %d to %d bytes itself", mb, ts.srv.bodyLimit(), ts.srv.drainLimit())
		}
		member.get(topic.Path())
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		w.WriteField("_csrf", member.csrf)
		text := "Mon compte rendu de l’atelier, « à garder »."
		w.WriteField("body", text)
		w.WriteField("action", "joindre")
		fw, _ := w.CreateFormFile("fichier", "photo.jpg")
		fw.Write(bytes.Repeat([]byte{0xff}, (ts.srv.bodyLimit()+nginxLimit)/2))
		w.Close()
		r := member.send("/discussions/"+itoa(int(topic.ID))+"/reponses", w.FormDataContentType(), &body)
		if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "trop volumineux") || !strings.Contains(r.body, text) {
			t.Errorf("upload between the two limits: %d %.300s", r.status, r.body)
		}
	})

	t.Run("static files are kept by nginx, compressed by Ligue", func(t *testing.T) {
		css := ts.srv.assets.URL("css/site.css")
		visitor := newWebClient(t, public, public, "127.0.0.6")
		visitor.headers["Accept-Encoding"] = "br, gzip"
		var cache []string
		for i := 0; i < 2; i++ {
			r := visitor.get(css)
			if r.status != http.StatusOK || r.header.Get("Content-Encoding") != "br" ||
				!strings.Contains(r.header.Get("Cache-Control"), "immutable") {
				t.Errorf("%s through nginx: %d, Content-Encoding %q, Cache-Control %q", css, r.status,
					r.header.Get("Content-Encoding"), r.header.Get("Cache-Control"))
			}
			cache = append(cache, r.header.Get("X-Cache-Status"))
		}
		if cache[1] != "HIT" {
			t.Errorf("nginx cache on the second request: %q", cache)
		}
	})
}
