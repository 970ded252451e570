# Ligue — the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
DATA    ?= ./data
ADDR    ?= 127.0.0.1:8080
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run build test audit vet staticcheck fmt-check browser-deps pdf-deps audit-deps nginx-deps bench bench-go fuzz clean

run: build
	./ligue serve --addr $(ADDR) --data $(DATA)

# ligue version prints these; a plain go build falls back to what Go
# records of the checkout, then to « dev ».
BIN        ?= ligue
VERSION    ?= $(shell git describe --always --dirty 2>/dev/null)
COMMIT     ?= $(shell git rev-parse HEAD 2>/dev/null)
BUILD_DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS    := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.buildDate=$(BUILD_DATE)
build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) .

# Everything we check. Installs what the tests need and fails loudly if it can't.
# The race detector watches every test but those driving Chromium (the page
# audit and the journeys): they spend their time in the browser and in
# serving pages, which the detector slows several times over, and the
# handlers they reach run under it in the other tests.
BROWSER_TESTS := ^(TestAudit|TestBrowser|TestPhoneLayout)
test: browser-deps pdf-deps audit-deps nginx-deps fmt-check vet staticcheck
	LIGUE_REQUIRE_BROWSER=1 $(GO) test -race -count=1 -timeout 20m -skip '$(BROWSER_TESTS)' ./...
	LIGUE_REQUIRE_BROWSER=1 $(GO) test -count=1 -timeout 20m -run '$(BROWSER_TESTS)' ./server

# The page checks of make test, as a report: every page crawled, with its
# axe-core violations, HTML errors and weight.
audit: browser-deps audit-deps
	LIGUE_REQUIRE_BROWSER=1 LIGUE_AUDIT_REPORT=1 $(GO) test -count=1 -timeout 20m -run '^TestAudit' -v ./server

vet:
	$(GO) vet ./...

# Unused code, suspicious constructs, deprecated calls (pinned version).
staticcheck:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.6.1 ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change these files:"; echo "$$out"; exit 1; fi

# Debian's Chromium drives the browser tests.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests…"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium \
		|| { echo "ERROR: could not install chromium (needed by the browser tests)."; exit 1; }; \
	fi
	@command -v chromium >/dev/null || { echo "ERROR: chromium is still missing."; exit 1; }

# Debian's poppler-utils (pdftotext, pdffonts, pdfinfo, pdfimages) read the
# PDF export in its tests.
pdf-deps:
	@if ! command -v pdftotext >/dev/null 2>&1; then \
		echo "Installing Debian's poppler-utils for the PDF tests…"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq poppler-utils \
		|| { echo "ERROR: could not install poppler-utils (needed by the PDF tests)."; exit 1; }; \
	fi
	@for tool in pdftotext pdffonts pdfinfo pdfimages; do \
		command -v $$tool >/dev/null || { echo "ERROR: $$tool is still missing (poppler-utils)."; exit 1; }; \
	done

# Debian's nginx runs the shipped site (deploy/nginx) in front of the server
# in its test. Only the binary is used: the test starts its own nginx on
# loopback.
nginx-deps:
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
		echo "Installing Debian's nginx for the reverse proxy test…"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx \
		|| { echo "ERROR: could not install nginx (needed by the reverse proxy test)."; exit 1; }; \
	fi
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { echo "ERROR: nginx is still missing."; exit 1; }

# axe-core and the Nu HTML Checker, pinned by package-lock.json; the checker
# runs on Java.
audit-deps:
	@missing=""; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	if [ -n "$$missing" ]; then \
		echo "Installing$$missing for the page checks…"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing \
		|| { echo "ERROR: could not install$$missing (needed by the page checks)."; exit 1; }; \
	fi
	@if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		echo "Installing axe-core and vnu-jar (npm ci)…"; \
		npm ci --ignore-scripts --no-audit --no-fund || { echo "ERROR: npm ci failed (needed by the page checks)."; exit 1; }; \
	fi

# The load benchmark: generates a community (ligue gen), serves it with the
# real binary on a loopback port and drives it for a bounded time, beside its
# limits; prints the table and writes bench/results-<date>.md.
# BENCH_SIZE=small (40,000 posts, < 5 minutes) or default (1,000,000 posts).
bench: build
	$(GO) run ./bench/load -ligue ./ligue -dir bench

# The Go benchmarks of the packages (search, rendering, generator…).
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Runs each fuzz target for FUZZTIME (seeds live in testdata/fuzz).
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

clean:
	rm -f ligue
	rm -rf bench/data-*
