#!/usr/bin/env bats
# docs/tour.md runs: every command of its `sh` blocks, in order, on a fresh store, against a
# registry on loopback. A line ending in `# fails: ...` must fail; every other must succeed.

load helpers
load registry

TOUR=$BATS_TEST_DIRNAME/../../docs/tour.md

setup_file() {
  have_registry || skip "docker-registry is not installed"
  start_file_registry
}

teardown_file() {
  stop_file_registry
}

# The tour as a script: each command echoed, then run; expected failures inverted.
tour_script() {
  echo 'set -euo pipefail'
  awk '/^```sh$/ {on = 1; next} /^```/ {on = 0} on' "$TOUR" | while IFS= read -r line; do
    [ -z "$line" ] && continue
    printf 'printf "%%s\\n" %q\n' "\$ $line"
    if [[ "$line" =~ ^(.*[^[:space:]])[[:space:]]+#\ fails ]]; then
      printf 'if %s; then echo "expected to fail: %s" >&2; exit 1; fi\n' \
        "${BASH_REMATCH[1]}" "${BASH_REMATCH[1]//\"/\\\"}"
    else
      echo "$line"
    fi
  done
}

@test "the tour has commands, expected failures among them" {
  tour_script >"$WORK/tour.sh"
  [ "$(grep -c '^schicht \|^if schicht ' "$WORK/tour.sh")" -gt 30 ]
  [ "$(grep -c '^if ' "$WORK/tour.sh")" -ge 3 ]
}

@test "every command of docs/tour.md runs as the tour says" {
  tour_script >"$WORK/tour.sh"
  bin=$(cd "$(dirname "$SCHICHT")" && pwd)
  cd "$BATS_TEST_DIRNAME/../.."
  # The registry as the tour names it: localhost, on the test registry's port.
  run env PATH="$bin:$PATH" REGISTRY="localhost:${REG##*:}" TMPDIR="$WORK" bash "$WORK/tour.sh"
  echo "$output" | tail -40
  expect_success
  # What the tour says the commands show.
  for want in "Loaded image: localhost/app:1" "Shared with: [localhost/app:1]" \
    "localhost/app:prod -> 9d0d061b82c4" "Would reclaim: 8.192kB (8192 bytes)" \
    "is in use by a container" "decision:     rejected by reject" \
    '"architecture": "arm64"' "Signing manifest using a sigstore signature" \
    "A signature was required, but no signature exists" "no problems"; do
    [[ "$output" == *"$want"* ]] || { echo "the tour's output lacks: $want"; return 1; }
  done
}
