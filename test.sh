#!/usr/bin/env bash
# Runs every test of the solution. When Node and npm are present, first installs the pinned reference tools
# (tools/reference, transformers.js) so the differential tests regenerate the reference outputs live; without them
# those tests read the committed fixtures. Tests that need ../shared/data skip with a message when it is absent.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if command -v npm >/dev/null && [ ! -d tools/reference/node_modules/@huggingface/transformers ]; then
  (cd tools/reference && npm ci --no-audit --no-fund --loglevel=error) || echo "test.sh: npm ci failed; the tokenizer reference tests will use committed fixtures" >&2
fi
# Formatting as .editorconfig says (whitespace only: fast, no build); analyzers run in the build itself.
format_status=0
format_log=$(mktemp)
if ! dotnet format whitespace Lahja.slnx --verify-no-changes >"$format_log" 2>&1; then
  echo "test.sh: formatting differs from .editorconfig in $(grep -c WHITESPACE "$format_log") places (fix: dotnet format whitespace Lahja.slnx):" >&2
  grep WHITESPACE "$format_log" | head -20 >&2
  format_status=1
fi
rm -f "$format_log"
log=$(mktemp)
# A TRX report per project, for the skip reasons, which the console logger shows only at normal verbosity.
results=$(mktemp -d)
# One test project at a time (-m:1). (This began as a guard against a crash in TorchSharp's AdamW.step, a c10::Scalar
# finalized mid-call by a collection on another thread; the trainer's ScalarSafeAdamW fixed it, ScalarSafeAdamWTests.)
dotnet test Lahja.slnx -m:1 --nologo --logger trx --results-directory "$results" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# One line per skipped test: "skipped: NAME: REASON".
find "$results" -name '*.trx' -exec cat {} + | awk '
  function unxml(s) { gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&quot;/, "\"", s); gsub(/&apos;/, "\047", s); gsub(/&amp;/, "\\&", s); return s }
  /<UnitTestResult / { name = ""; if ($0 ~ /outcome="NotExecuted"/ && match($0, /testName="[^"]*"/)) name = unxml(substr($0, RSTART + 10, RLENGTH - 11)) }
  name != "" && /<Message>/ { reason = $0; sub(/.*<Message>/, "", reason); sub(/<\/Message>.*/, "", reason); print "skipped: " name ": " unxml(reason); name = "" }
  /<\/UnitTestResult>/ { if (name != "") print "skipped: " name; name = "" }' | sort
rm -rf "$results"
# One plain closing line summing all test projects: "N passed, N failed, N skipped".
awk '/(Passed|Failed|Skipped)! +- +Failed:/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
[ "$status" -eq 0 ] && status=$format_status
exit "$status"
