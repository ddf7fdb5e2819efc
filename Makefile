# Ferry. Quick start: `make run` opens the app, `make test` runs every test. Both install what is
# missing first (see scripts/setup.sh).
SHELL := /bin/bash
export LANG := C.UTF-8
export GSETTINGS_BACKEND := memory
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin
export GOTOOLCHAIN := auto
GO ?= go
BIN := bin

.PHONY: all deps build run test test-short bench vet fmt demo-data clean

all: build

deps:
	@bash scripts/setup.sh

build: deps
	$(GO) build -o $(BIN)/ferry ./cmd/ferry

# Opens the window; under no display, run it with xvfb-run.
run: build
	./$(BIN)/ferry

test: deps
	$(GO) vet ./...
	$(GO) test -tags migrated_fynedo -timeout 30m ./...

test-short: deps
	$(GO) test -tags migrated_fynedo -short ./...

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

# Regenerates the demo practice embedded in assets/demo from the generator.
demo-data:
	$(GO) run ./cmd/ferry generate --out assets/demo

clean:
	rm -rf $(BIN)
