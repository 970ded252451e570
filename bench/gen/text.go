package gen

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// French-like text: the words of the field and of everyday French, drawn
// with Zipf's law as in real text (a few words are very common, most are
// rare), plus made-up words that look French, in sentences and paragraphs
// with the markdown members use.

var fieldWords = strings.Fields(`médiation numérique accompagnement usager usagère démarche administrative caf cpam ants
impôts déclaration revenus attestation paiement allocation logement rsa prime activité inscription actualisation
mot passe adresse courriel messagerie smartphone tablette ordinateur imprimante scanner clé usb atelier collectif
seniors jeunes famille parent école pronote rendez-vous préfecture titre séjour carte identité passeport permis
vitale ameli mutuelle santé médecin ordonnance bibliothèque médiathèque centre social mairie services conseiller
coordinatrice formateur bénévole structure réseau territoire département région financement subvention appel
projet pass chèque aidant franceconnect sécurité arnaque hameçonnage virus sauvegarde photo fichier dossier
document pdf formulaire signature pièce justificative relevé bancaire facture électricité internet box wifi forfait
téléphone mobile application télécharger installer mise jour compte connexion identifiant code confirmation
personne âgée handicap illettrisme allophone traduction langue écrit lecture écriture autonomie confiance
permanence accueil guichet espace public fracture inclusion diagnostic compétences parcours orientation
partenaire convention bilan rapport statistiques indicateurs fiche ressource tutoriel vidéo capture écran
navigateur lien page site courrier envoi réponse délai dossier retraite agirc carsat assurance maladie chômage`)

var commonWords = strings.Fields(`le la les de des du un une et à au aux pour avec sans sur dans par qui que est son sa ses
il elle on nous vous ils elles ce cette ces mais ou donc car ne pas plus très bien aussi comme tout tous faire
avoir être peut doit faut fait dit voir venir prendre donner trouver chercher aider demander expliquer montrer
souvent parfois toujours jamais encore déjà ici là même autre chaque premier dernier bon petit grand nouveau`)

var openers = strings.Fields(`Bonjour Merci Alors Ensuite Pourtant Chez Pour Depuis Souvent Parfois Hier Aujourd’hui
Franchement Attention Personnellement Finalement Justement Effectivement`)

var tagWords = strings.Fields(`caf ameli ants impots france-travail pronote franceconnect aidants-connect pass-numerique
seniors jeunes allophones handicap ateliers smartphone ordinateur securite arnaques courriel identite-numerique
retraite logement sante formation financement diagnostic accueil tutoriel permanence bibliotheque`)

// vocabulary is fieldWords and commonWords interleaved so Zipf's law draws
// both, followed by made-up French-looking words.
var vocabulary = func() []string {
	r := rand.New(rand.NewPCG(7, 7))
	syll := strings.Fields("ma mé ri on tion ment que ra lo ge ble té dé pro con ver sé ti na ré ca pi mo lu vi ai eu ou in an")
	var words []string
	for i := 0; i < len(fieldWords) || i < len(commonWords); i++ {
		if i < len(commonWords) {
			words = append(words, commonWords[i])
		}
		if i < len(fieldWords) {
			words = append(words, fieldWords[i])
		}
	}
	for len(words) < 20000 {
		var w strings.Builder
		for n := 2 + r.IntN(3); n > 0; n-- {
			w.WriteString(syll[r.IntN(len(syll))])
		}
		words = append(words, w.String())
	}
	return words
}()

// writer draws words and texts from one random source.
type writer struct {
	r    *rand.Rand
	zipf *rand.Zipf
}

// What a writer draws, each from its own stream.
const (
	streamPost   = iota // a post's length, author and replies
	streamBody          // a post's text
	streamTopic         // a topic's title, kind, category, tags, accepted answer
	streamMember        // a member's profile
)

// newWriter returns the writer of one item (a post, a topic, a member) and
// stream: seeded by them, so the same item is written the same on every
// run and anywhere (a quote writes the quoted post again).
func newWriter(seed uint64, stream int, item uint64) *writer {
	r := rand.New(rand.NewPCG(seed<<2|uint64(stream), item))
	return &writer{r: r, zipf: rand.NewZipf(r, 1.07, 2, uint64(len(vocabulary)-1))}
}

func (w *writer) word() string { return vocabulary[w.zipf.Uint64()] }

// postWords draws a post's length in words: log-normal with a median of
// 250, between 20 and 1,500.
func (w *writer) postWords() int {
	n := int(math.Round(250 * math.Exp(0.75*w.r.NormFloat64())))
	return min(max(n, 20), 1500)
}

// sentence appends about n words ending in ".", "?" or "!".
func (w *writer) sentence(b *strings.Builder, n int) {
	if w.r.IntN(5) == 0 {
		b.WriteString(openers[w.r.IntN(len(openers))])
		b.WriteString(", ")
		n--
	}
	first := true
	for i := 0; i < n; i++ {
		word := w.word()
		if first {
			word = capitalize(word)
			first = false
		} else {
			b.WriteByte(' ')
		}
		switch x := w.r.IntN(40); {
		case x == 0:
			word = "**" + word + "**"
		case x == 1:
			word = "*" + word + "*"
		case x == 2 && i < n-1:
			word += ","
		}
		b.WriteString(word)
	}
	switch w.r.IntN(8) {
	case 0:
		b.WriteString(" ?")
	case 1:
		b.WriteString(" !")
	default:
		b.WriteByte('.')
	}
}

func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// body writes a post of about n words: paragraphs, and now and then a
// list, a link, code, a heading or a mention of a member drawn by mention.
func (w *writer) body(n int, mention func() string) string {
	var b strings.Builder
	b.Grow(n * 7)
	written := 0
	for written < n {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		left := n - written
		switch x := w.r.IntN(20); {
		case x == 0 && left > 60:
			b.WriteString("### " + capitalize(w.word()) + " " + w.word() + "\n\n")
			written += 2
		case x == 1 && left > 30:
			items := 2 + w.r.IntN(4)
			for i := 0; i < items; i++ {
				if w.r.IntN(3) == 0 {
					b.WriteString(strconv.Itoa(i+1) + ". ")
				} else {
					b.WriteString("- ")
				}
				w.sentence(&b, 4+w.r.IntN(6))
				b.WriteByte('\n')
				written += 7
			}
			continue
		case x == 2:
			b.WriteString("Voir [" + w.word() + " " + w.word() + "](https://www.exemple.fr/" + w.word() + ") : ")
			written += 3
		case x == 3 && left > 40 && w.r.IntN(4) == 0:
			b.WriteString("```\n" + w.word() + " = " + w.word() + "\n" + w.word() + "(" + w.word() + ")\n```\n\n")
			written += 4
		case x == 4 && mention != nil:
			b.WriteString("@" + mention() + " ")
			written++
		}
		spaced := false // a paragraph's prefix ends with its own space
		for sentences := 2 + w.r.IntN(4); sentences > 0 && written < n; sentences-- {
			if spaced {
				b.WriteByte(' ')
			}
			k := min(6+w.r.IntN(15), n-written+1)
			w.sentence(&b, k)
			written += k
			if w.r.IntN(30) == 0 {
				b.WriteString(" Le code est `" + w.word() + "`.")
				written += 4
			}
			spaced = true
		}
	}
	return b.String()
}

// title is a topic title of 4 to 10 words, ending with "?" for a question.
func (w *writer) title(question bool) string {
	var b strings.Builder
	w.sentence(&b, 4+w.r.IntN(7))
	t := strings.TrimRight(b.String(), ".?! ")
	t = strings.ReplaceAll(strings.ReplaceAll(t, "*", ""), ",", "")
	if question {
		return t + " ?"
	}
	return t
}

// tags draws 0 to 3 tags.
func (w *writer) tags() string {
	n := w.r.IntN(4)
	var tags []string
	for i := 0; i < n; i++ {
		tags = append(tags, tagWords[w.r.IntN(len(tagWords))])
	}
	return strings.Join(tags, ",")
}

// countWords counts the words of a text as the length checks do.
func countWords(s string) int { return len(strings.Fields(s)) }
