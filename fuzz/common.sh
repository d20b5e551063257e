# Sourced by fuzz/run-long.sh and .ci/fuzz-smoke: the targets, how each is run,
# and the triage of what a run found. See fuzz/README.md.

FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# The targets on folio-core alone build in minutes; those that render editions
# link the facade, so typst, whose instrumented build takes far longer.
CORE_TARGETS=(citation raw_html summary book_json book_toml folio_toml)
EDITION_TARGETS=(markdown pdf)

# One set of build flags for every command, so that none rebuilds what
# another built: no sanitizer (folio is safe Rust, and AddressSanitizer halves
# the speed), cargo-fuzz's optimised build with debug assertions and overflow checks.
FUZZ_BUILD_FLAGS=(-s none)

# libFuzzer's options for TARGET: its dictionary, the input size, the time
# one input may take before it counts as a hang.
fuzz_options() {
  local target="$1"
  case "$target" in
    markdown) echo "-dict=$FUZZ_DIR/dict/markdown.dict -max_len=8192 -timeout=20" ;;
    # typst typesets a page in tens of milliseconds: small inputs only.
    pdf) echo "-dict=$FUZZ_DIR/dict/markdown.dict -max_len=2048 -timeout=60" ;;
    citation) echo "-dict=$FUZZ_DIR/dict/citation.dict -max_len=512 -timeout=5" ;;
    raw_html | summary) echo "-dict=$FUZZ_DIR/dict/markdown.dict -max_len=4096 -timeout=10" ;;
    book_json) echo "-dict=$FUZZ_DIR/dict/json.dict -max_len=4096 -timeout=10" ;;
    book_toml | folio_toml) echo "-dict=$FUZZ_DIR/dict/toml.dict -max_len=4096 -timeout=10" ;;
    *) echo "unknown fuzz target: $target" >&2; return 1 ;;
  esac
}

fuzz_binary() {
  echo "$FUZZ_DIR/target/x86_64-unknown-linux-gnu/release/$1"
}

# The loader targets write a small book per input: in memory when possible.
fuzz_tmpdir() {
  if [[ -d /dev/shm && -w /dev/shm ]]; then echo /dev/shm; else echo "${TMPDIR:-/tmp}"; fi
}

# fuzz_run TARGET SECONDS [CARGO_FUZZ_FLAGS...]: fuzzes TARGET for about
# SECONDS from its corpus (fuzz/corpus/TARGET, kept between runs) and its
# seeds (fuzz/seeds/TARGET, from seed.py), at the lowest priority, one
# process. Fork mode keeps going after a crash, a hang or an out-of-memory:
# each is saved in fuzz/artifacts/TARGET/ for fuzz_triage.
fuzz_run() {
  local target="$1" seconds="$2"
  shift 2
  mkdir -p "$FUZZ_DIR/corpus/$target" "$FUZZ_DIR/seeds/$target"
  # shellcheck disable=SC2046 # the options are words
  (cd "$FUZZ_DIR" && TMPDIR="$(fuzz_tmpdir)" nice -n 19 cargo +nightly fuzz run "${FUZZ_BUILD_FLAGS[@]}" "$@" "$target" \
    "corpus/$target" "seeds/$target" -- \
    $(fuzz_options "$target") -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$seconds" -print_final_stats=1)
}

# The failure the input FILE causes in TARGET's fuzz binary, in one line.
fuzz_failure() {
  local target="$1" file="$2" output
  # shellcheck disable=SC2046
  output="$(TMPDIR="$(fuzz_tmpdir)" RUST_BACKTRACE=0 "$(fuzz_binary "$target")" $(fuzz_options "$target") "$file" 2>&1)"
  if grep -q "panicked at" <<<"$output"; then
    grep -A1 "panicked at" <<<"$output" | tail -1
  else
    grep -m1 -E "overflowed its stack|libFuzzer: (timeout|out-of-memory|deadly signal)|ERROR" <<<"$output" || echo "(passes now)"
  fi
}

# fuzz_triage TARGET [SINCE]: replays every input saved in fuzz/artifacts/TARGET/
# (only those newer than the file SINCE, if given) and prints its failure,
# marked `known` when it prints the text of a bug listed in
# fuzz/regressions/expected-failures.txt. Fails when any is not known.
fuzz_triage() {
  local target="$1" since="${2:-}" file failure text status=0
  local known=()
  while IFS= read -r text; do
    known+=("$text")
  done < <(grep -v '^#' "$FUZZ_DIR/regressions/expected-failures.txt" | awk -F' [|] ' 'NF == 3 { print $2 }')
  for file in "$FUZZ_DIR/artifacts/$target"/*; do
    [[ -f "$file" ]] || continue
    [[ -z "$since" || "$file" -nt "$since" ]] || continue
    failure="$(fuzz_failure "$target" "$file")"
    local mark="NEW  "
    for text in "${known[@]}"; do
      if [[ "$failure" == *"$text"* ]]; then mark="known"; fi
    done
    if [[ "$failure" == "(passes now)" ]]; then mark="flaky"; fi
    [[ "$mark" == "known" ]] || status=1
    echo "$mark $target/$(basename "$file"): ${failure:0:300}"
    # A CI machine's artifacts are gone after the run: the input, to reproduce it.
    [[ "$mark" == "known" ]] || echo "      input (base64): $(head -c 4096 "$file" | base64 -w0)"
  done
  return "$status"
}
