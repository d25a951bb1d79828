#!/usr/bin/env bash
# A test network across Linux network namespaces: one namespace per node, each with its own address on a private
# bridge, so links cross real (virtual) interfaces instead of 127.0.0.1, then loadgen from a client namespace.
#
#   sudo bash scripts/netns-testnet.sh [--build DIR] [--rate 300] [--duration 20] [--layers 3] [--per-layer 1]
#                                      [--providers 2] [--delay-ms 0] [--loss-pct 0] [--work DIR] [--keep-dir]
#
# Layout: namespace mxnet-hub holds the bridge mxbr0; each node namespace mxnet-<name> has one veth (eth0,
# 10.77.0.N/24) whose peer is enslaved to the bridge; loadgen runs in mxnet-client (10.77.0.200). --delay-ms and
# --loss-pct put a netem qdisc on every node's eth0 (one-way, so a hop's round trip sees twice the delay). Every
# node listens on its namespace's address (port 30000, providers' clients on 30001) and serves /metrics and /health on
# its own namespace's 127.0.0.1:9464. Everything is torn down on exit (Ctrl-C too); only namespaces and interfaces
# this script created are touched, and no address outside 10.77.0.0/24 and loopback is used.
#
# Exit: 0 when loadgen delivered everything it sent, 1 when not (or a node failed), 2 on bad options or a missing
# capability (netem asked for but not in this kernel), 0 with "SKIP:" when not root or namespaces are unavailable.
set -euo pipefail

build="" rate=300 duration=20 layers=3 per_layer=1 providers=2 delay_ms=0 loss_pct=0 work="" keep_dir=0
usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --layers) layers=$2; shift 2 ;;
    --per-layer) per_layer=$2; shift 2 ;;
    --providers) providers=$2; shift 2 ;;
    --delay-ms) delay_ms=$2; shift 2 ;;
    --loss-pct) loss_pct=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --keep-dir) keep_dir=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "netns-testnet: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

for pair in "rate:$rate" "duration:$duration" "layers:$layers" "per-layer:$per_layer" "providers:$providers"; do
  [[ ${pair#*:} =~ ^[0-9]+$ && ${pair#*:} -gt 0 ]] || { echo "netns-testnet: --${pair%%:*} must be a positive integer" >&2; exit 2; }
done
[[ $delay_ms =~ ^[0-9]+$ ]] || { echo "netns-testnet: --delay-ms must be a whole number of milliseconds" >&2; exit 2; }
[[ $loss_pct =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "netns-testnet: --loss-pct must be a number (percent)" >&2; exit 2; }
nodes_total=$((layers * per_layer + providers))
(( nodes_total <= 150 )) || { echo "netns-testnet: at most 150 nodes (10.77.0.10-159)" >&2; exit 2; }

if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: netns-testnet needs root (it creates network namespaces and veth pairs); run it with sudo"
  exit 0
fi
if ! command -v ip > /dev/null; then
  echo "SKIP: netns-testnet needs the 'ip' command (Debian: apt-get install iproute2)"
  exit 0
fi
if ! ip netns add mxnet-probe 2> /dev/null; then
  echo "SKIP: this machine does not allow creating network namespaces (no CAP_SYS_ADMIN in this container?)"
  exit 0
fi
netem_ok=1
ip netns exec mxnet-probe tc qdisc add dev lo root netem delay 1ms 2> /dev/null || netem_ok=0
ip netns del mxnet-probe
if [[ $delay_ms != 0 || $loss_pct != 0 ]] && [[ $netem_ok == 0 ]]; then
  echo "netns-testnet: --delay-ms/--loss-pct need the netem qdisc, which this kernel does not have (module sch_netem;" \
       "on Debian/Ubuntu hosts it is in linux-modules-extra); run without them" >&2
  exit 2
fi

repo=$(cd "$(dirname "$0")/.." && pwd)
work=${work:-$(mktemp -d /tmp/mixnode-netns.XXXXXX)}
mkdir -p "$work"
chmod 700 "$work"
if [[ -z $build ]]; then
  build=$work/build
  echo "building mixnode into $build ..."
  dotnet publish "$repo/src/Mixnode.Cli" -c Release -o "$build" -v quiet -nologo > "$work/build.log" 2>&1 \
    || { echo "netns-testnet: the build failed; see $work/build.log" >&2; exit 1; }
fi
mixnode=$build/mixnode
[[ -x $mixnode ]] || { echo "netns-testnet: $mixnode is not an executable mixnode (--build DIR from dotnet publish)" >&2; exit 2; }

names=()
for ((p = 0; p < providers; p++)); do names+=("provider-$p"); done
for ((l = 0; l < layers; l++)); do for ((i = 0; i < per_layer; i++)); do names+=("mix-$l-$i"); done; done

pids=()
teardown() {
  local status=$?
  set +e
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2> /dev/null; done
  for _ in $(seq 1 100); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2> /dev/null && alive=1; done
    [[ $alive == 0 ]] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2> /dev/null; done
  for ns in $(ip netns list | awk '{print $1}' | grep '^mxnet-'); do ip netns del "$ns"; done
  if [[ $keep_dir == 0 && $status == 0 ]]; then rm -rf "$work"; else echo "files kept in $work"; fi
  echo "namespaces removed"
  exit $status
}
trap teardown EXIT
trap 'exit 130' INT TERM

# A leftover from an interrupted run would make 'ip netns add' fail.
for ns in $(ip netns list | awk '{print $1}' | grep '^mxnet-' || true); do ip netns del "$ns"; done

echo "creating $nodes_total node namespaces + client on bridge 10.77.0.0/24 (netem: delay ${delay_ms} ms, loss ${loss_pct} %)"
ip netns add mxnet-hub
ip netns exec mxnet-hub ip link add mxbr0 type bridge
ip netns exec mxnet-hub ip link set mxbr0 up
attach() { # NAMESPACE ADDRESS INDEX
  local ns=$1 address=$2 index=$3
  ip netns add "$ns"
  ip link add "mxv${index}n" type veth peer name "mxv${index}h"
  ip link set "mxv${index}n" netns "$ns"
  ip link set "mxv${index}h" netns mxnet-hub
  ip netns exec "$ns" ip link set "mxv${index}n" name eth0
  ip netns exec "$ns" ip addr add "$address/24" dev eth0
  ip netns exec "$ns" ip link set eth0 up
  ip netns exec "$ns" ip link set lo up
  ip netns exec mxnet-hub ip link set "mxv${index}h" master mxbr0
  ip netns exec mxnet-hub ip link set "mxv${index}h" up
  if [[ $delay_ms != 0 || $loss_pct != 0 ]]; then
    ip netns exec "$ns" tc qdisc add dev eth0 root netem delay "${delay_ms}ms" loss "${loss_pct}%"
  fi
}
declare -A address_of
for i in "${!names[@]}"; do
  address_of[${names[$i]}]=10.77.0.$((10 + i))
  attach "mxnet-${names[$i]}" "${address_of[${names[$i]}]}" "$i"
done
attach mxnet-client 10.77.0.200 200

echo "generating keys and the signed topology in $work"
"$mixnode" topology keygen --out "$work/authority" > /dev/null
for name in "${names[@]}"; do
  address=${address_of[$name]}
  if [[ $name == provider-* ]]; then
    "$mixnode" keygen --dir "$work/$name/keys" --name "$name" --role provider \
      --address "$address:30000" --address "$address:30001" > /dev/null
  else
    layer=${name#mix-}; layer=${layer%-*}
    "$mixnode" keygen --dir "$work/$name/keys" --name "$name" --layer "$layer" --address "$address:30000" > /dev/null
  fi
done
"$mixnode" topology sign --authority-key "$work/authority/authority.key" --out "$work/topology.json" \
  "$work"/*/keys/descriptor.json > /dev/null

for name in "${names[@]}"; do
  address=${address_of[$name]}
  if [[ $name == provider-* ]]; then
    role=provider sink=mailbox client_line="\"ClientListenAddress\": \"$address:30001\","
  else
    role=mix sink=count client_line=""
  fi
  mkdir -p "$work/$name/state"
  chmod 700 "$work/$name" "$work/$name/state"
  cat > "$work/$name/appsettings.json" <<EOF
{
  "Logging": { "LogLevel": { "Default": "Warning" } },
  "Mixnode": {
    "Name": "$name",
    "Role": "$role",
    "ListenAddress": "$address:30000",
    $client_line
    "KeysDirectory": "$work/$name/keys",
    "StateDirectory": "$work/$name/state",
    "TopologyPath": "$work/topology.json",
    "AuthorityPublicKeyPath": "$work/authority/authority.pub",
    "Workers": 1,
    "ReplayFilterCapacity": 5000000,
    "Delivery": { "Sink": "$sink" },
    "Management": { "ListenAddress": "127.0.0.1:9464" }
  }
}
EOF
done

echo "starting nodes"
for name in "${names[@]}"; do
  ip netns exec "mxnet-$name" "$mixnode" run --config "$work/$name/appsettings.json" > "$work/$name/node.log" 2>&1 &
  pids+=($!)
done

# Readiness over each namespace's own loopback (no curl on a fresh machine: bash's /dev/tcp).
ready() { # NAMESPACE
  ip netns exec "$1" bash -c 'exec 3<>/dev/tcp/127.0.0.1/9464 && printf "GET /health/ready HTTP/1.0\r\nHost: x\r\n\r\n" >&3 && head -1 <&3' \
    2> /dev/null | grep -q ' 200 '
}
deadline=$((SECONDS + 60))
for name in "${names[@]}"; do
  until ready "mxnet-$name"; do
    if ((SECONDS > deadline)); then
      echo "netns-testnet: $name is not ready after 60 s; its log:" >&2
      tail -20 "$work/$name/node.log" >&2
      exit 1
    fi
    for i in "${!pids[@]}"; do
      kill -0 "${pids[$i]}" 2> /dev/null || { echo "netns-testnet: ${names[$i]} exited; its log:" >&2; tail -20 "$work/${names[$i]}/node.log" >&2; exit 1; }
    done
    sleep 0.2
  done
  echo "  $name ready at ${address_of[$name]}"
done

echo "loadgen from mxnet-client: $rate msg/s for $duration s"
set +e
ip netns exec mxnet-client "$mixnode" loadgen --topology "$work/topology.json" \
  --authority-pub "$work/authority/authority.pub" --rate "$rate" --duration "$duration" --report "$work/loadgen.json"
status=$?
set -e
if [[ $status == 0 ]]; then
  # loadgen exits 0 whatever was lost; this script's contract is "everything sent was delivered".
  sent=$(grep -o '"sent": *[0-9]*' "$work/loadgen.json" | head -1 | grep -o '[0-9]*$')
  delivered=$(grep -o '"delivered": *[0-9]*' "$work/loadgen.json" | head -1 | grep -o '[0-9]*$')
  echo "delivered $delivered of $sent across the namespaces"
  [[ -n $sent && $sent -gt 0 && $sent == "$delivered" ]] || status=1
fi
for i in "${!pids[@]}"; do
  kill -0 "${pids[$i]}" 2> /dev/null || { echo "netns-testnet: ${names[$i]} died during the run" >&2; status=1; }
done
echo "report: $work/loadgen.json"
exit $status
