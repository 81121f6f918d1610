# sesam: the two commands that matter are `make run` and `make test` (see README.md).
GO ?= go
BIN := bin/sesam

.PHONY: build run test bench bench-wrk lint fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/sesam
	./scripts/helper.sh

run: build
	./scripts/run.sh

test:
	./scripts/test.sh

bench: build
	./scripts/bench.sh

# the portal under wrk on the data make bench left (search page and API, 1/16/64 connections)
bench-wrk: build
	./scripts/wrk.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzReadManifest -fuzztime=60s ./seda/

clean:
	rm -rf bin
