package server

import (
	"os"
	"sync"

	"github.com/gofiber/fiber/v2"
)

// BenchFilePath is where the server sends Config.BenchFile, when set.
const BenchFilePath = "/banc/fichier"

// serveBenchFile answers with the bytes of the file at path, read at the
// first request (the load benchmark writes it once the server runs) and
// kept in memory. It is the benchmark's limit: the same server, middleware
// and compression sending a page it did not have to make.
func serveBenchFile(path string) fiber.Handler {
	var once sync.Once
	var body []byte
	return func(c *fiber.Ctx) error {
		once.Do(func() { body, _ = os.ReadFile(path) })
		if body == nil {
			return fiber.ErrNotFound
		}
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.Send(body)
	}
}
