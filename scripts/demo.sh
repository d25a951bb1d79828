#!/usr/bin/env bash
# README's first command: builds mixnode, starts a local network (3 directory authorities, 3 mix layers × 1 + 2
# providers, each its own process on 127.0.0.1; the authorities agree on the network document), sends real Sphinx
# traffic through it with loadgen (which gets the document from the authorities), prints the report, and stops
# the network. The build and the network live in a temporary directory that is removed at the end (set KEEP=1 to
# keep it); the report (JSON, HTML histogram, PNG percentile plot) goes to a directory of its own that is kept
# (REPORT_DIR, by default a new mixnode-demo-report-XXXXXX in the temporary files), and the last lines say where.
# Usage: bash scripts/demo.sh [RATE (default 1000)] [SECONDS (default 10)]
set -euo pipefail
cd "$(dirname "$0")/.."

rate="${1:-1000}"
seconds="${2:-10}"
work="$(mktemp -d -t mixnode-demo-XXXXXX)"
out="$work/bin"
reports="${REPORT_DIR:-$(mktemp -d -t mixnode-demo-report-XXXXXX)}"
mkdir -p "$reports"
report="$reports/report.json"
testnet_pid=""

cleanup() {
  if [ -n "$testnet_pid" ] && kill -0 "$testnet_pid" 2>/dev/null; then
    # testnet stops every node it started (SIGTERM, then SIGKILL after 5 s).
    kill -TERM "$testnet_pid" 2>/dev/null || true
    wait "$testnet_pid" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" != "1" ]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT INT TERM

echo "== building mixnode"
dotnet publish src/Mixnode.Cli -c Release -o "$out" --nologo -v quiet

echo "== starting the test network in $work/net"
"$out/mixnode" testnet --dir "$work/net" --duration $((seconds + 300)) > "$work/testnet.log" 2>&1 &
testnet_pid=$!
# Until the testnet has written nodes.json (docs/testnet.md). Should a provider still not listen then, loadgen
# waits for it (--wait, 30 s by default) instead of failing on the refused connection.
for _ in $(seq 1 450); do
  [ -f "$work/net/topology.json" ] && [ -f "$work/net/nodes.json" ] && [ "$(grep -c '"pid"' "$work/net/nodes.json")" -ge 8 ] && break
  if ! kill -0 "$testnet_pid" 2>/dev/null; then cat "$work/testnet.log"; exit 1; fi
  sleep 0.2
done
grep -E '"name"|"address"' "$work/net/nodes.json" | paste - - | sed 's/[",]//g; s/  */ /g'

echo "== loadgen: $rate packets/s for $seconds s"
"$out/mixnode" loadgen --authorities "$work/net/authorities.json" \
  --rate "$rate" --duration "$seconds" --report "$report"
echo "== report"
cat "$report"
echo
echo "== kept in $reports"
echo "report (JSON):               $report"
echo "latency histogram (HTML):    $report.html"
if [ -f "$report.png" ]; then
  echo "latency percentiles (PNG):   $report.png"
else
  echo "latency percentiles (PNG):   not drawn (see the warning above)"
fi
