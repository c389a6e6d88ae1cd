# The tests' registry with the OCI referrers API (tests/fixtures/referrers_registry.py), which
# docker-registry lacks.

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
