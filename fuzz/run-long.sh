#!/usr/bin/env bash
# Long fuzzing runs, one target after another at the lowest priority, one
# process at a time (the machine is shared): each target for SECONDS (default
# 3600), in fork mode so that a crash does not stop the run. Afterwards each
# target's crashes of this run are listed (fuzz_triage); minimise and record them as
# fuzz/README.md says. Restartable: the corpora in fuzz/corpus/ carry over.
#
# Usage: fuzz/run-long.sh [SECONDS] [TARGET...]   (default: every target)
# Logs: fuzz/logs/TARGET.log; summary: fuzz/logs/summary.txt.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

seconds="${1:-3600}"
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${EDITION_TARGETS[@]}" "${CORE_TARGETS[@]}")

cd "$FUZZ_DIR"
[[ -d seeds ]] || ./seed.py
mkdir -p logs
nice -n 19 cargo +nightly fuzz build "${FUZZ_BUILD_FLAGS[@]}"
for target in "${targets[@]}"; do
  echo "$(date -u +%FT%TZ) $target: fuzzing for $seconds s (log: fuzz/logs/$target.log)"
  touch "logs/$target.start"
  fuzz_run "$target" "$seconds" >"logs/$target.log" 2>&1 || echo "$target: libFuzzer exited with $?"
  # The last status line: executions, coverage, features, corpus, crashes.
  { echo "== $target, $seconds s, $(date -u +%FT%TZ)"
    grep -E '^#[0-9]+: cov' "logs/$target.log" | tail -1
    grep -E '^stat::' "logs/$target.log" || true
    fuzz_triage "$target" "logs/$target.start" || true
  } | tee -a logs/summary.txt
done
