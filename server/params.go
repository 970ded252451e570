package server

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/ligue-mednum/ligue/content"
)

// Reading numbers from the URL, and paging, in one place.

// maxNumber bounds the numbers read from a query string, so arithmetic on
// them (offsets, pages) stays small whatever is typed.
const maxNumber = 100000

// paramInt reads a positive ID from the route; anything else is a 404.
func paramInt(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, content.ErrNotFound
	}
	return id, nil
}

// queryNumber reads a positive number from the query string: 0 when it is
// missing or not a positive number, at most maxNumber.
func queryNumber(c *fiber.Ctx, name string) int {
	n, err := strconv.Atoi(c.Query(name))
	if err != nil || n < 1 {
		return 0
	}
	return min(n, maxNumber)
}

// pageCount is how many pages of per items total items make (at least one).
func pageCount(total, per int) int { return max(1, (total+per-1)/per) }

// pager is the previous/next navigation of a paginated list.
type pager struct {
	Page, Pages int
	Prev, Next  string
	Open        bool // the last page is not known: « Page N » alone
}

// pageNumber is the ?page= asked for, from 1.
func pageNumber(c *fiber.Ctx) int { return max(1, queryNumber(c, "page")) }

// newPager links the pages around page, keeping the other query parameters.
func newPager(c *fiber.Ctx, page, total, size int) pager {
	p := pager{Page: page, Pages: pageCount(total, size)}
	link := func(n int) string { return pageLink(c, n, "") }
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < p.Pages {
		p.Next = link(page + 1)
	}
	return p
}

// pageLink is the address of page n of c's list, keeping the other query
// parameters; after, when not empty, is where the page starts (keyset).
func pageLink(c *fiber.Ctx, n int, after string) string {
	q := make([]string, 0, 3)
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) {
		if string(k) != "page" && string(k) != "apres" {
			q = append(q, string(k)+"="+urlQueryEscape(string(v)))
		}
	})
	if n > 1 {
		q = append(q, "page="+strconv.Itoa(n))
	}
	if after != "" {
		q = append(q, "apres="+after)
	}
	if len(q) == 0 {
		return c.Path()
	}
	return c.Path() + "?" + strings.Join(q, "&")
}
