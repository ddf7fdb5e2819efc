#!/usr/bin/env bash
# Takes a screenshot of Ferry in a real window under Xvfb: scripts/screenshot.sh OUT.png [ferry args...]
# FERRY_STEP=<step id> opens a project on that step; SIZE=1920x1080 changes the screen.
set -euo pipefail
out=$1; shift
size=${SIZE:-1280x800}
export LANG=C.UTF-8 GSETTINGS_BACKEND=memory FERRY_FYNE_DIALOGS=${FERRY_FYNE_DIALOGS:-}
bin=${FERRY_BIN:-./bin/ferry}
xvfb-run -a -s "-screen 0 ${size}x24" bash -c "
  $bin $* &
  pid=\$!
  sleep \${WAIT:-4}
  ${BEFORE_SHOT:-true}
  import -window root '$out'
  kill \$pid 2>/dev/null || true
"
echo "wrote $out"
