# Broadsheet. `make local` serves the API on 127.0.0.1:$(PORT); `make test` runs everything.
SHELL := /bin/bash
GO ?= go
PORT ?= 3000
DATA_DIR ?= .local
export PORT DATA_DIR

# Lambda runs Graviton (arm64) with the provided.al2023 runtime: a static,
# stripped binary named bootstrap, without the RPC shim.
LAMBDA_ENV := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags "-s -w" -buildvcs=false
FUNCTIONS := articles comments search editor indexer pages
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: local token test test-short lint build bench bench-search fuzz invoke clean help

help:
	@echo "make local   serve the API on http://127.0.0.1:$(PORT) (data under $(DATA_DIR))"
	@echo "make test    lint, every test (DynamoDB Local, the Lambda RIE, headless Chromium), a short fuzz pass"
	@echo "make -s token   print an editor bearer token for the local API"
	@echo "make build   build every function as Lambda runs it, into build/<name>/bootstrap"
	@echo "make invoke FN=<LogicalId> EVENT=events/<file>.json   run one function under the Lambda RIE"
	@echo "make bench   cold start, size, CPU, round trips, cost and load report into reports/"
	@echo "make bench-search   search quality on every corpus in memory, then Cranfield through the real API"

# Template parameter overrides, as sam deploy --parameter-overrides takes them:
#   make local PARAMS="CommentFloodSeconds=1 CommentVerification=off"
PARAMS ?=

local:
	$(GO) run ./cmd/local $(foreach p,$(PARAMS),-param $(p))

token:
	@$(GO) run ./cmd/local token

# One DynamoDB Local for the whole run, and one test binary at a time: the
# integration suites (races, fault injection, the browser) load the engine
# hard, and on two cores running them side by side makes them slower, not
# faster, and turns storage timeouts into noise.
test: lint
	$(GO) run ./cmd/withddb -- $(GO) test -count=1 -p 1 -timeout 20m ./...
	@$(MAKE) --no-print-directory fuzz-short

# Unit tests only: no DynamoDB Local, no browser. The layout test (layout_test.go)
# runs here too: what each function binary links, and who may import testing.
test-short:
	$(GO) test -short ./...

# Redocly CLI lints openapi.yaml with its recommended rules; installed by the
# project under .local/tools, as DynamoDB Local is.
REDOCLY_VERSION := 2.77.0
REDOCLY := .local/tools/redocly/node_modules/.bin/redocly

$(REDOCLY):
	npm install --prefix .local/tools/redocly --no-audit --no-fund --loglevel=error @redocly/cli@$(REDOCLY_VERSION)

lint: $(REDOCLY)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.local/*')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	@if command -v cfn-lint >/dev/null; then cfn-lint template.yaml && echo "cfn-lint: template.yaml clean"; \
	  else echo "cfn-lint not installed: skipped (pip install cfn-lint)"; fi
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true $(REDOCLY) lint --format=stylish openapi.yaml

build: $(addprefix build/,$(addsuffix /bootstrap,$(FUNCTIONS)))

build/%/bootstrap: FORCE
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $@ ./functions/$*

FORCE:

# sam build (BuildMethod: makefile) calls build-<LogicalId> with ARTIFACTS_DIR set.
build-ArticlesFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/articles
build-CommentsFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/comments
build-SearchFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/search
build-EditorFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/editor
build-IndexerFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/indexer
build-PagesFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/pages

# Cold starts against a bare hello-world function (RIE), arm64 zip sizes,
# handler CPU (go test -bench over recorded DynamoDB answers), round trips,
# consumed capacity and $/M per route, and bounded load: one run, one report
# (reports/bench/report.md and chart.png). BENCH_FLAGS e.g. -starts 5 -load 500 -conns 2,16.
bench:
	$(GO) run ./cmd/bench $(BENCH_FLAGS)

# Search quality on every collection in ../shared/corpora in memory (plain
# BM25 beside Broadsheet, the parameter grid, leave-one-collection-out; about
# 1 minute), then Cranfield through the real API of a fresh local stack
# (about 7 minutes: the import and indexing dominate).
bench-search:
	$(GO) run ./cmd/searcheval
	$(GO) run ./cmd/benchsearch $(BENCH_SEARCH_FLAGS)

# One function under the Lambda Runtime Interface Emulator (cmd/invoke): built as
# deployed but for this machine's GOARCH (the emulator runs it here), with its
# template environment. The answer goes to stdout, logs and INIT REPORT to stderr.
# DynamoDB: $$DYNAMODB_ENDPOINT, or DDB=1 for an in-memory DynamoDB Local.
invoke:
	@if [ -z "$(EVENT)" ]; then echo "usage: make invoke FN=<LogicalId> EVENT=events/<file>.json [DDB=1]" >&2; exit 2; fi
	@$(GO) run ./cmd/invoke $(if $(FN),-fn $(FN)) -event $(EVENT) $(if $(DDB),-ddb) $(INVOKE_FLAGS)

# Fuzzing: every fuzz target, FUZZTIME each (`make fuzz`), or a short pass of
# FUZZ_SHORT each (`make fuzz-short`, under a minute). The short
# pass counts executions: a time budget can end while a worker is busy, which
# go test reports as a failure ("context deadline exceeded") on a loaded machine.
FUZZTIME ?= 1m
FUZZ_SHORT ?= 20000x
FUZZ_TARGETS := internal/richtext:FuzzRender internal/cursor:FuzzOpen internal/analysis:FuzzAnalyze \
	internal/search:FuzzSnippet internal/searchindex:FuzzWithinOne \
	internal/apigw:FuzzDecodeJSON internal/apigw:FuzzCommentInput internal/apigw:FuzzArticleInput \
	internal/local/localapi:FuzzBuildEvent

.PHONY: fuzz-short
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do pkg=./$${t%%:*}; fn=$${t##*:}; \
	  echo "fuzz $$fn in $$pkg for $(FUZZTIME)"; \
	  $(GO) test -run='^$$' -fuzz="^$$fn\$$" -fuzztime=$(FUZZTIME) $$pkg; done

fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZ_SHORT)

clean:
	rm -rf build reports
