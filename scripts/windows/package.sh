#!/usr/bin/env bash
# Packages Ferry with the fyne CLI (fyne.io/tools v1.7.0, built from tools/ by make bin/fyne):
#   package.sh windows   bin/ferry.exe (icon, version resource, no console window) and
#                        bin/ferry-VERSION-windows-amd64.zip, cross-compiled with mingw-w64 cgo
#   package.sh linux     bin/Ferry.tar.xz (binary, .desktop file and icon; make package-linux)
# Name, ID, version, build number and icon come from FyneApp.toml; the version is also linked
# into the binary (ferry --version, the custody log's "created with").
#
# fyne package wants FyneApp.toml beside the main package and writes generated files into that
# folder while it builds (fyne_metadata_init.go, fyne.syso with the icon and version resource, a
# manifest), then bumps Build in FyneApp.toml. Ferry keeps FyneApp.toml at the top and cmd/ferry is
# shared by every other build running in the tree, so this script packages a copy of the sources in
# a temporary folder and leaves the work tree exactly as it was. -trimpath (fyne's --release) keeps
# the build cache shared with builds from the tree.
set -euo pipefail
target=${1:?usage: package.sh windows|linux}
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
mkdir -p "$BIN"
BIN=$(cd "$BIN" && pwd)
FYNE=${FYNE:-$BIN/fyne}
[ -x "$FYNE" ] || { echo "package.sh: no fyne CLI at $FYNE (make $BIN/fyne builds it)" >&2; exit 1; }

meta() { sed -n "s/^$1 *= *\"\{0,1\}\([^\"]*\)\"\{0,1\} *\$/\1/p" FyneApp.toml | head -n 1; }
version=$(meta Version)
name=$(meta Name)
[ -n "$version" ] && [ -n "$name" ] || { echo "package.sh: FyneApp.toml needs Name and Version" >&2; exit 1; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/ferry-package.XXXXXX")
trap 'rm -rf "$stage"' EXIT
src=$stage/src
mkdir -p "$src" "$stage/out"
# The sources as they are now: tracked and new files, not what .gitignore excludes (bin/, *.ferry).
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard -- . ':!:tools' |
    tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$src"
else
  tar --exclude=./bin --exclude=./.git --exclude=./tools -cf - . | tar -xf - -C "$src"
fi
sed 's#^\(Icon *= *"\)#\1../../#' FyneApp.toml >"$src/cmd/ferry/FyneApp.toml"

export GOFLAGS="${GOFLAGS:+$GOFLAGS }-ldflags=-X=github.com/ferry-migrate/ferry/app/project.Version=$version"
start=$SECONDS
case $target in
windows)
  export GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=${WINDOWS_CC:-x86_64-w64-mingw32-gcc}
  command -v "$CC" >/dev/null || {
    echo "package.sh: no $CC: install gcc-mingw-w64-x86-64 (make windows does on Debian), or leave the" >&2
    echo "Windows build out of make test with FERRY_SKIP_WINDOWS=1" >&2
    exit 1
  }
  # fyne package builds twice unless the executable exists: once plain, once after writing the
  # icon and version resource (fyne.syso), and it drops GOFLAGS' -ldflags (our version) after the
  # first. A placeholder makes it build once, with the resource and the version.
  : >"$src/cmd/ferry/ferry.exe"
  (cd "$src/cmd/ferry" && "$FYNE" package -os windows --release --executable "$src/cmd/ferry/ferry.exe")
  exe=$(find "$src/cmd/ferry" -maxdepth 1 -iname "$name.exe" -o -maxdepth 1 -iname ferry.exe | head -n 1)
  [ -n "$exe" ] || { echo "package.sh: fyne package made no .exe" >&2; exit 1; }
  cp "$exe" "$BIN/ferry.exe"
  zip="$BIN/ferry-$version-windows-amd64.zip"
  rm -f "$zip"
  if command -v zip >/dev/null; then
    (cd "$BIN" && zip -q -9 "$zip" ferry.exe)
    echo "Built $BIN/ferry.exe and $zip ($((SECONDS - start)) s)"
  else
    echo "Built $BIN/ferry.exe ($((SECONDS - start)) s; no zip command for the .zip)"
  fi
  ;;
linux)
  (cd "$stage/out" && "$FYNE" package -os linux --release --src "$src/cmd/ferry")
  cp "$stage/out/$name.tar.xz" "$BIN/"
  echo "Built $BIN/$name.tar.xz ($((SECONDS - start)) s)"
  ;;
*)
  echo "package.sh: unknown target $target (windows or linux)" >&2
  exit 2
  ;;
esac
