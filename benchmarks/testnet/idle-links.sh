#!/usr/bin/env bash
# How much an idle testnet carries on its links (docs/benchmarks.md, "Cover traffic"): starts a fresh testnet in $TN
# (default /tmp/tn-idle) with the given extra testnet options, sends nothing, and after a settling time counts the
# link frames each node received over SECONDS, from the kernel's per-socket byte counters (ss -tinp bytes_received).
# Every frame on a mix link is one fixed size (3,104 bytes: a 3,088-byte command plus the 16-byte tag), packets and
# NoOps alike, so frames = bytes / 3104; NoOps are at most one per link per 15 s.
#   benchmarks/testnet/idle-links.sh BUILD_DIR SECONDS [testnet options…]
set -euo pipefail
build=$1 seconds=$2; shift 2
tn=${TN:-/tmp/tn-idle}
frame=3104
stop_testnet() { pkill -TERM -f "mixnode testnet --dir $tn " 2>/dev/null || true; }
stop_testnet; sleep 2; rm -rf "$tn"
setsid "$build/mixnode" testnet --dir "$tn" --duration 3600 "$@" > "$tn.log" 2>&1 &
# nodes.json appears once every node is ready (seconds; longer on a busy machine).
for _ in $(seq 1 600); do [[ -s $tn/nodes.json ]] && break; sleep 0.1; done
[[ -s $tn/nodes.json ]] || { echo "the testnet did not become ready within 60 s" >&2; exit 1; }
sleep 8
snapshot() {
  # pid -> bytes received on its TCP sockets to/from the testnet's link ports (client ports carry no node traffic here).
  ss -tinpH state established '( sport >= :30000 and sport <= :30099 ) or ( dport >= :30000 and dport <= :30099 )' \
    | python3 -c '
import re, sys, collections
total = collections.Counter(); pid = None
for line in sys.stdin:
    m = re.search(r"pid=(\d+)", line)
    if m: pid = m.group(1)
    b = re.search(r"bytes_received:(\d+)", line)
    if b and pid: total[pid] += int(b.group(1)); pid = None
for p, v in total.items(): print(p, v)'
}
snapshot > "$tn.before"; sleep "$seconds"; snapshot > "$tn.after"
python3 - "$tn/nodes.json" "$tn.before" "$tn.after" "$seconds" "$frame" <<'PY'
import json, sys
nodes = json.load(open(sys.argv[1])); seconds = float(sys.argv[4]); frame = int(sys.argv[5])
read = lambda f: {int(p): int(v) for p, v in (l.split() for l in open(f))}
before, after = read(sys.argv[2]), read(sys.argv[3])
for n in nodes:
    frames = (after.get(n['pid'], 0) - before.get(n['pid'], 0)) / frame
    print(f"{n['name']:<12} received {frames / seconds:6.2f} frames/s on its links")
PY
stop_testnet
