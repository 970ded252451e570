package content

import (
	"strings"
	"testing"
)

// A language mark may be followed by any inline markup.
var quoteLangVariants = []string{
	"> [fr] **Important** : à lire.",
	"> [en] *Hello*",
	"> [en] _Hello_ world",
	"> [de] [Link](https://exemple.fr)",
	"> [de] <https://exemple.fr>",
	"> [en] `code` here",
	"> [en] @Karim said so",
	"> [en] <b>HTML</b>",
	"> [en] ~~gone~~",
	"> [en] ![image](/fichiers/a.png)",
	"> [en] :smile: hi",
	"> [en] [^1]\n\n[^1]: note",
	"> [en]\n> **Second line**",
	"> [en] \\*escaped\\*",
	"> [pt-BR] **Olá**",
	"> [en]**glued**",
	"> [en] a\n> [fr] b",
	"> [en]",
	"> [en] ",
	"> > [en] *nested*",
}

func TestQuoteLanguageBeforeInlineMarkup(t *testing.T) {
	md := NewMarkdown()
	for _, src := range quoteLangVariants {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%q: panic %v", src, r)
				}
			}()
			html := string(md.Render(src, nil).HTML)
			if strings.Contains(src, "**Important**") && (!strings.Contains(html, `lang="fr"`) || !strings.Contains(html, "<strong>Important</strong>") || strings.Contains(html, "[fr]")) {
				t.Errorf("%q rendered as %s", src, html)
			}
			if src == "> [en] *Hello*" && (!strings.Contains(html, `lang="en"`) || !strings.Contains(html, "<em>Hello</em>")) {
				t.Errorf("%q rendered as %s", src, html)
			}
		}()
	}
}

func FuzzQuoteLanguage(f *testing.F) {
	for _, s := range quoteLangVariants {
		f.Add(s)
	}
	md := NewMarkdown()
	f.Fuzz(func(t *testing.T, src string) {
		md.Render("> [en] "+src, nil)
		md.Render("> [fr]"+src, nil)
	})
}
