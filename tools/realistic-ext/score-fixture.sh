#!/usr/bin/env bash
# Scores this checkout (after `npm run build`) on a gzipped fixture set with the kit's score.py.
#
#   bash tools/realistic-ext/score-fixture.sh [FIXTURE_DIR] [score.py options...]
#   bash tools/realistic-ext/score-fixture.sh test/fixtures/realistic/ext-seed-7 --verbose
#
# FIXTURE_DIR defaults to test/fixtures/realistic/ext-seed-7; SCORE_PY to the shared kit's score.py.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
FIX="${1:-$ROOT/test/fixtures/realistic/ext-seed-7}"
[ $# -gt 0 ] && shift
SCORE_PY="${SCORE_PY:-/work/shared/realistic-logs/score.py}"
[ -f "$SCORE_PY" ] || { echo "score-fixture.sh: $SCORE_PY not found (set SCORE_PY)" >&2; exit 1; }
[ -d "$FIX/truth" ] && [ -d "$FIX/logs" ] || { echo "score-fixture.sh: $FIX has no logs/ and truth/" >&2; exit 1; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/logs"
cp -r "$FIX/truth" "$TMP/truth"
for f in "$FIX"/logs/*; do
  case "$f" in
    *.gz) gunzip -c "$f" >"$TMP/logs/$(basename "$f" .gz)" ;;
    *) cp "$f" "$TMP/logs/" ;;
  esac
done
KIT_OUT="$TMP" python3 "$SCORE_PY" "$ROOT" "$@"
