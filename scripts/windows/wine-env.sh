# Sourced by smoke.sh: sets up Wine to run Ferry's Windows build and test binaries headless.
#   WINE        the wine64 loader (Debian puts it in /usr/lib/wine, off PATH)
#   WINEPREFIX  a throw-away Windows (C:\users\..., registry) under $WINE_WORK, unless already set
#   WINEDEBUG   -all: no fixme/err chatter
# and defines wine_stop, which ends this prefix's wineserver (kept running from wine_setup on).
# The first start of a prefix (wineboot) takes 5 to 30 seconds.
#
# Wine 8 (Debian 12) lacks bcryptprimitives.dll, which every Go 1.22+ program loads first
# ("fatal error: bcryptprimitives.dll not found"); processprng.c provides its one function and is
# built with mingw-w64 into the prefix's system32. Real Windows 10/11 has the DLL.

wine_find() {
  local w
  for w in "${WINE:-}" wine64 /usr/lib/wine/wine64 /usr/lib64/wine/wine64 wine; do
    [ -n "$w" ] && command -v "$w" >/dev/null 2>&1 && { command -v "$w"; return 0; }
  done
  return 1
}

wine_setup() {
  WINE=$(wine_find) || { echo "wine-env: no wine64 (apt-get install wine64)" >&2; return 1; }
  export WINE WINEDEBUG=-all WINEDLLOVERRIDES="mscoree=;mshtml=;winemenubuilder.exe=d"
  : "${WINE_WORK:=$(mktemp -d "${TMPDIR:-/tmp}/ferry-wine.XXXXXX")}"
  export WINEPREFIX=${WINEPREFIX:-$WINE_WORK/prefix}
  local sys32=$WINEPREFIX/drive_c/windows/system32
  if [ ! -d "$sys32" ]; then
    local t=$SECONDS
    "$WINE" wineboot -i >"$WINE_WORK/wineboot.log" 2>&1 || { cat "$WINE_WORK/wineboot.log" >&2; return 1; }
    echo "wine-env: new prefix $WINEPREFIX ($((SECONDS - t)) s)"
  fi
  wine_server_start
  if [ ! -e "$sys32/bcryptprimitives.dll" ]; then
    local cc=${WINDOWS_CC:-x86_64-w64-mingw32-gcc}
    "$cc" -O2 -shared -o "$sys32/bcryptprimitives.dll" "$(dirname "${BASH_SOURCE[0]}")/processprng.c" -lbcrypt ||
      { echo "wine-env: could not build the ProcessPrng shim with $cc" >&2; return 1; }
  fi
}

# wine_map_network_drive LETTER DIR: the drive LETTER: shows DIR and Windows calls it a network
# drive (GetDriveType = DRIVE_REMOTE), as a mapped \\server\share would be.
wine_map_network_drive() {
  local letter=${1,,} dir=$2
  ln -sfn "$dir" "$WINEPREFIX/dosdevices/$letter:"
  "$WINE" reg add 'HKLM\Software\Wine\Drives' /v "$letter:" /t REG_SZ /d network /f >/dev/null 2>&1
  wine_stop # Wine's mount manager reads drive types when the wineserver starts
  wine_server_start
}

# wine_path UNIX_PATH: the same file as Windows sees it through drive Z: (Z:\tmp\my projects\...).
wine_path() {
  local p
  p=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
  p=${p//\//\\}
  printf 'Z:%s' "$p"
}

# wine_server_start keeps this prefix's wineserver running until wine_stop. Left alone it exits
# as soon as the last Windows process does, and the next wine command can meet it on its way out
# ("wine client error:0: recvmsg: Connection reset by peer").
wine_server_start() {
  local server
  server=$(wine_server) || return 0
  WINEPREFIX=$WINEPREFIX "$server" -p
}

wine_server() {
  local server
  server=$(dirname "$WINE")/wineserver
  [ -x "$server" ] || server=$(command -v wineserver) || return 1
  printf '%s' "$server"
}

wine_stop() {
  local server
  server=$(wine_server) || return 0
  WINEPREFIX=$WINEPREFIX "$server" -k 2>/dev/null || true
  WINEPREFIX=$WINEPREFIX "$server" -w 2>/dev/null || true
}
