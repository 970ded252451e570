package content

import (
	"fmt"
	"testing"
)

func TestProbe(t *testing.T) {
	m := NewMarkdown()
	mf := func(p string) (string, bool) {
		if p == "lucie" || p == "Lucie" {
			return "Lucie", true
		}
		return "", false
	}
	for _, s := range []string{
		"<javascript:alert(1)>",
		"[x](/a \"\\\" onmouseover=alert(1) x=\\\"\")",
		"![x](</fichiers/x.png\" onerror=\"alert(1)>)",
		"![x](/fichiers/a%20b.png)",
		"![x](/fichiers/photo.png)",
		"![x](https://evil.example/track.png)",
		"[x](http:evil.example) [y](https:\\\\evil.example) [z](https://evil.example) [w](/local) [v](//evil.example)",
		"# Titre élevé\n\n# Titre élevé\n\n# contenu",
		"@lucie et @Lucie et @inconnu, ecrire@lucie.fr [@lucie](https://x.example)",
		":smile: ~~barré~~ www.example.com https://example.org\n\n- [x] fait\n- [ ] pas fait\n\n| a | b |\n|:-|-:|\n| 1 | 2 |",
		"texte[^1]\n\n[^1]: note",
		"# <img src=x onerror=alert(1)>",
		"[x](java&#09;script:alert(1)) [y](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
		"`<script>alert(1)</script>`\n\n```html\n<script>alert(1)</script>\n```",
		"![](https://e.example/x.png) [![x](https://e.example/i.png)](https://e.example)",
	} {
		r := m.Render(s, mf)
		fmt.Printf("IN  %q\nOUT %s\nMEN %v\n\n", s, r.HTML, r.Mentions)
	}
}
