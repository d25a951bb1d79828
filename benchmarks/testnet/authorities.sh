#!/usr/bin/env bash
# A network that runs itself (docs/benchmarks.md, "Directory authorities"):
#   benchmarks/testnet/authorities.sh BUILD_DIR [RATE] [SECONDS] [EPOCH_SECONDS] [KILL]
# BUILD_DIR holds a published mixnode (dotnet publish src/Mixnode.Cli -c Release -o BUILD_DIR). Starts a fresh testnet
# with 3 directory authorities and EPOCH_SECONDS-long epochs (default 20), waits for DIR/nodes.json, optionally kills
# one authority (KILL=kill: auth-0, with SIGKILL, right when the network is up), then runs
#   loadgen --authorities DIR/authorities.json --rate RATE --duration SECONDS
# (defaults 300/s for 70 s: at least three epoch changes) and prints: seconds to nodes.json, delivered %, the epoch
# changes loadgen followed, and the p99 of latency above the chosen delays.
set -euo pipefail
build=$1 rate=${2:-300} seconds=${3:-70} epoch=${4:-20} kill=${5:-}
tn=${TN:-/tmp/tn-authorities}

stop_testnet() { pkill -TERM -f "mixnode testnet --dir $tn " 2>/dev/null || true; }
stop_testnet; sleep 2; rm -rf "$tn"
start=$(date +%s.%N)
setsid "$build/mixnode" testnet --dir "$tn" --authorities 3 --epoch-seconds "$epoch" --duration 3600 > "$tn.log" 2>&1 &
for _ in $(seq 1 9000); do [[ -s $tn/nodes.json ]] && break; sleep 0.01; done
[[ -s $tn/nodes.json ]] || { echo "the testnet did not become ready within 90 s (see $tn.log)" >&2; stop_testnet; exit 1; }
ready=$(date +%s.%N)
if [[ $kill == kill ]]; then
  pid=$(python3 -c "import json,sys; print(next(n['pid'] for n in json.load(open(sys.argv[1])) if n['name'] == 'auth-0'))" "$tn/nodes.json")
  kill -9 "$pid"
  echo "killed auth-0 (pid $pid)"
fi
"$build/mixnode" loadgen --authorities "$tn/authorities.json" --rate "$rate" --duration "$seconds" --report "$tn.json" > "$tn.loadgen.log" 2>&1 || true
stop_testnet
python3 - "$tn.json" "$start" "$ready" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
above = r["latency_minus_delays_ms"]
print(f"nodes.json after {float(sys.argv[3]) - float(sys.argv[2]):.1f} s; delivered {r['delivered']} of {r['sent']} "
      f"({100 * r['delivered'] / max(1, r['sent']):.3f} %); epoch changes followed: {r.get('epochs_seen', '?')}; "
      f"latency above the chosen delays p99 {above['p99']:.1f} ms, max {above['max']:.1f} ms")
PY
