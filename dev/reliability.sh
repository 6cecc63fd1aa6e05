#!/usr/bin/env bash
# The long forms of the reliability tests: 200 SIGKILL trials against the journal, 200 runs
# with journal writes failing at random bytes, long fuzzing of the snapshot loader, journal
# reader, deep data and Rhai runner, and 8 threads x 10k commands. Prints the figures.
# Usage: bash dev/reliability.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export SSGM_CRASH_TRIALS=${SSGM_CRASH_TRIALS:-200}
export SSGM_FUZZ_CASES=${SSGM_FUZZ_CASES:-20000}
export SSGM_THREAD_COMMANDS=${SSGM_THREAD_COMMANDS:-10000}
export SSGM_FAULT_TRIALS=${SSGM_FAULT_TRIALS:-200}
echo "crash trials: $SSGM_CRASH_TRIALS, fault trials: $SSGM_FAULT_TRIALS, fuzz cases per target: $SSGM_FUZZ_CASES, commands per thread: $SSGM_THREAD_COMMANDS"
time cargo test --release --test reliability -- --test-threads 1
# The fault-injection run prints its counts (acknowledged, failed writes, lost, unopenable).
time cargo test --release --test durability -- --test-threads 1 --nocapture
if ls tests/fuzz_scripts.rs >/dev/null 2>&1; then
  time cargo test --release --test fuzz_scripts -- --test-threads 1
fi
