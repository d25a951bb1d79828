#!/usr/bin/env bash
# Coverage-guided fuzzing of the Mixnode parsers with SharpFuzz and AFL++ (docs/security.md, "Fuzzing").
#
#   tests/fuzz/run.sh TARGET|all SECONDS
#
# Targets: sphinx commands wire noise pki config authority handshake transport client batch keyfiles authorityhttp
# (tests/fuzz/Mixnode.Fuzz/FuzzTargets.cs). Publishes the harness, instruments the Mixnode assemblies (not the
# framework) with the sharpfuzz tool, runs afl-fuzz for SECONDS per target on its seed corpus (tests/fuzz/corpus/TARGET), prints executions and execs/s. FUZZ_PARALLEL=2 runs two
# targets at a time (the default is one). Output: artifacts/fuzz/ (gitignored).
#
# Exit: 0 clean; 1 a crash or hang was found (the inputs and the stack traces, re-run without AFL, are printed);
# 2 a tool is missing (nothing is installed silently: the message names the command).
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

targets_all=(sphinx commands wire noise pki config authority handshake transport client batch keyfiles authorityhttp)
if [ $# -ne 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]]; then
  echo "usage: tests/fuzz/run.sh TARGET|all SECONDS   (targets: ${targets_all[*]})" >&2
  exit 2
fi
if [ "$1" = all ]; then
  targets=("${targets_all[@]}")
else
  targets=("$1")
  if [ ! -d "tests/fuzz/corpus/$1" ]; then
    echo "unknown target '$1' (targets: ${targets_all[*]})" >&2
    exit 2
  fi
fi
seconds=$2
parallel=${FUZZ_PARALLEL:-1}

if ! command -v afl-fuzz > /dev/null; then
  echo "afl-fuzz not found: install AFL++ first (Debian/Ubuntu: apt-get install -y afl++)" >&2
  exit 2
fi

# The sharpfuzz instrumenter is a dotnet local tool pinned by tests/fuzz/.config/dotnet-tools.json: restoring it
# installs only what the repository's own manifest names.
echo "fuzz: restoring the sharpfuzz tool from tests/fuzz/.config/dotnet-tools.json (dotnet tool restore)"
if ! (cd tests/fuzz && dotnet tool restore > /dev/null); then
  echo "the sharpfuzz tool could not be restored: run 'cd tests/fuzz && dotnet tool restore' (or 'dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0')" >&2
  exit 2
fi

out="$root/artifacts/fuzz"
run_id="$(date -u +%Y%m%dT%H%M%SZ)-$$"
bin="$out/bin-$run_id"
plain="$out/plain-$run_id"
mkdir -p "$out"

echo "fuzz: building the harness"
# Two copies: one instrumented for afl-fuzz, one plain to re-run crashing inputs and print their stack traces.
if ! dotnet publish tests/fuzz/Mixnode.Fuzz/Mixnode.Fuzz.csproj -c Release -o "$bin" > "$out/build-$run_id.log" 2>&1 \
  || ! cp -r "$bin" "$plain"; then
  tail -n 30 "$out/build-$run_id.log" >&2
  echo "fuzz: the harness did not build (log: $out/build-$run_id.log)" >&2
  exit 1
fi
for dll in Mixnode.Sphinx Mixnode.Noise Mixnode.Links Mixnode.Pki Mixnode.Node Mixnode.Authority Mixnode.Client mixnode; do
  if ! (cd tests/fuzz && dotnet tool run sharpfuzz "$bin/$dll.dll" > /dev/null); then
    echo "fuzz: instrumenting $dll.dll failed" >&2
    exit 1
  fi
done

# One target: afl-fuzz for $seconds, then the summary; returns 1 when it found a crash or hang.
fuzz_one() {
  local target=$1 findings="$out/$1-$run_id" dict=()
  case $target in
    pki|config|authority|authorityhttp) dict=(-x "$root/tests/fuzz/dict/json.dict") ;;
    keyfiles) dict=(-x "$root/tests/fuzz/dict/json.dict" -x "$root/tests/fuzz/dict/keyfile.dict") ;;
  esac
  # dotnet is not AFL-instrumented (the assemblies it loads are): skip afl-fuzz's binary check. No CPU binding: the
  # cores are shared. -t: a .NET input that runs 10 s is a hang, not a slow machine.
  AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    DOTNET_TieredCompilation=0 \
    afl-fuzz -i "tests/fuzz/corpus/$target" -o "$findings" -t 10000 -m none -V "$seconds" "${dict[@]}" \
    -- dotnet "$bin/Mixnode.Fuzz.dll" "$target" > "$findings.log" 2>&1
  local status=$? stats="$findings/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    tail -n 30 "$findings.log"
    echo "fuzz $target: afl-fuzz did not start (exit $status, log: $findings.log)"
    return 1
  fi
  stat() { sed -n "s/^$1 *: *//p" "$stats"; }
  local crashes hangs
  crashes=$(find "$findings/default/crashes" -name 'id:*' 2> /dev/null | wc -l)
  hangs=$(find "$findings/default/hangs" -name 'id:*' 2> /dev/null | wc -l)
  echo "fuzz $target: $(stat run_time) s, $(stat execs_done) executions, $(stat execs_per_sec) execs/s, corpus $(stat corpus_count) paths, coverage $(stat bitmap_cvg) of the map, $crashes crashes, $hangs hangs (output: $findings)"
  if [ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ]; then
    return 0
  fi
  if [ "$crashes" -gt 0 ]; then
    echo "fuzz $target: crashing inputs:"
    find "$findings/default/crashes" -name 'id:*' | sort | sed 's/^/  /'
    find "$findings/default/crashes" -name 'id:*' -print0 | sort -z | head -z -n 5 | xargs -0 timeout 60 dotnet "$plain/Mixnode.Fuzz.dll" repro "$target"
  fi
  if [ "$hangs" -gt 0 ]; then
    echo "fuzz $target: inputs that ran past 10 s:"
    find "$findings/default/hangs" -name 'id:*' | sort | sed 's/^/  /'
  fi
  return 1
}

failed=0
running=0
for target in "${targets[@]}"; do
  echo "fuzz $target: afl-fuzz for $seconds s"
  fuzz_one "$target" > "$out/$target-$run_id.summary" 2>&1 &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
for target in "${targets[@]}"; do
  cat "$out/$target-$run_id.summary"
done
rm -rf "$bin" "$plain"
exit $failed
