#!/usr/bin/env bash
# Coverage-guided fuzzing of every reader of outside input (annotation
# lines and files, gold, tasks, submit requests, report settings, judge
# verdicts and responses, active-learning requests): cargo-fuzz driving
# libFuzzer, one target at a time, niced.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 60; no TARGET runs them all (see
# `ls fuzz/fuzz_targets`). Installs the nightly toolchain and cargo-fuzz
# when missing. Fails when a target crashes, times out or runs out of
# memory; the input is left in fuzz/artifacts/TARGET/ (reproduce with
# `cargo +nightly fuzz run -s none TARGET fuzz/artifacts/TARGET/FILE`).
# Inputs slower than a second are reported, not failed on.
#
# FUZZ_SANITIZER=address turns on AddressSanitizer (the crate forbids
# unsafe code, so the default is none: about twice the executions).
# FUZZ_ARGS adds libFuzzer options.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

seconds=${1:-60}
[[ $# -gt 0 ]] && shift
sanitizer=${FUZZ_SANITIZER:-none}

say() { printf '\033[1m== %s\033[0m\n' "$*"; }

if ! rustup toolchain list | grep -q '^nightly'; then
  say "installing the nightly toolchain (cargo-fuzz needs it)"
  rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null; then
  say "installing cargo-fuzz"
  cargo install cargo-fuzz
fi

cd fuzz
if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  mapfile -t targets < <(ls fuzz_targets | sed 's/\.rs$//')
fi

# Overflow checks and debug assertions on: arithmetic panics are findings.
build=(+nightly fuzz build -s "$sanitizer" --debug-assertions)
run=(+nightly fuzz run -s "$sanitizer" --debug-assertions)
say "building ${targets[*]}"
for t in "${targets[@]}"; do
  nice -n 19 cargo "${build[@]}" "$t"
done

failed=()
for t in "${targets[@]}"; do
  say "fuzzing $t for ${seconds}s"
  mkdir -p "corpus/$t" "artifacts/$t"
  # One in-process job (libFuzzer's default; -jobs would fork workers).
  # corpus/TARGET holds the committed seed-* files and, untracked, what
  # the run adds.
  # CPU time is measured (GNU time, Debian's `time` package, when there):
  # on a shared machine wall time overstates the fuzzing done.
  rm -f "artifacts/$t.cpu"
  timer=()
  [[ -x /usr/bin/time ]] && timer=(/usr/bin/time -f '%U %S' -o "artifacts/$t.cpu")
  # shellcheck disable=SC2086
  if ! nice -n 19 "${timer[@]}" cargo "${run[@]}" "$t" "corpus/$t" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=16384 -report_slow_units=1 -print_final_stats=1 -dict=json.dict \
      -artifact_prefix="artifacts/$t/" ${FUZZ_ARGS:-} 2>&1 | tee "artifacts/$t.log" |
      grep --line-buffered -E '^(#[0-9]+.*(DONE|INITED)|stat::|==[0-9]+==|==fuzz==|SUMMARY|Slowest|Test unit written|.*panicked)' ; then
    :
  fi
  if [[ -s "artifacts/$t.cpu" ]] && read -r user sys < <(tail -n 1 "artifacts/$t.cpu"); then
    echo "$t: $(awk -v u="${user:-0}" -v s="${sys:-0}" 'BEGIN { printf "%.1f", (u + s) / 60 }') CPU-minutes"
  fi
  if ! grep -q 'Done [0-9]* runs in' "artifacts/$t.log"; then
    failed+=("$t")
  fi
  for s in "artifacts/$t"/slow-unit-*; do
    [[ -e $s ]] && echo "slow input: fuzz/$s"
  done
done

if [[ ${#failed[@]} -gt 0 ]]; then
  say "FAILED: ${failed[*]} (inputs in fuzz/artifacts/, logs in fuzz/artifacts/*.log)"
  exit 1
fi
say "no crash in ${targets[*]}"
