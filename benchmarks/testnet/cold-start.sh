#!/usr/bin/env bash
# A new user's first run (docs/benchmarks.md, "From start to traffic"):
#   benchmarks/testnet/cold-start.sh BUILD_DIR [RATE] [SECONDS]
# BUILD_DIR holds a published mixnode (dotnet publish src/Mixnode.Cli -c Release -o BUILD_DIR). Starts a fresh testnet,
# times how long until DIR/nodes.json appears (every node ready), then runs loadgen at once — no warm-up — at RATE
# (default 300/s) for SECONDS (default 20) and prints: seconds to nodes.json, delivered %, and the p50/p99/max of
# latency above the chosen delays.
set -euo pipefail
build=$1 rate=${2:-300} seconds=${3:-20}
tn=${TN:-/tmp/tn-cold}

stop_testnet() { pkill -TERM -f "mixnode testnet --dir $tn " 2>/dev/null || true; }
stop_testnet; sleep 2; rm -rf "$tn"
start=$(date +%s.%N)
setsid "$build/mixnode" testnet --dir "$tn" --duration 3600 > "$tn.log" 2>&1 &
for _ in $(seq 1 6000); do [[ -s $tn/nodes.json ]] && break; sleep 0.01; done
[[ -s $tn/nodes.json ]] || { echo "the testnet did not become ready within 60 s" >&2; stop_testnet; exit 1; }
ready=$(date +%s.%N)
"$build/mixnode" loadgen --topology "$tn/topology.json" --rate "$rate" --duration "$seconds" --report "$tn.json" > /dev/null 2>&1
stop_testnet
python3 - "$tn.json" "$start" "$ready" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
above = r["latency_minus_delays_ms"]
print(f"nodes.json after {float(sys.argv[3]) - float(sys.argv[2]):.1f} s; delivered {r['delivered']} of {r['sent']} "
      f"({100 * r['delivered'] / max(1, r['sent']):.2f} %); latency above the chosen delays p50 {above['p50']:.1f} ms, "
      f"p99 {above['p99']:.1f} ms, max {above['max']:.1f} ms")
PY
