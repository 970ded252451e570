package server

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// TestFicheEditorsSeeEachOther opens two editor streams over real HTTP:
// the second editor's arrival is told to the first, and a saved revision
// reaches both; a brouillon's stream is refused to others.
func TestFicheEditorsSeeEachOther(t *testing.T) {
	ts := newTestSite(t)
	aliceU, brunoU := ts.mustCreateMember("alice", content.RoleMember), ts.mustCreateMember("bruno", content.RoleMember)
	alice, bruno := ts.loggedIn(aliceU), ts.loggedIn(brunoU)
	path := mustPublishFiche(t, alice, "Une fiche écrite à deux", ficheBody)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go ts.srv.App().Listener(ln)
	stop := ts.srv.startBackground() // the live hub follows the event stream
	t.Cleanup(func() { ts.srv.live.close(); ts.srv.App().Shutdown(); stop() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	open := func(cl *client) *bufio.Reader {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+ln.Addr().String()+path+"/evenements?edition=1", nil)
		for k, v := range cl.cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("stream: %v %v", err, res)
		}
		t.Cleanup(func() { res.Body.Close() })
		return bufio.NewReader(res.Body)
	}
	next := func(r *bufio.Reader, want string) {
		t.Helper()
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("waiting for %q: %v", want, err)
			}
			if strings.HasPrefix(line, "data: ") && strings.Contains(line, want) {
				return
			}
		}
	}
	a := open(alice)
	next(a, `"editors":[]`)
	b := open(bruno)
	next(b, `"editors":["alice"]`)
	next(a, `"editors":["bruno"]`)
	if r := alice.postForm(path+"/modifier", ficheForm("Une fiche écrite à deux", ficheBody+"\nSuite.\n", "1")); r.status != http.StatusSeeOther {
		t.Fatal(r.status)
	}
	next(b, `"revision":2`)

	if r := alice.postForm("/fiches/nouvelle", ficheForm("Un brouillon à soi", ficheBody, "")); r.status != http.StatusSeeOther {
		t.Fatal(r.status)
	} else if got := bruno.get(r.location + "/evenements?edition=1"); got.status != http.StatusNotFound {
		t.Errorf("brouillon stream to another member: %d", got.status)
	}
}
