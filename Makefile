# cityimpact build and test steps. README.md gives the two commands a
# newcomer needs: `make demo` and `make test`.
GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
FUZZTIME ?= 5s
OUT ?= cityimpact-data

.PHONY: build demo test vet unit fuzz bench

build:
	$(GO) build -o bin/cityimpact ./cmd/cityimpact

# The main job on the embedded default: generate the synthetic demo panel,
# import it into the DuckDB store, validate it and print a summary.
demo: build
	./bin/cityimpact demo --out $(OUT)

test: vet unit fuzz

vet:
	$(GO) vet ./...

unit:
	$(GO) test -count=1 ./...

# Every fuzz target runs briefly (FUZZTIME each) on top of its seed corpus.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/func //'); do \
	    echo "fuzz $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg > /tmp/cityimpact-fuzz.log 2>&1 || { cat /tmp/cityimpact-fuzz.log; exit 1; }; \
	  done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
