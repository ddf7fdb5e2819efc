#!/usr/bin/env bash
# Installs what building and testing Ferry needs on Debian/Ubuntu, and only what is missing:
# the C toolchain and the OpenGL/X11/GTK headers that Fyne and the native file dialogs use, Xvfb for
# headless windows, and Go itself if there is none (go.mod's toolchain line then fetches the exact
# Go version through the module proxy). On other systems it says what to install.
set -euo pipefail

# PocketBase, the real server the load tests run against (issue 7), installed with `go install`
# when missing, after the packages below (go may come with them). FERRY_SKIP_POCKETBASE=1 skips it.
install_pocketbase() {
  [ "${FERRY_SKIP_POCKETBASE:-}" = "1" ] && return 0
  local go=go
  command -v go >/dev/null 2>&1 || go=/usr/local/go/bin/go
  [ -x "$(command -v "$go")" ] || return 0
  [ -n "${FERRY_POCKETBASE:-}" ] && [ -x "$FERRY_POCKETBASE" ] && return 0
  [ -x "$("$go" env GOPATH | cut -d: -f1)/bin/base" ] && return 0
  echo "Installing PocketBase v0.36.8 for the load tests (a few minutes the first time)"
  "$go" install github.com/pocketbase/pocketbase/examples/base@v0.36.8
}
trap 'rc=$?; if [ $rc -eq 0 ]; then install_pocketbase || rc=$?; fi; exit $rc' EXIT

pkgs=(gcc libc6-dev pkg-config libgtk-3-dev libxxf86vm-dev libgl1-mesa-dev libgl1-mesa-dri xvfb xauth poppler-utils)
[ "${FERRY_SETUP_EXTRA:-}" != "" ] && read -r -a extra <<<"$FERRY_SETUP_EXTRA" && pkgs+=("${extra[@]}")
command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ] || pkgs+=(golang-go ca-certificates)

if ! command -v dpkg-query >/dev/null 2>&1; then
  if [ "$(uname -s)" = "Linux" ]; then
    echo "This is not a Debian/Ubuntu system. Install with your package manager: a C compiler, pkg-config,"
    echo "and the development files for OpenGL, X11 (Xxf86vm, Xrandr, Xinerama, Xcursor, Xi) and GTK 3; Go 1.26."
  else
    echo "Building Ferry needs Go 1.26 and a C compiler (Xcode command line tools on macOS; on Windows use"
    echo "'make windows' from Linux, or MSYS2's mingw-w64 gcc). See README.md."
  fi
  exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "Ferry needs these Debian packages and cannot install them without root or sudo:"
  echo "  apt-get install ${missing[*]}"
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
