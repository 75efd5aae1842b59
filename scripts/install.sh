#!/usr/bin/env bash
# Installs apiwatch as a systemd service. Run as root from a built checkout (npm ci has built dist/):
#
#   npm ci && sudo scripts/install.sh [--prefix /opt/apiwatch] [--no-start]
#
# Puts the package under PREFIX, a default config in /etc/apiwatch/ (never overwritten), empty
# root-only credential files, the unit, the `apiwatch` system user and /usr/local/bin/apiwatch.
# Re-running it upgrades the code in place and restarts the service; config and database stay.
set -euo pipefail

PREFIX=/opt/apiwatch
START=1
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --no-start) START=0; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

SRC="$(cd "$(dirname "$0")/.." && pwd)"
die() { echo "install.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (sudo scripts/install.sh)"
[ -f "$SRC/dist/cli/main.js" ] || die "no dist/ in $SRC: run \`npm ci\` (it builds) first"
[ -d "$SRC/node_modules/better-sqlite3" ] || die "no node_modules in $SRC: run \`npm ci\` first"
NODE="$(command -v node || true)"
[ -n "$NODE" ] || die "node is not installed (Node 20.19 or newer)"
"$NODE" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node $("$NODE" --version) is too old: apiwatch needs 20.19 or newer"
command -v systemd-notify >/dev/null || die "systemd-notify not found (package systemd): Type=notify needs it"

echo "==> code to $PREFIX"
STAGE="$(mktemp -d "${PREFIX%/}.new.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
cp -a "$SRC/package.json" "$SRC/package-lock.json" "$SRC/dist" "$SRC/migrations" "$SRC/systemd" "$SRC/node_modules" "$STAGE/"
for d in rules docs packaging; do [ -e "$SRC/$d" ] && cp -a "$SRC/$d" "$STAGE/"; done
# Same machine, same Node ABI: reuse the built modules (better-sqlite3's binary) and drop dev tools.
(cd "$STAGE" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null)
chmod 0755 "$STAGE/dist/cli/main.js"
chown -R root:root "$STAGE"
chmod -R u=rwX,go=rX "$STAGE"
if [ -d "$PREFIX" ]; then rm -rf "${PREFIX%/}.old"; mv "$PREFIX" "${PREFIX%/}.old"; fi
mv "$STAGE" "$PREFIX"
trap - EXIT
rm -rf "${PREFIX%/}.old"
ln -sf "$PREFIX/dist/cli/main.js" /usr/local/bin/apiwatch

echo "==> user apiwatch"
if ! id apiwatch >/dev/null 2>&1; then
  useradd --system --user-group --home-dir /var/lib/apiwatch --no-create-home --shell /usr/sbin/nologin apiwatch
fi
getent group adm >/dev/null || groupadd --system adm

echo "==> /etc/apiwatch"
install -d -m 0755 /etc/apiwatch
[ -e /etc/apiwatch/apiwatch.yaml ] || install -m 0644 "$SRC/packaging/apiwatch.yaml" /etc/apiwatch/apiwatch.yaml
install -d -m 0700 /etc/apiwatch/credentials
# Empty placeholders: LoadCredential= must find the file; an empty credential reads as "not set".
for c in slack-webhook smtp-password; do
  [ -e "/etc/apiwatch/credentials/$c" ] || install -m 0600 /dev/null "/etc/apiwatch/credentials/$c"
done

echo "==> unit"
UNIT=/etc/systemd/system/apiwatch.service
sed "s#/opt/apiwatch/#${PREFIX%/}/#g" "$SRC/systemd/apiwatch.service" > "$UNIT.tmp" && mv "$UNIT.tmp" "$UNIT"
DROPIN=/etc/systemd/system/apiwatch.service.d
if [ "$NODE" != /usr/bin/node ]; then
  # The unit names /usr/bin/node; point it at this host's node instead.
  install -d "$DROPIN"
  printf '[Service]\nExecStart=\nExecStart=%s %s/dist/cli/main.js run --config /etc/apiwatch/apiwatch.yaml\n' "$NODE" "${PREFIX%/}" > "$DROPIN/10-node.conf"
fi
systemd-analyze verify "$UNIT" || die "systemd-analyze verify rejected $UNIT"

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
       sudo -u apiwatch apiwatch doctor --config /etc/apiwatch/apiwatch.yaml
  2. secrets: write them into /etc/apiwatch/credentials/{slack-webhook,smtp-password}, then
       systemctl restart apiwatch
  3. later config changes: systemctl reload apiwatch;  logs: journalctl -u apiwatch -f
MSG
