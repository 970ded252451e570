package content

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// lucieOnly is the MentionFunc of these tests: only "lucie" is a member.
func lucieOnly(pseudo string) (string, bool) {
	if strings.EqualFold(pseudo, "lucie") {
		return "Lucie", true
	}
	return "", false
}

// xssPayloads are attacks in the style of the OWASP XSS filter-evasion cheat
// sheet, as raw HTML and as markdown constructs. Every one of them must
// render to HTML that passes assertSafeHTML.
var xssPayloads = []struct{ name, src string }{
	// Raw HTML: goldmark omits it, bluemonday would strip it anyway.
	{"script", `<script>alert(1)</script>`},
	{"script-src-uppercase", `<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>`},
	{"script-in-paragraph", "Bonjour <script>alert(document.cookie)</script> à tous"},
	{"img-onerror", `<img src=x onerror=alert(1)>`},
	{"img-onerror-no-quotes-backtick", "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>"},
	{"img-fichiers-onerror", `<img src="/fichiers/a.png" onerror="alert(1)">`},
	{"svg-onload", `<svg onload=alert(1)>`},
	{"svg-slash-onload", `<svg/onload=alert(1)//`},
	{"iframe", `<iframe src="javascript:alert(1)"></iframe>`},
	{"object", `<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>`},
	{"embed", `<embed src="https://evil.example/x.swf">`},
	{"style-tag", `<style>@import 'https://evil.example/x.css'; body{background:url("javascript:alert(1)")}</style>`},
	{"form-action", `<form action="javascript:alert(1)"><button>Envoyer</button></form>`},
	{"button-formaction", `<button formaction=javascript:alert(1)>x</button>`},
	{"meta-refresh", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`},
	{"base-href", `<base href="https://evil.example/">`},
	{"link-stylesheet", `<link rel="stylesheet" href="https://evil.example/x.css">`},
	{"a-href-javascript", `<a href="javascript:alert(1)">clic</a>`},
	{"a-onclick", `<a href="#" onclick="alert(1)">clic</a>`},
	{"details-ontoggle", `<details open ontoggle=alert(1)>`},
	{"div-style-url", `<div style="background:url(javascript:alert(1))">x</div>`},
	{"noscript-title", `<noscript><p title="</noscript><img src=x onerror=alert(1)>">`},
	{"math-href", `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`},
	{"math-xlink", `<math href="javascript:alert(1)">CLIC</math>`},
	{"unclosed-nested-script", `<scr<script>ipt>alert(1)</scr</script>ipt>`},
	{"html-comment", `<!-- <script>alert(1)</script> -->`},
	{"conditional-comment", `<!--[if gte IE 4]><script>alert(1)</script><![endif]-->`},
	{"cdata", `<![CDATA[<script>alert(1)</script>]]>`},
	{"html-block-then-markdown", "<div>\n\n[x](javascript:alert(1))\n\n</div>"},
	{"table-cell-html", "| a |\n|---|\n| <img src=x onerror=alert(1)> |"},
	{"fullwidth-brackets", "＜script＞alert(1)＜/script＞"},
	{"entity-encoded-tag", "&lt;script&gt;alert(1)&lt;/script&gt;"},
	{"emoji-next-to-html", ":smile:<script>alert(1)</script>:smile: :<img src=x onerror=alert(1)>:"},

	// Markdown links and images.
	{"md-link-javascript", `[x](javascript:alert(1))`},
	{"md-link-mixed-case", `[x](JaVaScRiPt:alert(1))`},
	{"md-link-tab-entity", `[x](java&#09;script:alert(1))`},
	{"md-link-newline-entity", `[x](jav&#x0A;ascript:alert(1))`},
	{"md-link-decimal-entity", `[x](&#106;avascript:alert(1))`},
	{"md-link-hex-entities", `[x](&#x6A&#x61;vascript&#x3A;alert(1))`},
	{"md-link-colon-entity", `[x](javascript&colon;alert(1))`},
	{"md-link-pointy", `[x](<javascript:alert(1)>)`},
	{"md-link-leading-space", `[x](  javascript:alert(1) "t")`},
	{"md-link-null-byte", "[x](java\x00script:alert(1))"},
	{"md-link-zero-width", "[x](java\u200bscript:alert(1))"},
	{"md-link-line-separator", "[x](\u2028javascript:alert(1))"},
	{"md-link-fullwidth", "[x](ｊａｖａｓｃｒｉｐｔ:alert(1))"},
	{"md-link-percent-scheme", `[x](%6Aavascript:alert(1))`},
	{"md-link-data-html", `[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`},
	{"md-link-data-html-plain", `[x](data:text/html,<script>alert(1)</script>)`},
	{"md-link-vbscript", `[x](vbscript:msgbox("XSS"))`},
	{"md-link-title-quote-breakout", `[x](/a "\" onmouseover=alert(1) x=\"")`},
	{"md-link-title-single-quote", `[x](/a 'x" onmouseover="alert(1)')`},
	{"md-link-text-html", `[<img src=x onerror=alert(1)>](https://ok.example)`},
	{"md-image-javascript", `![x](javascript:alert(1))`},
	{"md-image-data-svg", `![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`},
	{"md-image-data-svg-plain", `![x](data:image/svg+xml,<svg onload=alert(1)>)`},
	{"md-image-external-tracker", `![x](https://evil.example/track.png)`},
	{"md-image-protocol-relative", `![x](//evil.example/track.png)`},
	{"md-image-alt-html", `![<img src=x onerror=alert(1)>](https://evil.example/a.png)`},
	{"md-image-upload-breakout", `![x](</fichiers/x.png" onerror="alert(1)>)`},
	{"md-autolink-javascript", `<javascript:alert(1)>`},
	{"md-autolink-vbscript", `<vbscript:msgbox(1)>`},
	{"md-autolink-quote", `<https://x.example/" onmouseover="alert(1)>`},
	{"md-linkify-quote", `www.evil.example/"onmouseover=alert(1)`},
	{"md-reference-javascript", "[x][1]\n\n[1]: javascript:alert(1)"},
	{"md-reference-title-breakout", "[x][1]\n\n[1]: /a \"\\\" onclick=\\\"alert(1)\""},
	{"md-shortcut-reference-data", "[x]\n\n[x]: data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="},
	{"md-footnote-script", "texte[^1]\n\n[^1]: <script>alert(1)</script> [x](javascript:alert(1))"},
	{"md-heading-img", `# <img src=x onerror=alert(1)>`},
	{"md-heading-attribute-syntax", `# Titre {#x onclick=alert(1) style="color:red"}`},
	{"md-setext-heading-html", "<img src=x onerror=alert(1)>\n==="},
	{"md-code-span-script", "`<script>alert(1)</script>`"},
	{"md-code-fence-script", "```html\n<script>alert(1)</script>\n```"},
	{"md-code-fence-info-breakout", "```\"><script>alert(1)</script>\nx\n```"},
	{"md-indented-code-script", "    <script>alert(1)</script>"},
	{"md-strikethrough-script", `~~<script>alert(1)</script>~~`},
	{"md-task-list-html", "- [x] <img src=x onerror=alert(1)>\n- [ ] <svg onload=alert(1)>"},
	{"md-blockquote-html", "> <iframe src=javascript:alert(1)>"},
	{"md-mention-in-javascript-link", `[@lucie](javascript:alert(1))`},
	{"md-mention-then-html", `@lucie<img src=x onerror=alert(1)>`},
	{"md-mention-in-url", `[x](/membres/@lucie"onclick=alert(1))`},
	{"md-mention-in-raw-link", `<a href="/membres/@lucie" onclick=alert(1)>@lucie</a>`},
}

// Tags and attributes the sanitizing policy may let through; anything else in
// the output is a leak.
var (
	allowedTags = map[string]bool{
		"p": true, "br": true, "hr": true, "strong": true, "em": true, "del": true, "code": true, "pre": true,
		"blockquote": true, "ul": true, "ol": true, "li": true, "h1": true, "h2": true, "h3": true, "h4": true,
		"h5": true, "h6": true, "sup": true, "sub": true, "section": true, "table": true, "thead": true,
		"tbody": true, "tr": true, "th": true, "td": true, "kbd": true, "mark": true, "span": true, "div": true,
		"a": true, "img": true, "input": true, "abbr": true,
	}
	allowedAttrs = map[string]bool{
		"href": true, "title": true, "rel": true, "class": true, "id": true, "role": true, "src": true,
		"alt": true, "width": true, "height": true, "type": true, "checked": true, "disabled": true,
		"align": true, "start": true,
	}
	urlAttrs = map[string]bool{
		"href": true, "src": true, "action": true, "formaction": true, "xlink:href": true, "background": true,
		"poster": true, "cite": true, "srcset": true, "data": true, "codebase": true, "lowsrc": true,
	}
	forbiddenTags = []string{"<script", "<iframe", "<object", "<embed", "<style", "<form", "<meta", "<base",
		"<svg", "<math", "<link", "<frame", "<applet"}

	eventHandlerRe = regexp.MustCompile(`(?i)<[^>]+\son[a-z]+\s*=`)
	styleAttrRe    = regexp.MustCompile(`(?i)<[^>]+\sstyle\s*=`)
	tagRe          = regexp.MustCompile(`<[^>]*>`)
	quotedValueRe  = regexp.MustCompile(`"[^"]*"|'[^']*'`)
	urlAttrRe      = regexp.MustCompile(`(?i)\s(href|src|action|formaction|xlink:href|background|poster)\s*=\s*"([^"]*)"`)
)

// normalizeURL strips what browsers ignore in a URL attribute (whitespace,
// control characters, NUL) and lowercases it, so "Java\tScript:" is caught.
func normalizeURL(v string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return r
	}, v))
}

// dangerousURL tells why a URL attribute value is not safe, or "".
func dangerousURL(v string) string {
	n := normalizeURL(v)
	for _, s := range []string{"javascript:", "vbscript:", "data:", "livescript:", "mocha:"} {
		if strings.HasPrefix(n, s) {
			return "scheme " + s
		}
	}
	if strings.Contains(n, "javascript:") || strings.Contains(n, "vbscript:") {
		return "contains a script scheme"
	}
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil {
		return "unparseable URL: " + err.Error()
	}
	switch strings.ToLower(u.Scheme) {
	case "", "http", "https", "mailto":
		return ""
	}
	return "scheme " + u.Scheme + ":"
}

// htmlProblems checks rendered HTML and returns what is unsafe in it. First
// layer: golang.org/x/net/html tokenizes the output, so tag names, attribute
// names and (entity-decoded) attribute values are checked exactly. Second
// layer: plain substring/regexp checks on the raw text, in case the tokenizer
// and a browser disagree.
func htmlProblems(out string) []string {
	var probs []string
	add := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }

	// Layer 1: tokenizer.
	z := html.NewTokenizer(strings.NewReader(out))
tokens:
	for {
		switch z.Next() {
		case html.ErrorToken:
			if err := z.Err(); !errors.Is(err, io.EOF) {
				add("tokenizer error: %v", err)
			}
			break tokens
		case html.CommentToken:
			add("comment in output: %q", z.Token().Data)
		case html.DoctypeToken:
			add("doctype in output: %q", z.Token().Data)
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tok := z.Token()
			if !allowedTags[tok.Data] {
				add("element <%s> not allowed", tok.Data)
			}
			if tok.Type == html.EndTagToken {
				continue
			}
			var src *string
			for _, a := range tok.Attr {
				name := strings.ToLower(a.Key)
				if a.Namespace != "" {
					name = strings.ToLower(a.Namespace) + ":" + name
				}
				switch {
				case strings.HasPrefix(name, "on"):
					add("event handler %s=%q on <%s>", name, a.Val, tok.Data)
				case name == "style":
					add("style=%q on <%s>", a.Val, tok.Data)
				case !allowedAttrs[name]:
					add("attribute %s=%q not allowed on <%s>", name, a.Val, tok.Data)
				}
				if urlAttrs[name] {
					if why := dangerousURL(a.Val); why != "" {
						add("<%s %s=%q>: %s", tok.Data, name, a.Val, why)
					}
				}
				if name == "src" {
					v := a.Val
					src = &v
				}
			}
			if tok.Data == "img" {
				switch {
				case src == nil:
					add("<img> without src (only %s… images may be shown)", UploadPrefix)
				case !strings.HasPrefix(*src, UploadPrefix):
					add("<img src=%q> outside %s", *src, UploadPrefix)
				}
			}
		}
	}

	// Layer 2: substrings on the raw output.
	lower := strings.ToLower(out)
	for _, s := range forbiddenTags {
		if strings.Contains(lower, s) {
			add("raw output contains %q", s)
		}
	}
	for _, tag := range tagRe.FindAllString(out, -1) {
		// Attribute values are quoted (and their quotes escaped) by the
		// sanitizer; blank them so a title like `" onclick=x` is not mistaken
		// for an attribute, then look for handler and style attributes.
		bare := quotedValueRe.ReplaceAllString(tag, `""`)
		if eventHandlerRe.MatchString(bare) {
			add("raw tag has an event handler: %s", tag)
		}
		if styleAttrRe.MatchString(bare) {
			add("raw tag has a style attribute: %s", tag)
		}
		for _, m := range urlAttrRe.FindAllStringSubmatch(tag, -1) {
			v := normalizeURL(html.UnescapeString(m[2]))
			if strings.Contains(v, "javascript:") || strings.Contains(v, "vbscript:") || strings.HasPrefix(v, "data:") {
				add("raw tag has a dangerous %s: %s", m[1], tag)
			}
		}
		if t := strings.ToLower(tag); strings.HasPrefix(t, "<img") && !strings.Contains(t, ` src="`+UploadPrefix) {
			add("raw <img> without a %s src: %s", UploadPrefix, tag)
		}
	}
	return probs
}

// assertSafeHTML fails the test if rendered HTML could run script, load
// resources from elsewhere or restyle the page.
func assertSafeHTML(t testing.TB, out string) {
	t.Helper()
	for _, p := range htmlProblems(out) {
		t.Errorf("unsafe HTML: %s\nin: %s", p, out)
	}
}

func TestAssertSafeHTMLCatchesUnsafe(t *testing.T) {
	// The checker itself must flag what it is meant to flag.
	for _, bad := range []string{
		`<script>alert(1)</script>`,
		`<p><a href="javascript:alert(1)">x</a></p>`,
		`<p><a href="JaVa&#09;ScRiPt:alert(1)">x</a></p>`,
		`<p><a href="vbscript:x">x</a></p>`,
		`<p><a href="data:text/html,x">x</a></p>`,
		`<p><img src="data:image/png;base64,AA"/></p>`,
		`<p><img src="https://evil.example/t.png"/></p>`,
		`<p><img alt="x"/></p>`,
		`<p onclick="alert(1)">x</p>`,
		`<p style="color:red">x</p>`,
		`<iframe src="/"></iframe>`,
		`<svg><circle/></svg>`,
		`<math></math>`,
		`<form action="/x"></form>`,
		`<meta http-equiv="refresh">`,
		`<base href="/">`,
		`<object></object>`,
		`<embed src="/x">`,
		`<style>p{}</style>`,
	} {
		if len(htmlProblems(bad)) == 0 {
			t.Errorf("htmlProblems(%q) found nothing", bad)
		}
	}
	for _, good := range []string{
		`<p><a href="https://example.org" rel="nofollow ugc noopener">x</a> <a href="/membres/Lucie" class="mention">@Lucie</a></p>`,
		`<p><a href="/a" title="&#34; onmouseover=alert(1) x=&#34;">x</a></p>`,
		`<p><img src="/fichiers/photo.png" alt="x"/></p>`,
		`<p>javascript:alert(1) &lt;script&gt;</p>`,
		`<ul><li><input checked="" disabled="" type="checkbox"/> fait</li></ul>`,
	} {
		if probs := htmlProblems(good); len(probs) != 0 {
			t.Errorf("htmlProblems(%q) = %q, want none", good, probs)
		}
	}
}

func TestRenderSanitizesXSS(t *testing.T) {
	if len(xssPayloads) < 35 {
		t.Fatalf("only %d payloads", len(xssPayloads))
	}
	m := NewMarkdown()
	seen := map[string]bool{}
	for _, p := range xssPayloads {
		if seen[p.name] {
			t.Fatalf("duplicate payload name %q", p.name)
		}
		seen[p.name] = true
		t.Run(p.name, func(t *testing.T) {
			out := string(m.Render(p.src, lucieOnly).HTML)
			t.Logf("%q\n→ %s", p.src, out)
			assertSafeHTML(t, out)
		})
	}
}

func TestRenderCodeIsEscapedText(t *testing.T) {
	m := NewMarkdown()
	for _, src := range []string{
		"`<script>alert(1)</script>`",
		"```html\n<script>alert(1)</script>\n```",
		"    <script>alert(1)</script>",
	} {
		out := string(m.Render(src, nil).HTML)
		assertSafeHTML(t, out)
		if !strings.Contains(out, "<code") || !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("Render(%q) = %s, want the script shown escaped inside <code>", src, out)
		}
	}
	// Raw HTML is dropped, not shown.
	if out := string(m.Render("avant <b onclick=x>gras</b> après", nil).HTML); strings.Contains(out, "<b") || !strings.Contains(out, "avant") || !strings.Contains(out, "après") {
		t.Errorf("inline raw HTML: got %s", out)
	}
}

func TestRenderHeadingIDs(t *testing.T) {
	m := NewMarkdown()
	out := string(m.Render("# Titre élevé\n\ntexte\n\n## Titre élevé\n\n### Titre élevé\n\n# Ça déménage !\n\n# contenu", nil).HTML)
	for _, want := range []string{
		`<h1 id="titre-eleve">Titre élevé</h1>`,
		`<h2 id="titre-eleve-1">Titre élevé</h2>`,
		`<h3 id="titre-eleve-2">Titre élevé</h3>`,
		`<h1 id="ca-demenage">Ça déménage !</h1>`,
		`<h1 id="contenu-1">contenu</h1>`, // "contenu" is the layout's own anchor
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in\n%s", want, out)
		}
	}
	// IDs restart for every text.
	if out := string(m.Render("# Titre élevé", nil).HTML); !strings.Contains(out, `id="titre-eleve"`) {
		t.Errorf("second render: %s", out)
	}
	// Headings without letters still get a valid ID.
	if out := string(m.Render("# !!!", nil).HTML); !strings.Contains(out, `<h1 id="section">`) {
		t.Errorf("punctuation heading: %s", out)
	}
}

const nofollow = `rel="nofollow ugc noopener"`

func TestRenderLinkRel(t *testing.T) {
	m := NewMarkdown()
	external := []struct{ src, href string }{
		{"[site](https://example.org/page)", "https://example.org/page"},
		{"[site](HTTP://EXAMPLE.ORG)", "http://EXAMPLE.ORG"}, // the sanitizer lowercases the scheme
		{"[site](//example.org/x)", "//example.org/x"},
		{"voir https://example.org/a", "https://example.org/a"},
		{"voir www.example.org", "http://www.example.org"},
		{"<https://example.org/b>", "https://example.org/b"},
		{"[site][r]\n\n[r]: https://example.org/ref", "https://example.org/ref"},
		// Browsers resolve these to another host even though url.Parse
		// finds no Host: "http:evil.example" from an https page and
		// "https:///evil.example" from anywhere.
		{"[site](http:evil.example)", "http:evil.example"},
		{"[site](https:///evil.example)", "https:///evil.example"},
	}
	for _, c := range external {
		out := string(m.Render(c.src, nil).HTML)
		assertSafeHTML(t, out)
		if want := `href="` + c.href + `" ` + nofollow; !strings.Contains(out, want) {
			t.Errorf("Render(%q) = %s, want %s", c.src, out, want)
		}
	}
	for _, src := range []string{
		"[sujet](/sujets/42)",
		"[plus bas](#reponses)",
		"[relatif](sujet/3)",
		"[question](?page=2)",
		"@lucie",
	} {
		out := string(m.Render(src, lucieOnly).HTML)
		assertSafeHTML(t, out)
		if !strings.Contains(out, "<a ") || strings.Contains(out, "rel=") {
			t.Errorf("Render(%q) = %s, want an internal link without rel", src, out)
		}
	}
}

func TestRenderMentions(t *testing.T) {
	m := NewMarkdown()
	const link = `<a href="/membres/Lucie" class="mention">@Lucie</a>`
	r := m.Render("Merci @lucie ! (@Lucie) et @LUCIE, ainsi que @inconnu et ecrire@lucie.fr.", lucieOnly)
	out := string(r.HTML)
	assertSafeHTML(t, out)
	if n := strings.Count(out, link); n != 3 {
		t.Errorf("%d mention links, want 3:\n%s", n, out)
	}
	if len(r.Mentions) != 1 || r.Mentions[0] != "Lucie" {
		t.Errorf("Mentions = %q, want [Lucie]", r.Mentions)
	}
	if !strings.Contains(out, "@inconnu") || strings.Contains(out, "/membres/inconnu") {
		t.Errorf("unknown pseudo should stay text:\n%s", out)
	}
	if strings.Contains(out, `class="mention">@lucie.fr`) || strings.Count(out, "/membres/") != 3 {
		t.Errorf("e-mail address taken for a mention:\n%s", out)
	}

	for _, src := range []string{
		"écrire à ecrire@lucie.fr",
		"@inconnu",
		"`@lucie`",
		"a@lucie",
		"@lu", // too short to be a pseudo
	} {
		r := m.Render(src, lucieOnly)
		if len(r.Mentions) != 0 || strings.Contains(string(r.HTML), `class="mention"`) {
			t.Errorf("Render(%q) = %s, mentions %q; want no mention", src, r.HTML, r.Mentions)
		}
	}
	if r := m.Render("@lucie", nil); len(r.Mentions) != 0 || strings.Contains(string(r.HTML), "<a") {
		t.Errorf("nil MentionFunc: %s %q", r.HTML, r.Mentions)
	}
}

func TestRenderGFM(t *testing.T) {
	m := NewMarkdown()
	src := "~~barré~~ et https://example.org\n\n" +
		"- [x] fait\n- [ ] à faire\n\n" +
		"| Ville | Membres |\n|:------|--------:|\n| Lyon | 12 |\n"
	out := string(m.Render(src, nil).HTML)
	assertSafeHTML(t, out)
	for _, want := range []string{
		"<del>barré</del>",
		`<a href="https://example.org" ` + nofollow + `>https://example.org</a>`,
		`<input checked="" disabled="" type="checkbox"/> fait`,
		`<input disabled="" type="checkbox"/> à faire`,
		"<table>", `<th align="left">Ville</th>`, `<td align="right">12</td>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in\n%s", want, out)
		}
	}
}

func TestRenderFootnotes(t *testing.T) {
	out := string(NewMarkdown().Render("Texte[^1] et encore[^1].\n\n[^1]: La note.", nil).HTML)
	assertSafeHTML(t, out)
	// Every backlink needs its target: goldmark numbers the second reference
	// to a note "fnref1:1".
	for _, want := range []string{`id="fnref:1"`, `href="#fn:1"`, `id="fn:1"`, `class="footnotes"`,
		`href="#fnref:1"`, `href="#fnref1:1"`, `<sup id="fnref1:1">`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in\n%s", want, out)
		}
	}
}

func TestRenderEmoji(t *testing.T) {
	out := string(NewMarkdown().Render("Bravo :smile: !", nil).HTML)
	if !strings.Contains(out, "😄") && !strings.Contains(strings.ToLower(out), "&#x1f604;") {
		t.Errorf("no emoji in %s", out)
	}
	if strings.Contains(out, ":smile:") {
		t.Errorf("shortcode left in %s", out)
	}
}

func TestRenderImages(t *testing.T) {
	m := NewMarkdown()

	out := string(m.Render("![le plan](https://evil.example/track.png)", nil).HTML)
	assertSafeHTML(t, out)
	if want := `<a href="https://evil.example/track.png" ` + nofollow + `>le plan</a>`; !strings.Contains(out, want) {
		t.Errorf("external image: got %s, want %s", out, want)
	}
	out = string(m.Render("![](https://evil.example/track.png)", nil).HTML)
	if !strings.Contains(out, ">image</a>") || strings.Contains(out, "<img") {
		t.Errorf("external image without alt: %s", out)
	}

	out = string(m.Render("![le plan](/fichiers/plan-2024.png \"Plan\")", nil).HTML)
	assertSafeHTML(t, out)
	if !strings.Contains(out, `<img src="/fichiers/plan-2024.png" alt="le plan" title="Plan"/>`) {
		t.Errorf("uploaded image: got %s", out)
	}

	// An address under /fichiers/ that the sanitizer will not accept as a
	// src (it allows only [a-zA-Z0-9._-] after the prefix) must not leave an
	// <img> without src behind; a link, like for other images, is expected.
	for _, src := range []string{
		"![le plan](/fichiers/plan%20v2.png)",
		"![le plan](/fichiers/plan.png?v=2)",
		"![le plan](/fichiers/été.png)",
		"![le plan](/fichiers/sous/dossier.png)",
	} {
		out := string(m.Render(src, nil).HTML)
		assertSafeHTML(t, out)
		if !strings.Contains(out, "le plan") {
			t.Errorf("Render(%q) lost the alt text: %s", src, out)
		}
	}
}

// An image inside a link (the "badge" idiom) becomes a link inside a link:
// browsers close the outer <a> when the inner one opens.
func TestRenderLinkedExternalImageNoNestedLinks(t *testing.T) {
	out := string(NewMarkdown().Render("[![statut](https://ci.example/badge.svg)](https://ci.example/projet)", nil).HTML)
	assertSafeHTML(t, out)
	z := html.NewTokenizer(strings.NewReader(out))
	depth := 0
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		name, _ := z.TagName()
		if string(name) != "a" {
			continue
		}
		switch tt {
		case html.StartTagToken:
			if depth++; depth > 1 {
				t.Errorf("nested <a> in %s", out)
			}
		case html.EndTagToken:
			depth--
		}
	}
	if !strings.Contains(out, "statut") || !strings.Contains(out, `href="https://ci.example/projet"`) {
		t.Errorf("got %s", out)
	}
}

func TestPlainText(t *testing.T) {
	m := NewMarkdown()
	r := m.Render("# Titre\n\nUn **texte** avec [un lien](/a) et @lucie.\n\n- un\n- deux", lucieOnly)
	if got, want := PlainText(r.HTML), "Titre Un texte avec un lien et @Lucie. un deux"; got != want {
		t.Errorf("PlainText = %q, want %q", got, want)
	}
	// Inline markup never separates words: excerpts must read like the text.
	r = m.Render("Voir l'**association** (super*cali*fragile) : *oui* !", nil)
	if got, want := PlainText(r.HTML), "Voir l'association (supercalifragile) : oui !"; got != want {
		t.Errorf("PlainText = %q, want %q", got, want)
	}
	if got := PlainText(m.Render("a &lt; b & c", nil).HTML); got != "a < b & c" {
		t.Errorf("PlainText entities = %q", got)
	}
}

// renderWithin renders src in a goroutine and fails if it takes longer than
// limit (a hang guard: a runaway render keeps running in the background).
// hangGuard catches a render that never ends; it is not a speed check (the
// benchmarks are): under the race detector on a busy 2-core machine a 0.3 s
// render takes over 5 s.
const hangGuard = 60 * time.Second

func renderWithin(t *testing.T, m *Markdown, src string, limit time.Duration) (string, time.Duration, bool) {
	t.Helper()
	type result struct {
		html string
		d    time.Duration
	}
	done := make(chan result, 1)
	go func() {
		start := time.Now()
		r := m.Render(src, lucieOnly)
		done <- result{string(r.HTML), time.Since(start)}
	}()
	select {
	case r := <-done:
		return r.html, r.d, true
	case <-time.After(limit):
		t.Errorf("Render of %d bytes did not finish within %v", len(src), limit)
		return "", limit, false
	}
}

func lines(n int, line func(i int) string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(line(i))
		b.WriteByte('\n')
	}
	return b.String()
}

// maxPostLength mirrors MaxBodyLength (topic.go): the largest text a member
// can submit, so the worst case an attacker can send.
const maxPostLength = 50000

func pathologicalInputs() []struct{ name, src string } {
	invalid := string([]byte{0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x90, 0x28, 0xbc, 0xed, 0xa0, 0x80, 0xc0, 0xaf, 0x00})
	return []struct{ name, src string }{
		{"10k '>' on one line", strings.Repeat(">", 10000) + " x"},
		{"10k '> ' on one line", strings.Repeat("> ", 10000) + "x"},
		{"10k lines of 64 nested '>'", lines(10000, func(int) string { return strings.Repeat("> ", 64) + "x" })},
		{"10k lines of '>' staircase", lines(10000, func(i int) string { return strings.Repeat(">", i%200+1) + " x" })},
		{"5k nested '[' closed", strings.Repeat("[", 5000) + "x" + strings.Repeat("](/a)", 5000)},
		{"5k '[' unclosed", strings.Repeat("[", 5000) + "x"},
		{"5k '![' unclosed", strings.Repeat("![", 5000) + "x"},
		{"5k '[' then ']'", strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "(/a)"},
		{"5k '*'", strings.Repeat("*", 5000)},
		{"5k '_'", strings.Repeat("_", 5000)},
		{"5k '*a'", strings.Repeat("*a", 5000)},
		{"5k '_a '", strings.Repeat("_a ", 5000)},
		{"5k '*_' mixed", strings.Repeat("*_", 5000) + "x" + strings.Repeat("_*", 5000)},
		{"5k '**a__'", strings.Repeat("**a__", 5000)},
		{"5k '*[' emphasis and links", strings.Repeat("*[", 5000) + strings.Repeat("](/a)*", 5000)},
		{"5k backticks", strings.Repeat("`", 5000) + strings.Repeat("a`", 5000)},
		{"1 MB single line", strings.Repeat("abcd efgh ", 100000)},
		// Beyond this size the store refuses a text before rendering it.
		{"a post full of '<a '", strings.Repeat("<a ", maxPostLength/3)},
		{"a post full of mentions", strings.Repeat("@lucie ", maxPostLength/7)},
		{"a post full of entities", strings.Repeat("&amp;&#0;&#x110000;&", maxPostLength/21)},
		{"2000-level list on one line", strings.Repeat("- ", 2000) + "x"},
		{"2000-level ordered list on one line", strings.Repeat("1. ", 2000) + "x"},
		{"2000 levels of '> - '", strings.Repeat("> - ", 2000) + "x"},
		{"indented nested list (post-size)", lines(220, func(i int) string { return strings.Repeat("  ", i) + "- x" })},
		{"tab-indented nested list (post-size)", lines(440, func(i int) string { return strings.Repeat("\t", i/2) + "- x" })},
		// Every blank line is processed once per open container, and goldmark
		// keeps a per-line, per-container record: 2,000 levels then 16,000
		// blank lines is a 20 KB post (under the 50,000-character limit).
		{"2000-level list then blank lines (post-size)", strings.Repeat("- ", 2000) + "x\n" + strings.Repeat("\n", 16000)},
		{"288-level list built over 9 lines then blank lines (post-size)", tabBuiltList(8) + strings.Repeat("\n", maxPostLength-len(tabBuiltList(8)))},
		{"1000 table columns", lines(3, func(i int) string {
			if i == 1 {
				return strings.Repeat("|-", 1000) + "|"
			}
			return strings.Repeat("| a ", 1000) + "|"
		})},
		{"10k footnote references", strings.Repeat("[^1]", 10000) + "\n\n[^1]: note"},
		{"invalid UTF-8", strings.Repeat(invalid, 20000)},
		{"invalid UTF-8 in markup", "[x](java\xc0script:alert(1)) @luc\xffie ![\xfe](/fichiers/\xff.png) # \xed\xa0\x80"},
	}
}

// tabBuiltList nests 32 list levels per line over lines+1 lines, each
// line indented (with tabs, 4 columns a byte) to the content column of the
// previous one: no single line holds more than 32 markers or 128 blanks, yet
// the list ends 32×(lines+1) levels deep.
func tabBuiltList(lines int) string {
	var b strings.Builder
	for i := 0; i <= lines; i++ {
		b.WriteString(strings.Repeat("\t", 16*i) + strings.Repeat("- ", 32) + "x\n")
	}
	return b.String()
}

// Memory, not just time: a deep list followed by blank lines must not make a
// short post allocate hundreds of megabytes (goldmark records every line
// once per open container). Kept before TestRenderPathological so a runaway
// render from there cannot skew it.
func TestRenderDeepListBlankLinesMemory(t *testing.T) {
	m := NewMarkdown()
	for _, c := range []struct{ name, src string }{
		{"one line", strings.Repeat("- ", 2000) + "x\n" + strings.Repeat("\n", 4000)}, // 8 KB
		{"built over lines", tabBuiltList(8) + strings.Repeat("\n", 4000)},            // 5 KB
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		out := string(m.Render(c.src, nil).HTML)
		runtime.ReadMemStats(&after)
		assertSafeHTML(t, out)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
			t.Errorf("%s: rendering %d bytes allocated %d MB", c.name, len(c.src), alloc>>20)
		}
	}
}

func TestRenderPathological(t *testing.T) {
	m := NewMarkdown()
	for _, c := range pathologicalInputs() {
		t.Run(c.name, func(t *testing.T) {
			out, d, ok := renderWithin(t, m, c.src, hangGuard)
			t.Logf("%d bytes in, %d bytes out, %v", len(c.src), len(out), d)
			if !ok {
				return
			}
			if d > time.Second {
				t.Logf("SLOW: %v", d)
			}
			assertSafeHTML(t, out)
		})
	}
	// A post of the maximum length stays within the guard too.
	if len(strings.Repeat("- ", 2000)+"x\n"+strings.Repeat("\n", 16000)) > maxPostLength {
		t.Fatal("the blank-lines case no longer fits in a post")
	}
}

// frenchTexts are ordinary posts, used as fuzz seeds.
var frenchTexts = []string{
	"Bonjour à tous,\n\nJe cherche un **médecin traitant** près de Lyon. Des idées ?\n\nMerci d'avance !",
	"## Compte rendu de la réunion\n\n1. Accueil des nouveaux membres\n2. Point sur l'*association*\n3. Questions diverses\n\n> « La santé n'a pas de prix. »",
	"@lucie tu peux regarder [ce lien](https://www.service-public.fr/) ? Sinon écris à contact@ligue.fr :smile:",
	"| Jour | Horaire |\n|------|---------|\n| Lundi | 9h–12h |\n\n- [x] Envoyer le dossier\n- [ ] Appeler la CPAM\n\n`code` et ~~rayé~~",
}

func FuzzRender(f *testing.F) {
	for _, p := range xssPayloads {
		f.Add(p.src)
	}
	for _, s := range frenchTexts {
		f.Add(s)
	}
	m := NewMarkdown()
	f.Fuzz(func(t *testing.T, src string) {
		r := m.Render(src, lucieOnly)
		if probs := htmlProblems(string(r.HTML)); len(probs) > 0 {
			t.Fatalf("input %q\nrendered %s\nproblems:\n%s", src, r.HTML, strings.Join(probs, "\n"))
		}
		for i, a := range r.Mentions {
			if a != "Lucie" {
				t.Fatalf("input %q: unexpected mention %q", src, a)
			}
			for _, b := range r.Mentions[:i] {
				if a == b {
					t.Fatalf("input %q: duplicate mention %q", src, a)
				}
			}
		}
	})
}

const benchPost = `Bonjour à toutes et à tous,

Suite à la réunion de jeudi dernier à la maison des associations, voici un
petit résumé des décisions prises, pour celles et ceux qui n'ont pas pu venir.
Merci encore à @lucie pour l'accueil et pour le café, très apprécié par ce froid.

- La permanence du samedi matin reprend dès le mois prochain, de 9 h à 12 h.
- Les dossiers de remboursement doivent être envoyés **avant le 15 mars**.
- Nous cherchons deux bénévoles pour tenir le stand au forum de la santé.
- Le compte rendu complet sera publié sur le site dans la semaine.

Pour les démarches auprès de la caisse, la fiche pratique est toujours valable :
[les étapes détaillées](https://www.ameli.fr/assure/remboursements). Pensez à
indiquer la référence ` + "`DOSSIER-2024-117`" + ` dans l'objet de votre courriel,
cela évite bien des allers-retours avec le secrétariat.

Si vous avez des questions, n'hésitez pas à répondre ici ou à venir nous voir
directement lors de la prochaine permanence. Bonne semaine à tous !
`

func BenchmarkRender(b *testing.B) {
	m := NewMarkdown()
	b.SetBytes(int64(len(benchPost)))
	b.ReportAllocs()
	for b.Loop() {
		m.Render(benchPost, lucieOnly)
	}
}

func TestQuoteLanguage(t *testing.T) {
	md := NewMarkdown()
	for _, c := range []struct{ src, want string }{
		{"> [en] Have you tried turning it off?", `<blockquote lang="en"><p>Have you tried turning it off?</p>`},
		{"> [en]\n> Hello *there*", `<blockquote lang="en"><p>Hello <em>there</em></p>`},
		{"> [pt-BR] Olá, tudo bem?", `<blockquote lang="pt-BR"><p>Olá, tudo bem?</p>`},
		{"> [ar] مرحبا\n>\n> second paragraph", `<blockquote lang="ar"><p>مرحبا</p>`},
		// Not a marker: left as the person wrote it.
		{"> Bonjour [en] non", "<blockquote>\n<p>Bonjour [en] non</p>"},
		{"> [english] no", "<p>[english] no</p>"},
		{"> [en]", "<p>[en]</p>"},
		{"[en] hors citation", "<p>[en] hors citation</p>"},
		{"[en]: /fichiers/a\n\n> [en] lien", `<blockquote>` + "\n" + `<p><a href="/fichiers/a">en</a> lien</p>`},
		{`> [en" onclick="x] no`, `<p>[en&#34; onclick=&#34;x] no</p>`},
	} {
		got := string(md.Render(c.src, nil).HTML)
		if !strings.Contains(got, c.want) {
			t.Errorf("%q:\n got %s\nwant %s", c.src, got, c.want)
		}
	}
}
