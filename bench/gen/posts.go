package gen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/ligue-mednum/ligue/content"
)

// item is one post to write: post number of topic, at a date (Unix
// nanoseconds).
type item struct {
	at     int64
	topic  int32
	number int32
}

// plan is when each post is written: topics start across three years and
// their replies follow, most soon after, some much later; all posts in
// date order.
type plan struct {
	start  time.Time
	counts []int // posts per topic
	items  []item
}

func newPlan(o Options) *plan {
	r := rand.New(rand.NewPCG(o.Seed, 0))
	total := o.Topics * o.PostsPerTopic
	counts := make([]int, o.Topics)
	counts[0] = max(1, min(o.LongTopic, total-(o.Topics-1)))
	// The other topics share the remaining replies with a long tail: most
	// get a few, some hundreds.
	extra := total - counts[0] - (o.Topics - 1)
	weights, sum := make([]float64, o.Topics), 0.0
	for i := 1; i < o.Topics; i++ {
		weights[i] = math.Pow(r.ExpFloat64(), 1.5)
		sum += weights[i]
	}
	given := 0
	for i := 1; i < o.Topics; i++ {
		n := int(float64(extra) * weights[i] / sum)
		counts[i] = 1 + n
		given += n
	}
	for ; given < extra && o.Topics > 1; given++ {
		counts[1+r.IntN(o.Topics-1)]++
	}

	end := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
	p := &plan{start: end.Add(-3 * 365 * 24 * time.Hour), counts: counts}
	span := end.Sub(p.start)
	p.items = make([]item, 0, total)
	for i, c := range counts {
		begin := p.start.Add(time.Duration(r.Float64() * 0.97 * float64(span)))
		left := end.Sub(begin)
		at := make([]int64, c)
		at[0] = begin.UnixNano()
		for k := 1; k < c; k++ {
			u := r.Float64()
			at[k] = begin.Add(time.Minute + time.Duration(u*u*u*float64(left-time.Minute))).UnixNano()
		}
		slices.Sort(at[1:])
		for k := range c {
			p.items = append(p.items, item{at: at[k], topic: int32(i), number: int32(k + 1)})
		}
	}
	sortItems(p.items)
	return p
}

// prepared is an item ready for the writer.
type prepared struct {
	it     item
	author int
	topic  *content.PreparedTopic
	ref    topicRef // of a new topic
	reply  *content.PreparedReply
	err    error
}

// posts writes every planned post: workers write and render them ahead
// (rendering is most of the cost), one writer stores them in date order,
// o.Batch per transaction.
func (g *generator) posts(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g.topics = make([]topicRef, g.o.Topics)
	g.written = sync.NewCond(&g.topicsMu)
	jobs := make(chan job)
	pending := make(chan chan prepared, 64*g.o.Workers)
	go func() { // dispatch in order, so a reply's topic is always prepared before it
		defer close(pending)
		defer close(jobs)
		for _, it := range g.plan.items {
			out := make(chan prepared, 1)
			select {
			case jobs <- job{it, out}:
			case <-ctx.Done():
				return
			}
			select {
			case pending <- out:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range g.o.Workers {
		go func() {
			for j := range jobs {
				j.out <- g.prepare(ctx, j.it)
			}
		}()
	}
	defer g.fail() // wakes workers waiting for a topic that will not come
	done := 0
	for done < len(g.plan.items) {
		err := g.store.Bulk(ctx, func(b *content.Bulk) error {
			for n := 0; n < g.o.Batch && done < len(g.plan.items); n++ {
				out, ok := <-pending
				if !ok {
					return ctx.Err()
				}
				p := <-out
				if p.err != nil {
					return p.err
				}
				if err := g.write(b, p); err != nil {
					return err
				}
				done++
			}
			return ctx.Err()
		})
		if err != nil {
			return err
		}
	}
	return nil
}

type job struct {
	it  item
	out chan prepared
}

// prepare writes and renders one post.
func (g *generator) prepare(ctx context.Context, it item) prepared {
	p := prepared{it: it}
	w := newWriter(g.o.Seed, streamPost, postSeed(it.topic, it.number))
	n := w.postWords()
	p.author = g.author(w)
	if it.number == 1 {
		tw := newWriter(g.o.Seed, streamTopic, uint64(it.topic))
		question := it.topic != 0 && tw.r.IntN(5) < 2
		p.ref = topicRef{author: p.author, question: question}
		if c := g.plan.counts[it.topic]; question && c >= 2 && tw.r.IntN(10) < 6 {
			p.ref.accept = 2 + tw.r.IntN(min(c-1, 5))
		}
		cat := categories[tw.r.IntN(len(categories))]
		if it.topic == 0 {
			cat = categories[0]
		}
		kind := content.KindDiscussion
		if question {
			kind = content.KindQuestion
		}
		p.topic, p.err = g.store.PrepareTopic(ctx, g.users[p.author], content.NewTopic{Title: tw.title(question),
			Body: g.ownWords(it.topic, it.number, n), Category: cat, Tags: tw.tags(), Kind: kind})
		return p
	}
	ref, ok := g.waitTopic(it.topic)
	if !ok {
		p.err = errors.New("arrêté")
		return p
	}
	var in content.NewReply
	// Some replies answer an earlier post, some quote it (short posts
	// only: QuoteOf quotes a post whole).
	if k := int(it.number); k > 2 && w.r.IntN(4) == 0 {
		j := max(1, k-1-w.r.IntN(min(k-1, 5)))
		in.ReplyTo = j
		qw := newWriter(g.o.Seed, streamPost, postSeed(it.topic, int32(j)))
		if qn := qw.postWords(); qn <= 120 && w.r.IntN(2) == 0 {
			quoted := &content.Post{Number: j, Body: g.ownWords(it.topic, int32(j), qn),
				Author: content.PostAuthor{Pseudo: pseudo(g.author(qw))}}
			in.Body = content.QuoteOf(&content.Topic{ID: ref.id, Slug: ref.slug}, quoted)
		}
	}
	in.Body += g.ownWords(it.topic, it.number, n)
	p.reply, p.err = g.store.PrepareReply(ctx, g.users[p.author], ref.id, in)
	return p
}

// ownWords is the text of a post without its quote: n words, mentioning
// now and then a member.
func (g *generator) ownWords(topic, number int32, n int) string {
	bw := newWriter(g.o.Seed, streamBody, postSeed(topic, number))
	return bw.body(n, func() string { return pseudo(g.author(bw)) })
}

// author draws a member: a few write a lot, most a little.
func (g *generator) author(w *writer) int {
	if g.o.Members == 1 {
		return 0
	}
	return int(rand.NewZipf(w.r, 1.1, 20, uint64(g.o.Members-1)).Uint64())
}

// postSeed numbers post number of topic (0 for the topic's own draws).
func postSeed(topic, number int32) uint64 { return uint64(topic)<<32 | uint64(number) }

// write stores one prepared post, dated as planned, and accepts it when
// it is the answer its question's author chose.
func (g *generator) write(b *content.Bulk, p prepared) error {
	g.clock.Store(p.it.at)
	if p.topic != nil {
		t, err := b.CreateTopic(p.topic)
		if err != nil {
			return fmt.Errorf("discussion %d : %w", p.it.topic, err)
		}
		p.ref.id, p.ref.slug = t.ID, t.Slug
		g.topicsMu.Lock()
		g.topics[p.it.topic] = p.ref
		g.topicsMu.Unlock()
		g.written.Broadcast()
		return nil
	}
	post, err := b.Reply(p.reply)
	if err != nil {
		return fmt.Errorf("réponse %d de la discussion %d : %w", p.it.number, p.it.topic, err)
	}
	g.topicsMu.Lock()
	ref := g.topics[p.it.topic]
	g.topicsMu.Unlock()
	if ref.accept == post.Number && ref.author != p.author {
		if _, err := b.AcceptAnswer(g.users[ref.author], ref.id, post.Number); err != nil {
			return fmt.Errorf("réponse acceptée de la discussion %d : %w", p.it.topic, err)
		}
		g.accepted++
	}
	return nil
}

// waitTopic returns topic i once it is written; false when generation
// stopped first.
func (g *generator) waitTopic(i int32) (topicRef, bool) {
	g.topicsMu.Lock()
	defer g.topicsMu.Unlock()
	for g.topics[i].id == 0 && !g.failed {
		g.written.Wait()
	}
	return g.topics[i], g.topics[i].id != 0
}

func (g *generator) fail() {
	g.topicsMu.Lock()
	g.failed = true
	g.topicsMu.Unlock()
	g.written.Broadcast()
}
