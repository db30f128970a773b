# kcnaprep developer tasks. `make run` starts the app; `make test` runs every check CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
GOFILES = $(shell git ls-files '*.go')
GO_MODULE = github.com/kcnaprep/kcnaprep

.PHONY: deps run build generate generate-check fmt-check vet staticcheck tidy-check chart-check lint content-check test test-short bench clean fuzz

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

# The Helm chart (deploy/helm/kcnaprep): helm lint --strict and helm template through the Helm
# SDK, whose version go.mod pins. deploy/helm is a module of its own so that Helm's
# dependencies never change the server's (cmd/server's binary stays as it is). Its install test
# on kind (TestInstallOnKind) runs in make test's second pass.
chart-check:
	sc=$$($(GO) tool -n staticcheck) && cd deploy/helm && $(GO) mod tidy -diff && $(GO) vet ./... && $$sc ./... && \
	  $(GO) test -count=1 -run '^TestChart' .

lint: fmt-check vet staticcheck tidy-check chart-check ## static checks, the Helm chart's lint and template included

content-check: ## validate the embedded content
	$(GO) run ./cmd/server content check

deps: ## install what the tests need (Chromium; a Docker engine and kind node image) if missing
	bash .ci/deps

# The whole suite; CI runs it through .ci/run. Browser and kind tests fail (not skip) when
# Chromium or a Docker engine is missing, so a green run means they ran.
# Two passes: every package but the kind-heavy ones in parallel, then those one at a time, so
# that the lab suite's clusters do not share two cores with race-instrumented tests and a
# browser (etcd then times out, and a lab proof fails for the machine's sake, not the lab's).
# The second pass ends with the Helm chart's module (deploy/helm): its install test builds the
# app image, installs the chart into a kind cluster and runs a lab through it.
KIND_PKGS = ./internal/lab ./internal/e2e
test: deps generate-check lint content-check
	source .ci/env.sh && export KCNAPREP_REQUIRE_BROWSER=1 KCNAPREP_REQUIRE_KIND=$${KCNAPREP_REQUIRE_KIND:-1} && \
	  $(GO) test -race -count=1 -timeout 60m $$($(GO) list ./... | grep -v -x -F $(foreach p,$(KIND_PKGS),-e $(GO_MODULE)/$(p:./%=%))) && \
	  $(GO) test -race -count=1 -timeout 60m -p 1 $(KIND_PKGS) && \
	  (cd deploy/helm && $(GO) test -race -count=1 -timeout 40m .)
	$(MAKE) --no-print-directory fuzz FUZZTIME=300x

# Every fuzz target, as package:Function. Go fuzzes one target per invocation, so `make fuzz`
# runs them one after another for FUZZTIME each. `make test` gives each a count (300x), not a
# duration: Go 1.26's fuzzing coordinator can fail a duration-bounded run with a bare "context
# deadline exceeded" and no crasher when the machine is loaded (golang/go#75804, fixed in 1.27);
# a count-bounded run has no deadline.
# A crasher is saved under the package's testdata/fuzz/ and from then on replayed by plain
# `go test` as a regression case: commit it with the fix.
FUZZ_TARGETS = \
	./internal/gift:FuzzParse \
	./internal/markdown:FuzzRender \
	./internal/catalog:FuzzQuestionFile \
	./internal/catalog:FuzzLessonFile \
	./internal/lab/bundle:FuzzLabBundle \
	./internal/lab/check:FuzzCheckExpression \
	./internal/httpserver:FuzzForms \
	./internal/classroom:FuzzRoster
FUZZTIME ?= 10s

fuzz: ## fuzz every parser of outside input for FUZZTIME each (default 10s)
	@listed=$$(for t in $(FUZZ_TARGETS); do echo "$${t##*:}"; done | sort); \
	found=$$(git grep -h -o '^func Fuzz[A-Za-z0-9_]*' -- '*_test.go' | sed 's/^func //' | sort); \
	if [ "$$listed" != "$$found" ]; then echo "FUZZ_TARGETS does not list every fuzz target:"; \
	  diff <(echo "$$listed") <(echo "$$found") || true; exit 1; fi
	@for t in $(FUZZ_TARGETS); do \
	  echo "fuzz $${t##*:} in $${t%%:*} for $(FUZZTIME)"; \
	  $(GO) test -run '^$$' -fuzz "^$${t##*:}\$$" -fuzztime $(FUZZTIME) -parallel 2 "$${t%%:*}" || exit 1; \
	done

test-short: ## unit tests only: no browser, no kind clusters
	$(GO) test -race -short ./...

bench: ## benchmarks (see README: measuring); BenchmarkLabColdStart needs Docker and takes minutes
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
