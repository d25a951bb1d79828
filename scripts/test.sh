#!/usr/bin/env bash
# Runs every test project of Mixnode.sln and ends with one line "N passed, N failed" (summed over the
# TRX results of all projects). Exits non-zero when anything failed, including the build.
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Aez").
set -uo pipefail
cd "$(dirname "$0")/.."

results="TestResults/run-$(date +%s)-$$"
mkdir -p "$results"

dotnet test Mixnode.sln -c Release --logger "trx" --results-directory "$results" "$@"
status=$?

passed=0
failed=0
found=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  found=$((found + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(printf '%s' "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  f=$(printf '%s' "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build or the test host failed before a test could report: count it, so CI never reads green.
  echo "dotnet test exited with $status (found $found result files)" >&2
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
