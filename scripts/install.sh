#!/usr/bin/env bash
# Installs apiwatch as a systemd service. Run as root from a built checkout (npm ci has built dist/):
#
#   npm ci && sudo scripts/install.sh [--prefix /opt/apiwatch] [--no-start] [--root DIR]
#
# --root DIR installs into DIR as if it were / (packaging, a dry run): no user, no systemctl.
# Puts the package under PREFIX, a default config in /etc/apiwatch/ (never overwritten), empty
# root-only credential files, the unit, the `apiwatch` system user and /usr/local/bin/apiwatch.
# Re-running it upgrades the code in place and restarts the service; config and database stay.
set -euo pipefail

PREFIX=/opt/apiwatch
START=1
ROOT=
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --no-start) START=0; shift ;;
    --root) ROOT="$(cd "$2" && pwd)"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

SRC="$(cd "$(dirname "$0")/.." && pwd)"
die() { echo "install.sh: $*" >&2; exit 1; }

[ -n "$ROOT" ] || [ "$(id -u)" = 0 ] || die "run as root (sudo scripts/install.sh)"
[ -f "$SRC/dist/cli/main.js" ] || die "no dist/ in $SRC: run \`npm ci\` (it builds) first"
[ -d "$SRC/node_modules/better-sqlite3" ] || die "no node_modules in $SRC: run \`npm ci\` first"
NODE="$(command -v node || true)"
[ -n "$NODE" ] || die "node is not installed (Node 20.19 or newer)"
"$NODE" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node $("$NODE" --version) is too old: apiwatch needs 20.19 or newer"
command -v systemd-notify >/dev/null || die "systemd-notify not found (package systemd): Type=notify needs it"

DEST="$ROOT${PREFIX%/}"
echo "==> code to $DEST"
mkdir -p "$(dirname "$DEST")"
STAGE="$(mktemp -d "$DEST.new.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
cp -a "$SRC/package.json" "$SRC/package-lock.json" "$SRC/dist" "$SRC/migrations" "$SRC/systemd" "$STAGE/"
# Contents, not the link: a symlinked node_modules must not be pruned in place.
mkdir "$STAGE/node_modules" && cp -a "$SRC/node_modules/." "$STAGE/node_modules/"
for d in rules docs packaging; do [ -e "$SRC/$d" ] && cp -a "$SRC/$d" "$STAGE/"; done
# Same machine, same Node ABI: reuse the built modules (better-sqlite3's binary) and drop dev tools.
(cd "$STAGE" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null)
chmod 0755 "$STAGE/dist/cli/main.js"
[ -n "$ROOT" ] || chown -R root:root "$STAGE"
chmod -R u=rwX,go=rX "$STAGE"
if [ -d "$DEST" ]; then rm -rf "$DEST.old"; mv "$DEST" "$DEST.old"; fi
mv "$STAGE" "$DEST"
trap - EXIT
rm -rf "$DEST.old"
install -d "$ROOT/usr/local/bin"
ln -sf "${PREFIX%/}/dist/cli/main.js" "$ROOT/usr/local/bin/apiwatch"

if [ -z "$ROOT" ]; then
  echo "==> user apiwatch"
  if ! id apiwatch >/dev/null 2>&1; then
    useradd --system --user-group --home-dir /var/lib/apiwatch --no-create-home --shell /usr/sbin/nologin apiwatch
  fi
  getent group adm >/dev/null || groupadd --system adm
fi

echo "==> $ROOT/etc/apiwatch"
install -d -m 0755 "$ROOT/etc/apiwatch"
[ -e "$ROOT/etc/apiwatch/apiwatch.yaml" ] || install -m 0644 "$SRC/packaging/apiwatch.yaml" "$ROOT/etc/apiwatch/apiwatch.yaml"
install -d -m 0700 "$ROOT/etc/apiwatch/credentials"
# Empty placeholders: LoadCredential= must find the file; an empty credential reads as "not set".
for c in slack-webhook smtp-password; do
  [ -e "$ROOT/etc/apiwatch/credentials/$c" ] || install -m 0600 /dev/null "$ROOT/etc/apiwatch/credentials/$c"
done

echo "==> unit"
install -d "$ROOT/etc/systemd/system"
UNIT="$ROOT/etc/systemd/system/apiwatch.service"
sed "s#/opt/apiwatch/#${PREFIX%/}/#g" "$SRC/systemd/apiwatch.service" > "$UNIT.tmp" && mv "$UNIT.tmp" "$UNIT"
DROPIN="$ROOT/etc/systemd/system/apiwatch.service.d"
if [ "$NODE" != /usr/bin/node ]; then
  # The unit names /usr/bin/node; point it at this host's node instead.
  install -d "$DROPIN"
  printf '[Service]\nExecStart=\nExecStart=%s --max-semi-space-size=2 %s/dist/cli/main.js run --config /etc/apiwatch/apiwatch.yaml\n' "$NODE" "${PREFIX%/}" > "$DROPIN/10-node.conf"
fi
if [ -n "$ROOT" ]; then
  echo "(installed under $ROOT; no user created, nothing enabled)"
  exit 0
fi
VERIFY="$(systemd-analyze verify "$UNIT" 2>&1)" || die "systemd-analyze verify rejected $UNIT: $VERIFY"
[ -z "$VERIFY" ] || echo "systemd-analyze verify: $VERIFY" >&2

if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable apiwatch.service
  if [ "$START" = 1 ]; then
    echo "==> doctor"
    runuser -u apiwatch -g apiwatch -G adm -- "$NODE" "$PREFIX/dist/cli/main.js" doctor --offline --config /etc/apiwatch/apiwatch.yaml || true
    systemctl restart apiwatch.service
    systemctl --no-pager --lines=5 status apiwatch.service || true
  fi
else
  echo "(systemd is not running here: unit installed, not enabled)"
fi
cat <<MSG

Installed. Next:
  1. edit /etc/apiwatch/apiwatch.yaml (sources, notify) and check it:
       sudo runuser -u apiwatch -G adm -- apiwatch doctor --config /etc/apiwatch/apiwatch.yaml
  2. secrets: write them into /etc/apiwatch/credentials/{slack-webhook,smtp-password}, then
       systemctl restart apiwatch
  3. later config changes: systemctl reload apiwatch;  logs: journalctl -u apiwatch -f
MSG
