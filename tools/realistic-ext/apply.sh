#!/usr/bin/env bash
# Makes a copy of the shared realistic-logs kit that can also generate the "ext" suite.
#
#   bash tools/realistic-ext/apply.sh DEST [KIT]
#
# KIT defaults to /work/shared/realistic-logs (read-only where it is shared: it is never
# modified).  DEST must not exist.  Then:
#   cd DEST && npm ci && SEED=7 bash generate-ext.sh      # logs in DEST/out-ext/{logs,truth}
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DEST="${1:?usage: apply.sh DEST [KIT]}"
KIT="${2:-/work/shared/realistic-logs}"
[ -f "$KIT/generate.sh" ] && [ -f "$KIT/scenario/plan.mjs" ] || { echo "apply.sh: $KIT is not the realistic-logs kit" >&2; exit 1; }
[ -e "$DEST" ] && { echo "apply.sh: $DEST exists; give a new directory" >&2; exit 1; }
cp -r "$KIT" "$DEST"
chmod -R u+w "$DEST"
rm -rf "$DEST/node_modules"
( cd "$DEST" && patch -p1 --quiet <"$HERE/kit.patch" )
cp -r "$HERE/overlay/." "$DEST/"
chmod +x "$DEST/generate-ext.sh"
echo "apply.sh: ext suite ready in $DEST (cd $DEST && npm ci && SEED=7 bash generate-ext.sh)"
