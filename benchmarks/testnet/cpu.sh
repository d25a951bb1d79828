#!/usr/bin/env bash
# Runs loadgen against the testnet in $TN and prints its summary plus the CPU (utime + stime from /proc/PID/stat) of
# the five nodes and of loadgen during the timed phase only (after loadgen printed "prebuilt"):
#   TN=/tmp/tn benchmarks/testnet/cpu.sh BUILD_DIR RATE SECONDS
set -euo pipefail
build=$1 rate=$2 seconds=$3
tn=${TN:-/tmp/tn}
pids=$(python3 -c "import json,sys; print(' '.join(str(n['pid']) for n in json.load(open(sys.argv[1]))))" "$tn/nodes.json")
hz=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
"$build/mixnode" loadgen --topology "$tn/topology.json" --rate "$rate" --duration "$seconds" --report "$tn.report.json" > "$tn.loadgen.log" 2>&1 &
loadgen=$!
for _ in $(seq 1 600); do grep -q prebuilt "$tn.loadgen.log" && break; sleep 0.05; done
l0=$(cpu $loadgen); n0=0; for p in $pids; do n0=$((n0 + $(cpu "$p"))); done
sleep "$seconds"
l1=$(cpu $loadgen); n1=0; for p in $pids; do n1=$((n1 + $(cpu "$p"))); done
wait $loadgen
python3 - "$tn.report.json" "$((n1 - n0))" "$((l1 - l0))" "$hz" "$seconds" <<'PY'
import json, sys
report, nodes, loadgen, hz, seconds = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
sent = report['sent']
print(f"sent {sent} delivered {100 * report['delivered'] / sent:.2f}% throughput {report['throughput_per_sec']}/s "
      f"latency-delays {report.get('latency_minus_delays_ms')}")
print(f"timed phase CPU: nodes {nodes / hz / seconds:.2f} cores ({nodes / hz / sent / 5 * 1e6:.1f} us/packet/node), "
      f"loadgen {loadgen / hz / seconds:.2f} cores ({loadgen / hz / sent * 1e6:.1f} us/packet)")
PY
