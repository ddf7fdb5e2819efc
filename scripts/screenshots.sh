#!/usr/bin/env bash
# Takes a screenshot of every step of the demo walkthrough in a real window under Xvfb, into
# docs/screenshots/NN-STEP.png (or OUTDIR): scripts/screenshots.sh [OUTDIR]
#   SIZE=1920x1080   screen size (default 1280x800)
#   ONLY="audit map" only these shots (welcome plan sources audit cleanse map sample parallel load reconcile)
#   FERRY_BIN=...    the ferry binary (default: builds bin/ferry first)
#   WAIT=5           seconds each window gets to open and settle before the shot
# Each shot starts Ferry once on its own copy of a demo project prepared as far as that step needs
# (FERRY_DEMO_STAGE: the shipped recipe, map and decisions of app/demoflow), so a shot never depends
# on the one before. Settings, projects and HOME live in a temporary folder: your own are not
# touched, and the window shows the project in ~/Documents/Ferry as a practice's would be.
#   THEME=light      the light theme (default: dark, as Fyne's default theme draws under Xvfb)
set -euo pipefail
cd "$(dirname "$0")/.."
for c in xvfb-run import; do
  command -v $c >/dev/null || { echo "screenshots.sh needs $c: apt-get install xvfb xauth imagemagick xdotool" >&2; exit 1; }
done
out=${1:-docs/screenshots}
mkdir -p "$out"
out=$(cd "$out" && pwd)
export LANG=C.UTF-8 GSETTINGS_BACKEND=memory FERRY_FYNE_DIALOGS=1
if [[ -z "${FERRY_BIN:-}" ]]; then
  go build -o bin/ferry ./cmd/ferry
  FERRY_BIN=$PWD/bin/ferry
fi
export FERRY_BIN WAIT=${WAIT:-5}
# Ferry opens at 1280×800; on a larger screen the window is made to fill it before the shot.
# (xdotool; without it the shot shows the window at its opening size.)
export BEFORE_SHOT='if command -v xdotool >/dev/null; then for w in $(xdotool search --onlyvisible --name "^Ferry"); do xdotool windowmove $w 0 0 windowsize $w 100% 100%; done; sleep 1.5; fi'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/config" "$tmp/home/.config"
if [[ -n "${THEME:-}" ]]; then
  printf '{"theme": "%s"}\n' "$THEME" >"$tmp/config/settings.json"
fi
export FERRY_CONFIG_DIR=$tmp/config FERRY_PROJECTS_DIR=$tmp/home/Documents/Ferry HOME=$tmp/home

# stage NAME: a demo project taken as far as NAME, made once: fresh, cleanse, map, ready (app/demoflow),
# then, with the CLI as a consultant would script it, loaded (a sample run and the full load into
# import files) and reconciled (against those files, standing in for the new system's export).
stage() {
  local f=$tmp/stage-$1.ferry
  if [[ ! -f $f ]]; then
    local st=$1
    case $st in
    loaded)
      cp "$(stage ready)" "$f"
      "$FERRY_BIN" target "$f" --add "Import files" --kind files --dir "$tmp/out" --format csv --user "Dana Whitfield" >/dev/null
      "$FERRY_BIN" sample "$f" --destination "Import files" --user "Dana Whitfield" >/dev/null
      "$FERRY_BIN" load "$f" --to "Import files" --user "Dana Whitfield" >/dev/null
      ;;
    reconciled)
      cp "$(stage loaded)" "$f"
      local exports=()
      for x in "$tmp"/out/*.csv; do
        [[ $(basename "$x") == manifest.csv ]] || exports+=(--target-export "$x")
      done
      "$FERRY_BIN" reconcile "$f" "${exports[@]}" --user "Dana Whitfield" >/dev/null
      ;;
    *)
      [[ $st == fresh ]] && st=
      FERRY_DEMO_STAGE=$st "$FERRY_BIN" new "$f" --demo --user "Dana Whitfield" >/dev/null
      ;;
    esac
  fi
  echo "$f"
}

# shot FILE STEP STAGE: Ferry opened on a copy of the STAGE demo, showing STEP.
shot() {
  local file=$1 step=$2 st=$3
  if [[ -n "${ONLY:-}" && " $ONLY " != *" $step "* ]]; then return; fi
  if [[ $step == welcome ]]; then
    FERRY_STEP= scripts/screenshot.sh "$out/$file" >/dev/null
  else
    local src proj
    src=$(stage "$st")
    # Where a practice manager's project would be, so the window shows ~/Documents/Ferry.
    proj="$HOME/Documents/Ferry/Harbour View Dental.ferry"
    mkdir -p "$(dirname "$proj")"
    rm -f "$proj" "$proj.lock" "$proj-wal" "$proj-shm"
    cp "$src" "$proj"
    FERRY_STEP=$step scripts/screenshot.sh "$out/$file" open "'$proj'" >/dev/null
  fi
  echo "$out/$file"
}

shot 01-welcome.png welcome -
shot 02-plan.png plan fresh
shot 03-sources.png sources fresh
shot 04-audit.png audit fresh
shot 05-cleanse.png cleanse cleanse
shot 06-map.png map ready
shot 07-sample.png sample ready
shot 08-parallel.png parallel ready
shot 09-load.png load loaded
shot 10-reconcile.png reconcile reconciled
