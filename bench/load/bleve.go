package main

import (
	"context"
	"math/rand/v2"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	_ "github.com/ligue-mednum/ligue/search" // registers the analyzers the index's mapping names
)

// rawBleve runs the searches in-process on a copy of the index, as plain
// Bleve match queries (all words, in the "text" field, the first 20 hits,
// no highlighting, facets or database): the limit of the search figures.
func rawBleve(ctx context.Context, path string, queries []string, conns int, warm, dur time.Duration) (result, error) {
	idx, err := bleve.OpenUsing(path, map[string]any{"read_only": true})
	if err != nil {
		return result{}, err
	}
	defer idx.Close()
	self := &process{pid: os.Getpid()}
	var counting, stop atomic.Bool
	lats := make([][]time.Duration, conns)
	errs := make([]error, conns)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 7))
			for !stop.Load() && ctx.Err() == nil {
				q := bleve.NewMatchQuery(queries[r.IntN(len(queries))])
				q.SetField("text")
				q.SetOperator(query.MatchQueryOperatorAnd)
				req := bleve.NewSearchRequestOptions(q, 20, 0, false)
				counted := counting.Load()
				start := time.Now()
				_, err := idx.SearchInContext(ctx, req)
				took := time.Since(start)
				if err != nil && errs[i] == nil {
					errs[i] = err
				}
				if counted && !stop.Load() {
					lats[i] = append(lats[i], took)
				}
			}
		}(i)
	}
	sleep(ctx, warm)
	before := self.cpu()
	began := time.Now()
	counting.Store(true)
	sleep(ctx, dur)
	stop.Store(true)
	res := result{Seconds: time.Since(began).Seconds()}
	after := self.cpu()
	res.RSSMB = self.rssMB()
	wg.Wait()
	var all []time.Duration
	for i := range lats {
		all = append(all, lats[i]...)
		if errs[i] != nil {
			return res, errs[i]
		}
	}
	res.Requests = len(all)
	if len(all) > 0 {
		sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
		res.P50, res.P99 = all[len(all)/2], all[len(all)*99/100]
		res.CPUms = (after - before) / float64(len(all))
	}
	return res, nil
}
