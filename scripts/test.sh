#!/usr/bin/env bash
# The whole test suite. Ends with one line: "Tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/prerequisites.sh || exit 1

log=$(mktemp)
dotnet test AgentSilo.sln -c Release -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One summary line per test assembly: "Passed!  - Failed: 0, Passed: 158, Skipped: 0, Total: 158, ...".
read -r passed failed skipped assemblies < <(awk '
  /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") f += $(i + 1) + 0
      if ($i == "Passed:") p += $(i + 1) + 0
      if ($i == "Skipped:") s += $(i + 1) + 0
    }
    n++
  }
  END { print p + 0, f + 0, s + 0, n + 0 }' "$log")
rm -f "$log"

expected=$(ls tests/*/*.csproj | wc -l)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the build or a test host failed without a test to blame
fi
if [ "$assemblies" -lt "$expected" ] && [ "$failed" -eq 0 ]; then
  echo "only $assemblies of $expected test projects reported results" >&2
  failed=1
fi
if [ "$skipped" -gt 0 ]; then
  echo "Tests: $passed passed, $failed failed, $skipped skipped"
else
  echo "Tests: $passed passed, $failed failed"
fi
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
