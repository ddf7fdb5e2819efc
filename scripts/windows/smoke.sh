#!/usr/bin/env bash
# make windows-smoke: runs Ferry's Windows build under Wine (Debian's wine64, headless, a throw-away
# WINEPREFIX) and checks what differs on Windows:
#   - the Windows-only code paths, as cross-compiled Go tests: files held open by another program
#     (app/fsutil), the Credential Manager (app/secrets), drive letters, UNC paths and network
#     drives (app/project)
#   - ferry.exe itself: icon and version resources, no console window, --version, --help
#   - settings land in %APPDATA%\Ferry and ferry.exe reads them
#   - project files move both ways between the Linux and the Windows build, at paths with drive
#     letters, backslashes and spaces (Z:\tmp\...\my projects\Harbour View.ferry): created on one,
#     changed and verified on the other
#   - Excel's "Unicode Text" (UTF-16LE, tab-separated, CRLF) and Windows-1252 CSV import intact
#   - a project on a network drive gets a rollback journal, not WAL
# Needs bin/ferry.exe (make windows) and bin/ferry (make build). Without wine64 it says so and
# stops with success, except in CI (CI=true), where wine64 is installed and must work.
# KEEP=1 keeps the scratch folder and Wine prefix for a look afterwards.
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
BIN=$(cd "$BIN" && pwd)
GO=${GO:-go}
EXE=$BIN/ferry.exe
LINUX=$BIN/ferry
start=$SECONDS

for f in "$EXE" "$LINUX"; do
  [ -x "$f" ] || [ -f "$f" ] || { echo "windows-smoke: $f is missing (make windows build)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-smoke.XXXXXX")
export WINE_WORK=$work
# shellcheck source=wine-env.sh
source scripts/windows/wine-env.sh
if ! wine_setup; then
  if [ "${CI:-}" = "true" ]; then
    echo "windows-smoke: Wine does not work here; CI must run the Windows smoke test" >&2
    exit 1
  fi
  echo "windows-smoke: skipped, Wine is not available (FERRY_SKIP_WINDOWS=1 skips it on purpose)"
  rm -rf "$work"
  exit 0
fi
cleanup() {
  wine_stop
  if [ "${KEEP:-}" = "1" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

passed=0 failed=0 skipped=0
log=$work/last.log
ok() { passed=$((passed + 1)); echo "ok    $*"; }
bad() {
  failed=$((failed + 1))
  echo "FAIL  $*"
  sed 's/^/      | /' "$log" | tail -n 25
}
skip() { skipped=$((skipped + 1)); echo "skip  $*"; }
# check DESC CMD...: CMD must succeed; its output is in $log.
check() {
  local desc=$1
  shift
  if "$@" >"$log" 2>&1; then ok "$desc"; else bad "$desc (exit $?)"; fi
}
# expect DESC PATTERN CMD...: CMD must succeed and print a line matching PATTERN (grep -E).
expect() {
  local desc=$1 pat=$2
  shift 2
  local rc=0
  "$@" >"$log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    bad "$desc (exit $rc)"
  elif tr -d '\r' <"$log" | grep -Eq -- "$pat"; then
    ok "$desc"
  else
    bad "$desc: no line matches /$pat/"
  fi
}
win() { "$WINE" "$EXE" "$@"; }
lin() { "$LINUX" "$@"; }

# --- Windows-only code paths, as cross-compiled tests -------------------------------------------
echo "== Go tests cross-compiled for Windows, run under Wine"
mkdir -p "$work/tests" "$work/netshare"
wine_map_network_drive N "$work/netshare"
for spec in "app/fsutil:" "app/secrets:" "app/project:Windows|Sync|UNC|Warning|OneDrive"; do
  pkg=${spec%%:*} run=${spec#*:}
  exe="$work/tests/$(basename "$pkg").test.exe"
  if ! GOOS=windows GOARCH=amd64 CGO_ENABLED=0 "$GO" test -c -o "$exe" "./$pkg" >"$log" 2>&1; then
    bad "build $pkg tests for Windows"
    continue
  fi
  expect "$pkg tests under Wine${run:+ (-run $run)}" '^PASS$' \
    env FERRY_TEST_NETWORK_DRIVE=N: "$WINE" "$exe" -test.v ${run:+-test.run "$run"}
  if [ "$pkg" = app/secrets ]; then
    if grep -q "round trip through the real store worked" "$log"; then
      ok "Credential Manager round trip (Set, Get, Delete) under Wine"
    else
      skip "Credential Manager under Wine: $(grep -m1 -o 'no password store.*' "$log" || echo 'not reached')"
    fi
  fi
done
if GOOS=windows GOARCH=amd64 CGO_ENABLED=0 "$GO" build -o "$work/probe.exe" ./scripts/windows/probe >"$log" 2>&1 &&
  "$GO" build -o "$work/probe" ./scripts/windows/probe >>"$log" 2>&1; then
  ok "build the probe (Windows and Linux)"
else
  bad "build the probe"
fi
probe() { "$WINE" "$work/probe.exe" "$@"; }

# --- ferry.exe as a file ------------------------------------------------------------------------
echo "== ferry.exe"
version=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
expect "ferry.exe is a GUI program (no console window on double-click)" '^subsystem=gui$' "$work/probe" exe "$EXE"
expect "ferry.exe carries the icon, version resource and manifest" '^resources=.*group-icon.*icon.*manifest.*version' \
  "$work/probe" exe "$EXE"
expect "ferry.exe --version says $version" "^ferry $version\$" win --version
expect "ferry.exe --help lists the commands" '^  verify ' win --help
commands=$(tr -d '\r' <"$log" | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' | tr '\n' ' ')
echo "      commands: $commands"
has() { [[ " $commands " == *" $1 "* ]]; }

# --- settings in %APPDATA%\Ferry ------------------------------------------------------------------
echo "== settings"
winuser=$(ls "$WINEPREFIX/drive_c/users" | grep -v -x -e Public -e public | head -n 1)
appdata="$WINEPREFIX/drive_c/users/$winuser/AppData/Roaming"
expect "settings go to %APPDATA%\\Ferry" '^dir=C:\\users\\[^\\]+\\AppData\\Roaming\\Ferry$' probe settings "Ann Example"
if grep -q '"user_name": "Ann Example"' "$appdata/Ferry/settings.json" 2>/dev/null; then
  ok "settings.json is at $appdata/Ferry"
else
  log=/dev/null bad "settings.json not at $appdata/Ferry"
fi

# --- source files as Windows makes them ---------------------------------------------------------
# Excel's "Save as Unicode Text": UTF-16LE with a BOM, tab-separated, CRLF. Characters outside
# Windows-1252 (Ł, ż, ő) prove it is read as UTF-16, not as a code page.
projects="$work/my projects"
mkdir -p "$projects" "$work/exports"
unicode_txt="$work/exports/Patients Unicode Text.txt"
{
  printf '\xff\xfe'
  printf 'id\tfirst_name\tlast_name\tbalance\r\n1\tZoë\tBrontë\t£12.50\r\n2\tŁukasz\tŻółć\t0\r\n3\tSiobhán\tÓ Súilleabháin\t-7\r\n4\tErdős\tPál\t3\r\n' |
    iconv -f UTF-8 -t UTF-16LE
} >"$unicode_txt"
# A Windows-1252 CSV as an old system writes it: é, ü, £, ’ (0x92), € (0x80), CRLF.
cp1252_csv="$work/exports/Appointments 1252.csv"
printf 'id,patient,note,fee\r\n1,Renée Müller,Patient’s first visit,€40\r\n2,Seán O’Brien,Crème brûlée allergy,£25\r\n' |
  iconv -f UTF-8 -t WINDOWS-1252 >"$cp1252_csv"
linux_csv="$work/exports/recalls from linux.csv"
printf 'id,patient,due\n1,Zoë Brontë,2026-12-01\n2,Ngā Tamariki,2027-01-15\n' >"$linux_csv"
unicode_values=("Zoë" "Żółć" "Łukasz" "Ó Súilleabháin" "Erdős" "£12.50")
cp1252_values=("Renée Müller" "Patient’s first visit" "Seán O’Brien" "Crème brûlée allergy" "€40" "£25")

# --- direction 1: made and changed on Windows, opened on Linux, changed there, back on Windows ---
echo "== a project made with ferry.exe, then used on Linux and back"
proj="$projects/Harbour View.ferry"
wproj=$(wine_path "$proj")
echo "      $wproj"
demo=no
if win new --help 2>&1 | grep -q -- '--demo'; then
  if win new "$wproj" --demo >"$log" 2>&1; then
    ok "ferry.exe new --demo \"$wproj\""
    demo=yes
  elif grep -qi "not available" "$log"; then
    skip "ferry.exe new --demo: $(tr -d '\r' <"$log" | tail -n 1)"
  else
    bad "ferry.exe new --demo"
  fi
fi
[ "$demo" = yes ] || check "ferry.exe new \"$wproj\"" win new "$wproj"
if [ -f "$proj" ]; then ok "the project file is at $proj"; else log=/dev/null bad "no file at $proj"; fi
expect "a project on a local disk is in WAL mode" '^wal$' "$work/probe" journal "$proj"
expect "ferry.exe recorded the name from %APPDATA%\\Ferry\\settings.json" 'found' "$work/probe" find "$proj" "Ann Example"

if has import; then
  expect "ferry.exe import Excel Unicode Text (UTF-16LE, tabs)" 'Patients Unicode Text' \
    win import "$wproj" "$(wine_path "$unicode_txt")"
  expect "ferry.exe import a Windows-1252 CSV" 'Appointments 1252' \
    win import "$wproj" "$(wine_path "$cp1252_csv")"
  check "the UTF-16 values arrived intact" "$work/probe" find "$proj" "${unicode_values[@]}"
  check "the Windows-1252 values arrived intact" "$work/probe" find "$proj" "${cp1252_values[@]}"
else
  skip "import: ferry.exe has no import command yet"
fi
if has tables; then expect "ferry.exe tables" '.' win tables "$wproj"; fi
expect "ferry.exe verify" '.' win verify "$wproj"

expect "bin/ferry verify opens the file ferry.exe wrote" '.' lin verify "$proj"
if has tables; then expect "bin/ferry tables lists what ferry.exe staged" 'Appointments 1252|appointments_1252' lin tables "$proj"; fi
if has import; then
  check "bin/ferry import changes it on Linux" lin import "$proj" "$linux_csv"
  check "ferry.exe finds the Linux import" probe find "$wproj" "Ngā Tamariki"
fi
expect "ferry.exe verify after the change on Linux" '.' win verify "$wproj"
if has audit; then check "ferry.exe audit" win audit "$wproj"; fi
if has checklist; then
  expect "ferry.exe checklist --load" 'items' win checklist --load "$wproj"
  expect "bin/ferry shows the checklist ferry.exe loaded" 'items' lin checklist "$proj"
fi
if has compare; then
  # The same day's report from the old and the new system, both Windows-1252, one fee changed.
  printf 'id,patient,fee\r\n1,Renée Müller,€40\r\n2,Seán O’Brien,£25\r\n' | iconv -f UTF-8 -t WINDOWS-1252 >"$work/exports/old day.csv"
  printf 'id,patient,fee\r\n1,Renée Müller,€40\r\n2,Seán O’Brien,£26\r\n' | iconv -f UTF-8 -t WINDOWS-1252 >"$work/exports/new day.csv"
  expect "ferry.exe compare finds the one changed fee" '^Changed +1$' \
    win compare "$wproj" "$(wine_path "$work/exports/old day.csv")" "$(wine_path "$work/exports/new day.csv")"
fi
check "bin/ferry verify after ferry.exe's audit, checklist and compare" lin verify "$proj"

# --- direction 2: made on Linux, changed on Windows, back on Linux --------------------------------
echo "== a project made with bin/ferry, then used with ferry.exe and back"
proj2="$projects/Made on Linux.ferry"
wproj2=$(wine_path "$proj2")
check "bin/ferry new \"$proj2\"" lin new "$proj2" --user "Linux User"
if has import; then
  check "bin/ferry import" lin import "$proj2" "$linux_csv"
  check "ferry.exe import into the Linux-made project" win import "$wproj2" "$(wine_path "$unicode_txt")"
  check "ferry.exe reads Linux's values" probe find "$wproj2" "Ngā Tamariki" "Zoë"
  check "bin/ferry reads ferry.exe's values" "$work/probe" find "$proj2" "${unicode_values[@]}"
fi
expect "ferry.exe verify on the Linux-made project" '.' win verify "$wproj2"
check "bin/ferry verify after ferry.exe changed it" lin verify "$proj2"
for f in "$proj" "$proj2"; do
  if [ -s "$f-wal" ]; then
    log=/dev/null bad "$(basename "$f")-wal still holds changes after Ferry closed it"
  else
    ok "everything $(basename "$f") holds is in the .ferry file itself (no -wal with changes)"
  fi
done

# --- the .ferry file alone, as it travels by e-mail or USB stick ----------------------------------
echo "== only the .ferry file, copied to another folder"
mkdir -p "$work/sent by email"
cp "$proj" "$work/sent by email/"
cp "$proj2" "$work/sent by email/"
sent="$work/sent by email/$(basename "$proj")"
sent2="$work/sent by email/$(basename "$proj2")"
expect "ferry.exe opens the copy of the Windows-made project" '.' win verify "$(wine_path "$sent")"
expect "bin/ferry opens the copy of the Linux-made project" '.' lin verify "$sent2"
if has import; then
  check "ferry.exe's values are in the copy" "$work/probe" find "$sent" "${unicode_values[@]}" "${cp1252_values[@]}"
  check "bin/ferry's values are in the copy" probe find "$(wine_path "$sent2")" "Ngā Tamariki"
fi

# --- storage: network drive, UNC, synced folders -------------------------------------------------
echo "== where projects live"
expect "N: (a mapped network drive) is seen as a network drive" '^kind=network$' probe storage 'N:\Practice\Harbour View.ferry'
expect "\\\\server\\share paths are network shares" '^where=the network share \\\\nas\\Practice$' probe storage '\\nas\Practice\Harbour View.ferry'
expect "a OneDrive folder is seen as synced" '^kind=synced$' probe storage "C:\\users\\$winuser\\OneDrive - Harbour View\\Harbour View.ferry"
check "ferry.exe new on the network drive N:" win new 'N:\Harbour View on N.ferry'
if has import; then check "ferry.exe import on the network drive" win import 'N:\Harbour View on N.ferry' "$(wine_path "$cp1252_csv")"; fi
expect "the project on N: uses a rollback journal, not WAL" '^rollback$' "$work/probe" journal "$work/netshare/Harbour View on N.ferry"
check "bin/ferry verify opens the project from the network drive" lin verify "$work/netshare/Harbour View on N.ferry"

# --- a file Excel holds open ---------------------------------------------------------------------
if has import; then
  echo "== a source file held open by another program"
  held="$work/exports/held open.csv"
  cp "$linux_csv" "$held"
  probe hold "$(wine_path "$held")" 30 >"$work/hold.log" 2>&1 &
  holder=$!
  for _ in $(seq 1 50); do grep -q holding "$work/hold.log" 2>/dev/null && break; sleep 0.2; done
  win import "$wproj" "$(wine_path "$held")" >"$log" 2>&1
  kill "$holder" 2>/dev/null
  wait "$holder" 2>/dev/null
  if grep -q "is open in another program (Excel?). Close it there and try again." "$log"; then
    ok "importing a file open in Excel says: close it there and try again"
  elif grep -Eqi "sharing violation|being used by another process" "$log"; then
    skip "importing a file open in Excel gives Windows' own words, not Ferry's; importers do not use app/fsutil yet: $(tr -d '\r' <"$log" | grep -Ei -m1 'sharing violation|another process' | sed 's/^ *//')"
  else
    bad "importing a file held open by another program"
  fi
fi

# --- the window ---------------------------------------------------------------------------------
# Wine draws through its OpenGL (Mesa's software renderer) on Xvfb: not what a real PC does, but
# it shows that the GUI starts, finds OpenGL and stays up with a project open.
echo "== the window"
if command -v xvfb-run >/dev/null; then
  cat >"$work/gui.sh" <<'EOS'
"$WINE" "$EXE" open "$1" >"$WINE_WORK/gui.log" 2>&1 &
pid=$!
sleep "${GUI_SECONDS:-20}"
alive=no
kill -0 "$pid" 2>/dev/null && alive=yes
command -v import >/dev/null && import -window root "$WINE_WORK/window.png" 2>/dev/null
wine_stop
[ "$alive" = yes ]
EOS
  export EXE
  if timeout 180 xvfb-run -a -s '-screen 0 1280x800x24' \
    bash -c 'source scripts/windows/wine-env.sh && source "$0" "$1"' "$work/gui.sh" "$wproj" >"$log" 2>&1; then
    ok "ferry.exe opens its window on a project under Wine and stays up${KEEP:+ (screenshot: $work/window.png)}"
  else
    cat "$work/gui.log" >>"$log" 2>/dev/null
    bad "ferry.exe's window under Wine"
  fi
else
  skip "the window: no xvfb-run"
fi

echo
echo "Windows smoke test took $((SECONDS - start)) s (wine $("$WINE" --version 2>/dev/null))"
echo "windows-smoke: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
