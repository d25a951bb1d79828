#!/usr/bin/env bash
# Abuse and overload measurements (docs/security.md, "Abuse and overload measurements"):
#   benchmarks/abuse/run.sh BUILD_DIR [--out DIR] [--seconds S] [KIND…]
# BUILD_DIR holds a published mixnode (dotnet publish src/Mixnode.Cli -c Release -o BUILD_DIR). KIND is any of
# identities mailboxes victim long-delays client-flood handshakes slow-readers overload (default: all of them).
# Every measurement gets a fresh testnet in $TN, warmed up for 5 s: offline-signed (--authorities 0) by default, or
# following $AUTHORITIES directory authorities (with $EPOCH_SECONDS, default 1200) when AUTHORITIES is above 0:
#   baseline   loadgen --rate $RATE --duration S alone: the delivery the others are compared with;
#   KIND       the same loadgen with `mixnode abuse KIND` (arguments below, or $ABUSE_ARGS_<kind with _ for ->)
#              against provider-0, prepared first and started with loadgen's timed phase (--start-file);
#   overload   2 × the testnet's capacity ($CAPACITY, or the highest of 500/1000/2000/4000 per second that loadgen
#              delivers ≥ 99 % of in 10 s) for S seconds: a legitimate loadgen at $RATE (for S + 20 seconds) and
#              `mixnode abuse client-flood` for the rest, started together.
# Each second every node's VmRSS (/proc/PID/status) is sampled. Printed and written to DIR (default
# /tmp/abuse-results): per KIND delivered %, ratio to baseline (target ≥ 0.95), all nodes alive, max RSS per role,
# the nodes' refusal and drop counters that moved (from /metrics, by reason), the abuse tool's summary line; for
# overload also max RSS against $RSS_CAP_MIB (when given) and the seconds until the legitimate traffic's delivery per
# second was back to ≥ 95 %. DIR/summary.txt and DIR/summary.json hold all of it; DIR/<kind>.* the raw logs.
# Environment: AUTHORITIES (0), EPOCH_SECONDS (1200, with authorities), TN (/tmp/tn-abuse), BASE_PORT (31500: clear of the testnet default and below the ephemeral ports,
# 32768 and up, that clients' sockets take), RATE (300), CAPACITY, RSS_CAP_MIB, and Mixnode__… variables, which every
# node of the testnet inherits (e.g. to set the limits under test).
set -euo pipefail
build=$(cd "$1" && pwd); shift
out=/tmp/abuse-results seconds=60 kinds=()
while (($#)); do
  case $1 in
    --out) out=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) kinds+=("$1"); shift ;;
  esac
done
((${#kinds[@]})) || kinds=(identities mailboxes victim long-delays client-flood handshakes slow-readers overload)
tn=${TN:-/tmp/tn-abuse} base_port=${BASE_PORT:-31500} rate=${RATE:-300} authorities=${AUTHORITIES:-0}
# How loadgen and the abuse tool find the network: the offline document, or the authorities' consensus.
if ((authorities > 0)); then
  network=(--authorities "$tn/authorities.json") testnet_network=(--authorities "$authorities" --epoch-seconds "${EPOCH_SECONDS:-1200}")
else
  network=(--topology "$tn/topology.json") testnet_network=(--authorities 0)
fi
mixnode=$build/mixnode
mkdir -p "$out"
: > "$out/summary.jsonl"; : > "$out/summary.txt"

# The abuse each KIND runs, at the rates of the issue (identities: 480/s from many addresses). Always from --sources:
# addresses of 127.0.1.0/24, so that per-prefix limits tell the attacker from loadgen (127.0.0.1).
declare -A abuse_args=(
  [identities]="--rate 480 --sources 64 --concurrency 4000"
  [mailboxes]="--rate 1000 --clients 10 --sources 10"
  [victim]="--rate 500 --messages 50 --flood 2000 --sources 10"
  [long-delays]="--rate 1000 --clients 10 --sources 10"
  [client-flood]="--rate 3000 --clients 50 --sources 50"
  [handshakes]="--rate 500 --hold --sources 64"
  [slow-readers]="--rate 2000 --clients 50 --sources 50"
)

testnet_pid=
stop_testnet() {
  if [[ -n $testnet_pid ]] && kill -0 "$testnet_pid" 2>/dev/null; then
    kill -TERM "$testnet_pid"
    for _ in $(seq 1 300); do kill -0 "$testnet_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  testnet_pid=
}
sampler_pid=
stop_sampler() { [[ -z $sampler_pid ]] || { kill "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true; sampler_pid=; }; }
# The abuse tool and the trigger that starts it, while one runs: ended with the script.
abuse_pid='' trigger_pid=''
stop_abuse() {
  [[ -z $trigger_pid ]] || kill "$trigger_pid" 2>/dev/null || true
  [[ -z $abuse_pid ]] || kill "$abuse_pid" 2>/dev/null || true
  abuse_pid='' trigger_pid=''
}
trap 'stop_abuse; stop_sampler; stop_testnet' EXIT
trap 'exit 130' INT TERM

start_testnet() { # false when it did not become ready
  stop_testnet; rm -rf "$tn"
  # A generous --ready-timeout: on a busy 2-core machine five nodes starting at once took over a minute.
  setsid "$mixnode" testnet --dir "$tn" "${testnet_network[@]}" --base-port "$base_port" --duration 7200 --ready-timeout 300 > "$tn.log" 2>&1 &
  testnet_pid=$!
  # nodes.json appears once every node is ready.
  for _ in $(seq 1 3000); do [[ -s $tn/nodes.json ]] || ! kill -0 "$testnet_pid" 2>/dev/null && break; sleep 0.1; done
  if [[ ! -s $tn/nodes.json ]]; then
    echo "the testnet did not become ready within 300 s (see $tn.log)" >&2
    stop_testnet
    return 1
  fi
  "$mixnode" loadgen "${network[@]}" --rate "$rate" --duration 5 --report "$tn.warmup.json" > /dev/null 2>&1
}

# Every second: "unix_time name role rss_kB" per node (rss_kB 0: the process is gone).
start_sampler() {
  python3 - "$tn/nodes.json" > "$1" <<'PY' &
import json, sys, time
nodes = json.load(open(sys.argv[1]))
while True:
    now = time.time()
    for n in nodes:
        rss = 0
        try:
            for line in open(f"/proc/{n['pid']}/status"):
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        except OSError:
            pass
        print(f"{now:.3f} {n['name']} {n['role']} {rss}", flush=True)
    time.sleep(1)
PY
  sampler_pid=$!
}

# The nodes' counters of refusals and drops, "metric{reason} value" per line.
scrape() {
  python3 - "$tn/nodes.json" > "$1" <<'PY'
import json, re, sys, urllib.request
for n in json.load(open(sys.argv[1])):
    try:
        text = urllib.request.urlopen(n["metrics_url"], timeout=5).read().decode()
    except Exception as e:
        print(f"{n['name']} unreachable 1"); continue
    for line in text.splitlines():
        if line.startswith("#"): continue
        m = re.match(r"(mixnode_[a-z_]*(dropped|refused|rejected|closed|evicted|limited|denied|expired)[a-z_]*)(\{[^}]*\})? ([0-9.e+]+)", line)
        if not m: continue
        reason = re.search(r'reason="([^"]*)"', m.group(3) or "")
        print(f"{n['name']} {m.group(1)}{{{reason.group(1) if reason else ''}}} {m.group(4)}")
PY
}

# Timestamps every line of a command's output (for the overload's recovery time).
stamp() { python3 -u -c 'import sys, time
for line in sys.stdin: print(f"{time.time():.3f} {line}", end="", flush=True)'; }

run_loadgen() { # name duration rate [extra loadgen options]
  local name=$1 duration=$2 r=$3; shift 3
  rm -f "$out/$name.loadgen.json"
  "$mixnode" loadgen "${network[@]}" --rate "$r" --duration "$duration" --report "$out/$name.loadgen.json" "$@" 2>&1 | stamp > "$out/$name.loadgen.log"
}

# Writes one measurement's line to summary.jsonl and prints it.
summarize() { # name kind
  python3 - "$out" "$1" "$2" "$tn/nodes.json" "${RSS_CAP_MIB:-}" <<'PY' | tee -a "$out/summary.txt"
import json, os, re, sys, collections
out, name, kind, nodes_file, cap = sys.argv[1:6]
nodes = json.load(open(nodes_file))
def load(path):
    try: return json.load(open(path))
    except Exception: return None
report = load(f"{out}/{name}.loadgen.json")
delivered = 100.0 * report["delivered"] / report["sent"] if report and report.get("sent") else None
base = load(f"{out}/baseline.loadgen.json")
ratio = None
if delivered is not None and base and base.get("sent"):
    b = 100.0 * base["delivered"] / base["sent"]
    ratio = delivered / b if b else None
rss = collections.defaultdict(int); last = {}
for line in open(f"{out}/{name}.rss"):
    t, n, role, kb = line.split(); rss[role] = max(rss[role], int(kb)); last[n] = int(kb)
alive = all(os.path.exists(f"/proc/{n['pid']}") for n in nodes) and all(v > 0 for v in last.values())
def counters(path):
    d = {}
    if os.path.exists(path):
        for line in open(path):
            n, k, v = line.rsplit(" ", 2) if line.count(" ") >= 2 else (line, "", "0")
            d[(n, k)] = float(v)
    return d
before, after = counters(f"{out}/{name}.metrics.before"), counters(f"{out}/{name}.metrics.after")
moved = {f"{n} {k}": int(v - before.get((n, k), 0)) for (n, k), v in after.items() if v - before.get((n, k), 0) > 0}
summary_line = None
if os.path.exists(f"{out}/{name}.abuse.log"):
    for line in open(f"{out}/{name}.abuse.log"):
        if "summary kind=" in line: summary_line = line[line.index("summary kind="):].strip()
row = {"name": name, "kind": kind, "delivered_percent": delivered, "ratio_to_baseline": ratio,
       "all_nodes_alive": alive, "max_rss_mib_by_role": {r: round(v / 1024, 1) for r, v in rss.items()},
       "counters_moved": moved, "abuse_summary": summary_line}
extra = load(f"{out}/{name}.extra.json")
if extra: row.update(extra)
if cap: row["rss_cap_mib"] = float(cap); row["under_cap"] = all(v / 1024 <= float(cap) for v in rss.values())
with open(f"{out}/summary.jsonl", "a") as f: f.write(json.dumps(row) + "\n")
fmt = lambda v, f: "n/a" if v is None else format(v, f)
print(f"== {name}: delivered {fmt(delivered, '.2f')} %, ratio to baseline {fmt(ratio, '.3f')} (target >= 0.95), all nodes alive: {'yes' if alive else 'NO'}")
print("   max RSS MiB: " + ", ".join(f"{r} {v / 1024:.0f}" for r, v in sorted(rss.items())) + (f" (cap {cap})" if cap else ""))
for k, v in sorted(moved.items()): print(f"   {k} +{v}")
if summary_line: print(f"   abuse: {summary_line}")
for k in ("capacity_per_sec", "overload_rate_per_sec", "recovery_seconds"):
    if extra and k in extra: print(f"   {k}: {extra[k]}")
PY
}

measure() { # name kind: fresh testnet, loadgen (with the abuse unless baseline), samples, counters
  local name=$1 kind=$2
  echo "-- $name: starting a testnet"
  if ! start_testnet; then
    echo "== $name: SKIPPED, the testnet did not start" | tee -a "$out/summary.txt"
    echo "{\"name\": \"$name\", \"kind\": \"$kind\", \"skipped\": \"the testnet did not start\"}" >> "$out/summary.jsonl"
    return 0
  fi
  scrape "$out/$name.metrics.before"
  start_sampler "$out/$name.rss"
  local go=$out/$name.go
  rm -f "$go"
  if [[ $kind != baseline ]]; then
    local var=ABUSE_ARGS_${kind//-/_}
    # The abuse prepares (packets, clients) first and waits; its paced phase starts with loadgen's timed phase.
    # shellcheck disable=SC2086
    "$mixnode" abuse "$kind" "${network[@]}" --duration "$seconds" --start-file "$go" ${!var:-${abuse_args[$kind]}} > "$out/$name.abuse.log" 2>&1 &
    abuse_pid=$!
    until grep -q "^prepared; waiting" "$out/$name.abuse.log" 2>/dev/null || ! kill -0 "$abuse_pid" 2>/dev/null; do sleep 0.2; done
    # loadgen says "connected" right before its timed phase.
    ( until grep -q " connected " "$out/$name.loadgen.log" 2>/dev/null; do sleep 0.05; done; touch "$go" ) &
    trigger_pid=$!
  fi
  run_loadgen "$name" "$seconds" "$rate" || echo "   (loadgen failed: $(tail -1 "$out/$name.loadgen.log"))"
  [[ -z $trigger_pid ]] || kill "$trigger_pid" 2>/dev/null || true
  touch "$go"
  [[ -z $abuse_pid ]] || wait "$abuse_pid" || echo "   (the abuse tool exited with $?)"
  abuse_pid='' trigger_pid=''
  stop_sampler
  scrape "$out/$name.metrics.after"
  summarize "$name" "$kind"
}

capacity() { # the highest probe rate delivering >= 99 % in 10 s
  local best=0
  for r in 500 1000 2000 4000; do
    run_loadgen "capacity-$r" 10 "$r" || break
    if python3 -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r['sent'] and r['delivered'] >= 0.99 * r['sent'] else 1)" "$out/capacity-$r.loadgen.json"; then best=$r; else break; fi
  done
  echo "$best"
}

overload() {
  echo "-- overload: starting a testnet"
  if ! start_testnet; then
    echo "== overload: SKIPPED, the testnet did not start" | tee -a "$out/summary.txt"
    echo '{"name": "overload", "kind": "overload", "skipped": "the testnet did not start"}' >> "$out/summary.jsonl"
    return 0
  fi
  local cap=${CAPACITY:-}
  [[ -n $cap ]] || cap=$(capacity)
  ((cap > 0)) || cap=$rate
  local over=$((2 * cap - rate))
  # The flood builds up to 100,000 packets first (mixnode abuse); beyond, it builds them as it goes, more slowly.
  scrape "$out/overload.metrics.before"
  start_sampler "$out/overload.rss"
  # The flood is `mixnode abuse client-flood` (drops through every hop, from 8 clients on 8 addresses): it builds its
  # packets first and starts with the legitimate loadgen's timed phase (--start-file), which runs 20 s longer.
  local go=$out/overload.go
  rm -f "$go"
  "$mixnode" abuse client-flood "${network[@]}" --rate "$over" --duration "$seconds" --clients 8 --sources 8 \
    --concurrency 4000 --start-file "$go" 2>&1 | stamp > "$out/overload.abuse.log" &
  abuse_pid=$!
  until grep -q " prepared; waiting" "$out/overload.abuse.log" 2>/dev/null || ! kill -0 "$abuse_pid" 2>/dev/null; do sleep 0.2; done
  ( until grep -q " connected " "$out/overload.loadgen.log" 2>/dev/null; do sleep 0.05; done; touch "$go" ) &
  trigger_pid=$!
  run_loadgen overload "$((seconds + 20))" "$rate" || echo "   (loadgen failed: $(tail -1 "$out/overload.loadgen.log"))"
  kill "$trigger_pid" 2>/dev/null || true
  touch "$go"
  wait "$abuse_pid" || true
  abuse_pid='' trigger_pid=
  stop_sampler
  scrape "$out/overload.metrics.after"
  python3 - "$out" "$cap" "$over" "$rate" > "$out/overload.extra.json" <<'PY'
import json, re, sys
out, cap, over, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
pat = re.compile(r"^([0-9.]+) \[(\w+)\] ([0-9.]+) s: sent (\d+), delivered (\d+)")
def lines(path): return [m.groups() for m in map(pat.match, open(path)) if m]
# The flood's last per-second line ("<time> [  N s] attempts …") is when it stopped.
ticks = [float(l.split()[0]) for l in open(f"{out}/overload.abuse.log") if re.match(r"^[0-9.]+ \[ *\d+ s\] attempts", l)]
flood_end = max(ticks, default=None)
legit = [(float(t), int(s), int(d)) for t, phase, _, s, d in lines(f"{out}/overload.loadgen.log")]
recovery = None
if flood_end is not None:
    for (t0, s0, d0), (t1, s1, d1) in zip(legit, legit[1:]):
        if t0 >= flood_end and s1 > s0 and (d1 - d0) >= 0.95 * (s1 - s0):
            recovery = round(t1 - flood_end, 1); break
print(json.dumps({"capacity_per_sec": cap, "overload_rate_per_sec": over + rate, "recovery_seconds": recovery}))
PY
  summarize overload overload
}

for kind in baseline "${kinds[@]}"; do
  case $kind in
    baseline) measure baseline baseline ;;
    overload) overload ;;
    identities|mailboxes|victim|long-delays|client-flood|handshakes|slow-readers) measure "$kind" "$kind" ;;
    *) echo "unknown kind $kind" >&2; exit 2 ;;
  esac
done
stop_testnet
python3 -c "import json,sys; print(json.dumps([json.loads(l) for l in open(sys.argv[1])], indent=1))" "$out/summary.jsonl" > "$out/summary.json"
echo "results in $out (summary.txt, summary.json)"
