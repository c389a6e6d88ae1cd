# For the files of referrer tests: docker-registry for the whole file (when installed), which
# holds referrers by the tag schema, and the tests' registry with the OCI referrers API
# (tests/fixtures/referrers_registry.py), which docker-registry lacks. Load after registry.

setup_file() {
  if have_registry; then start_file_registry; fi
}

teardown_file() {
  stop_file_registry
}

# Starts it; sets RREG (host:port) and RREG_PID.
start_referrers_registry() {
  python3 "$BATS_TEST_DIRNAME/../fixtures/referrers_registry.py" "$WORK/rport" 3>&- &
  RREG_PID=$!
  for _ in $(seq 100); do
    [ -f "$WORK/rport" ] && break
    sleep 0.1
  done
  RREG=127.0.0.1:$(cat "$WORK/rport")
}

teardown() {
  if [ -n "${RREG_PID:-}" ]; then kill "$RREG_PID" 2>/dev/null || true; fi
  remove_work
}
