# cityimpact build and test steps. README.md gives the two commands a
# newcomer needs: `make demo` and `make test`.
GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
FUZZTIME ?= 5s
OUT ?= cityimpact-data

.PHONY: build demo test vet unit fuzz bench assets

# Report assets (see report/assets/SOURCE.md): ECharts and the echarts 4.9.0
# map data come from npm at the exact versions of report/web/package-lock.json;
# report/internal/genmap joins the map features to GB/T 2260 codes. The files
# are generated into report/assets/ (gitignored) and embedded into the binary.
ASSET_STAMP = report/web/node_modules/.cityimpact-assets
assets: $(ASSET_STAMP)

$(ASSET_STAMP): report/web/package.json report/web/package-lock.json report/internal/genmap/main.go division/data/cities.csv
	cd report/web && npm ci --ignore-scripts --no-audit --no-fund
	$(GO) run ./report/internal/genmap -src report/web/node_modules/echarts4/map/json -out report/assets
	cp report/web/node_modules/echarts/dist/echarts.min.js report/assets/echarts.min.js
	cp report/web/node_modules/echarts/LICENSE report/assets/ECHARTS-LICENSE.txt
	touch $@

build: assets
	$(GO) build -o bin/cityimpact ./cmd/cityimpact

# The main job on the embedded default: generate the synthetic demo panel,
# import it into the DuckDB store and validate it, then run the demo
# evaluation (examples/demo/evaluation.yaml) and print the report's path.
demo: assets build
	./bin/cityimpact demo --out $(OUT)
	./bin/cityimpact evaluate examples/demo/evaluation.yaml --out $(OUT)/report

test: assets vet unit fuzz

vet:
	$(GO) vet ./...

unit: assets
	$(GO) test -count=1 ./...

# Every fuzz target runs briefly (FUZZTIME each) on top of its seed corpus;
# .ci/fuzz re-runs a target only on Go 1.26's bare fuzztime-deadline report
# (golang/go#75804), never on a written failing input.
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) bash .ci/fuzz

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
