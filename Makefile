# Ferry. Quick start: `make run` opens the app, `make test` runs every test. Both install what is
# missing first (see scripts/setup.sh).
SHELL := /bin/bash
export LANG := C.UTF-8
export GSETTINGS_BACKEND := memory
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin
export GOTOOLCHAIN := auto
GO ?= go
BIN := bin

# Windows build and smoke test (issue 13). `make test` also builds bin/ferry.exe and runs it under
# Wine (make windows-smoke) unless FERRY_SKIP_WINDOWS is set, e.g. FERRY_SKIP_WINDOWS=1 make test.
FYNE := $(BIN)/fyne
WINDOWS_PKGS := gcc-mingw-w64-x86-64 wine64
WINDOWS_SMOKE := $(if $(FERRY_SKIP_WINDOWS),,windows-smoke)
APP_VERSION = $(shell sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
APP_ID = $(shell sed -n 's/^ID *= *"\(.*\)"/\1/p' FyneApp.toml)

.PHONY: all deps build run test test-short bench vet fmt demo-data clean

all: build

deps:
	@bash scripts/setup.sh

build: deps
	$(GO) build -o $(BIN)/ferry ./cmd/ferry

# Opens the window; under no display, run it with xvfb-run.
run: build
	./$(BIN)/ferry

test: deps $(WINDOWS_SMOKE)
	$(GO) vet ./...
	$(GO) test -tags migrated_fynedo -timeout 30m ./...
	$(MAKE) --no-print-directory fuzz-short

test-short: deps
	$(GO) test -tags migrated_fynedo -short ./...

bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

# --- Crash safety and hostile input (issue 11) ----------------------------------------------------
.PHONY: fuzz-short soak

# Every Fuzz target in the repository for FUZZTIME each (found with grep, so new ones are included).
FUZZTIME ?= 6s
fuzz-short:
	@set -e; for f in $$(grep -rl --include='*_test.go' --exclude-dir=tools '^func Fuzz' . | sort); do \
	  for n in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
	    echo "fuzz $$(dirname $$f) $$n ($(FUZZTIME))"; \
	    $(GO) test -run='^$$' -fuzz="^$$n\$$" -fuzztime=$(FUZZTIME) $$(dirname $$f) >/tmp/ferry-fuzz.$$$$.log 2>&1 \
	      || { cat /tmp/ferry-fuzz.$$$$.log; rm -f /tmp/ferry-fuzz.$$$$.log; exit 1; }; \
	  done; done; rm -f /tmp/ferry-fuzz.$$$$.log

# The kill tests at length: SOAK kills per scenario (make test runs 10); the numbers are appended
# to killtest-soak.log.
SOAK ?= 200
soak:
	set -o pipefail; FERRY_SOAK=$(SOAK) FERRY_KILLTEST_RECORD=$(abspath killtest-soak.log) \
	  $(GO) test -run '^TestKill$$' -timeout 0 -v -count=1 ./internal/crashtest | grep -E -- '--- FAIL|^ok|^FAIL|killtest '

# docs/screenshots/*.png: every step of the demo in a real window under Xvfb (scripts/screenshots.sh;
# SIZE=1920x1080, THEME=light or ONLY="audit map" change what is taken).
.PHONY: screenshots
screenshots: build
	FERRY_BIN=$(abspath $(BIN)/ferry) bash scripts/screenshots.sh docs/screenshots

# Regenerates the demo practice embedded in assets/demo from the generator.
demo-data:
	$(GO) run ./cmd/ferry generate --out assets/demo

clean:
	rm -rf $(BIN)

# --- Packages for Windows, Linux and macOS (issue 13) -------------------------------------------
.PHONY: windows windows-deps windows-smoke package-linux macos

# The fyne CLI, pinned in its own module under tools/ (fyne.io/tools v1.7.0).
$(FYNE): tools/go.mod tools/go.sum
	cd tools && $(GO) build -o $(abspath $(FYNE)) fyne.io/tools/cmd/fyne

# Debian's mingw-w64 cross compiler and Wine, besides what scripts/setup.sh always installs.
windows-deps:
	@FERRY_SETUP_EXTRA="$(WINDOWS_PKGS)" bash scripts/setup.sh

# bin/ferry.exe (icon, version from FyneApp.toml, no console window) and bin/ferry-VERSION-windows-amd64.zip.
windows: windows-deps $(FYNE)
	BIN=$(BIN) FYNE=$(abspath $(FYNE)) bash scripts/windows/package.sh windows

# ferry.exe under Wine: Windows-only code paths, settings, encodings, and project files moving
# both ways between the Linux and the Windows build. See scripts/windows/smoke.sh.
windows-smoke: windows build
	BIN=$(BIN) bash scripts/windows/smoke.sh

# bin/Ferry.tar.xz: the Linux build with its .desktop file and icon (fyne package -os linux).
package-linux: deps $(FYNE)
	BIN=$(BIN) FYNE=$(abspath $(FYNE)) bash scripts/windows/package.sh linux

# A Mac build cannot be made here: it needs Apple's SDK and, to run without warnings, Apple's signature.
macos:
	@echo "Ferry for macOS is built on a Mac; Linux cannot cross-compile it (cgo needs Apple's SDK)."
	@echo "On a Mac (macOS 11 or later, Apple silicon or Intel):"
	@echo "  1. xcode-select --install            (the C compiler Fyne's OpenGL driver needs)"
	@echo "  2. install Go 1.26 from go.dev/dl     (go.mod's toolchain line fetches the exact version)"
	@echo "  3. make $(FYNE)                         (the pinned fyne CLI, from tools/)"
	@echo "  4. $(FYNE) package -os darwin --release --src cmd/ferry --icon \"$$PWD/assets/icon.png\" \\"
	@echo "       --name Ferry --app-id $(APP_ID) --app-version $(APP_VERSION) --tags migrated_fynedo"
	@echo "     (Ferry.app, with the icon, in the current folder)"
	@echo "     For both kinds of Mac: build with GOARCH=arm64 and GOARCH=amd64 and join them with lipo -create."
	@echo "  5. Sign and notarise, or Gatekeeper refuses to open it (\"cannot be opened because the developer"
	@echo "     cannot be verified\"; unsigned, a person must right-click > Open the first time):"
	@echo "       codesign --deep --force --options runtime --sign \"Developer ID Application: ...\" Ferry.app"
	@echo "       ditto -c -k --keepParent Ferry.app Ferry.zip && xcrun notarytool submit Ferry.zip --wait ..."
	@echo "       xcrun stapler staple Ferry.app"
	@echo "Settings then live in ~/Library/Application Support/Ferry, saved passwords in the login Keychain."
