#!/usr/bin/env bash
# One documented testnet run (docs/benchmarks.md, "A local network under load"):
#   benchmarks/testnet/run-one.sh BUILD_DIR RATE SECONDS [RELEASE_QUANTUM]
# BUILD_DIR holds a published mixnode (dotnet publish src/Mixnode.Cli -c Release -o BUILD_DIR). Starts a fresh testnet
# in $TN (default /tmp/tn) with the given ReleaseQuantum (default: the node's own), warms it up for 5 s at 2,000/s, runs
# loadgen for the timed phase and prints its summary and the CPU the nodes and loadgen used during that phase.
set -euo pipefail
build=$1 rate=$2 seconds=$3 quantum=${4:-}
tn=${TN:-/tmp/tn}
here=$(cd "$(dirname "$0")" && pwd)

stop_testnet() { pkill -TERM -f "mixnode testnet --dir $tn " 2>/dev/null || true; }
stop_testnet; sleep 3; rm -rf "$tn"
if [[ -n $quantum ]]; then export Mixnode__ReleaseQuantum=$quantum; fi
setsid "$build/mixnode" testnet --dir "$tn" --duration 3600 > "$tn.log" 2>&1 &
# nodes.json appears once every node is ready (seconds; longer on a busy machine).
for _ in $(seq 1 600); do [[ -s $tn/nodes.json ]] && break; sleep 0.1; done
[[ -s $tn/nodes.json ]] || { echo "the testnet did not become ready within 60 s" >&2; exit 1; }
sleep 3
"$build/mixnode" loadgen --topology "$tn/topology.json" --rate 2000 --duration 5 --report "$tn.warmup.json" > /dev/null 2>&1
TN=$tn "$here/cpu.sh" "$build" "$rate" "$seconds"
stop_testnet
