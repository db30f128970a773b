# kcnaprep developer tasks. `make run` starts the app; `make test` runs every check CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
GOFILES = $(shell git ls-files '*.go')

.PHONY: deps run build generate generate-check fmt-check vet staticcheck tidy-check lint content-check test test-short bench clean

run: ## run the app with the embedded content on 127.0.0.1:8080
	$(GO) run ./cmd/server

build: ## build bin/server and bin/labapp (the labs' workload program; the server finds it beside itself)
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/server ./cmd/server
	CGO_ENABLED=0 GOOS=linux $(GO) build -trimpath -ldflags="-s -w" -o bin/labapp ./cmd/labapp

generate: ## regenerate templ components (*_templ.go are committed)
	$(GO) tool templ generate -path ./web

generate-check: ## fail if templ generate would change any *_templ.go file
	@before=$$(find web -name '*_templ.go' -print0 | sort -z | xargs -0 sha256sum); \
	$(GO) tool templ generate -path ./web >/dev/null; \
	after=$$(find web -name '*_templ.go' -print0 | sort -z | xargs -0 sha256sum); \
	if [ "$$before" != "$$after" ]; then echo "templ generate changed *_templ.go files: commit the regenerated files"; \
	  diff <(echo "$$before") <(echo "$$after") || true; exit 1; fi

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) tool staticcheck ./...

tidy-check:
	$(GO) mod tidy -diff

lint: fmt-check vet staticcheck tidy-check ## static checks

content-check: ## validate the embedded content
	$(GO) run ./cmd/server content check

deps: ## install what the tests need (Chromium; a Docker engine and kind node image) if missing
	bash .ci/deps

# The whole suite; CI runs it through .ci/run. Browser and kind tests fail (not skip) when
# Chromium or a Docker engine is missing, so a green run means they ran.
test: deps generate-check lint content-check
	source .ci/env.sh && KCNAPREP_REQUIRE_BROWSER=1 KCNAPREP_REQUIRE_KIND=$${KCNAPREP_REQUIRE_KIND:-1} \
	  $(GO) test -race -count=1 -timeout 60m ./...

test-short: ## unit tests only: no browser, no kind clusters
	$(GO) test -race -short ./...

bench: ## benchmarks (see README: measuring); BenchmarkLabColdStart needs Docker and takes minutes
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
