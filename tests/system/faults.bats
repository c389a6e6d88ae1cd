#!/usr/bin/env bats
# A hostile or broken registry: tests/tools/faultproxy.py sits between schicht and the loopback
# docker-registry and drops, stalls, corrupts, truncates and misdirects what it forwards. Each
# fault gives a successful retry or a clear error; never a corrupt store, never a lost image.
# The file ends by printing how many faults were injected and how many images were lost.

load helpers
load registry

setup_file() {
  have_registry || skip "docker-registry is not installed"
  start_file_registry
  # Four layers of 512 KiB of incompressible bytes: big enough to break in the middle.
  local tar=$BATS_FILE_TMPDIR/app.tar
  python3 "$FIXTURE" --out "$tar" --format oci-archive --layers 4 --layer-kb 512 --seed 41
  skopeo copy -q --dest-tls-verify=false "oci-archive:$tar" "docker://$REG/app:1" >/dev/null
  python3 "$FIXTURE" --out "$tar" --format oci-archive --layers 1 --layer-kb 64 --seed 42
  skopeo copy -q --dest-tls-verify=false "oci-archive:$tar" "docker://$REG/other:1" >/dev/null
  export CONTROL=$BATS_FILE_TMPDIR/rules.json PROXY_LOG=$BATS_FILE_TMPDIR/proxy.log
  echo '[]' >"$CONTROL"
  : >"$PROXY_LOG"
  python3 "$BATS_TEST_DIRNAME/../tools/faultproxy.py" --upstream "$REG" --control "$CONTROL" \
    --log "$PROXY_LOG" --port-file "$BATS_FILE_TMPDIR/proxy.addr" >/dev/null 2>&1 3>&- &
  echo $! >"$BATS_FILE_TMPDIR/proxy.pid"
  for _ in $(seq 100); do
    [ -f "$BATS_FILE_TMPDIR/proxy.addr" ] && break
    sleep 0.05
  done
  PROXY=$(cat "$BATS_FILE_TMPDIR/proxy.addr")
  export PROXY
  # Tallies for the summary at the end.
  export TALLY=$BATS_FILE_TMPDIR/tally
  : >"$TALLY"
}

teardown_file() {
  if [ -f "$BATS_FILE_TMPDIR/proxy.pid" ]; then
    kill "$(cat "$BATS_FILE_TMPDIR/proxy.pid")" 2>/dev/null || true
  fi
  stop_file_registry
  if [ -f "$PROXY_LOG" ]; then
    local faults lost
    faults=$(grep -c '^fault ' "$PROXY_LOG" || true)
    lost=$(grep -c '^lost ' "$TALLY" || true)
    echo "# registry faults injected: $faults; images lost: $lost" >&3
  fi
}

# schicht on the test's store, through the proxy; retries quick, stalls short.
sp() {
  SCHICHT_STALL_TIMEOUT=1 s "$@" --tls-verify=false
}

# faults RULES: the proxy applies these (JSON, see faultproxy.py) from the next request on.
faults() {
  LOG_MARK=$(wc -l <"$PROXY_LOG" 2>/dev/null || echo 0)
  printf '%s\n' "$1" >"$CONTROL"
}

# How many faults the proxy injected since the last `faults`.
injected() {
  tail -n +"$((LOG_MARK + 1))" "$PROXY_LOG" | grep -c "^fault ${1:-}"
}

teardown() {
  echo '[]' >"$CONTROL"
  remove_work
}

# A stored image that must outlive every failure in the test.
keep_image() {
  fixture --out "$WORK/keep.tar" --format oci-archive --name keep:1 --seed 43
  s load -i "$WORK/keep.tar" >/dev/null
  BEFORE=$(store_state)
}

# The store is as it was before the failure: same images, same blobs, nothing in ingest/,
# and the kept image still verifies.
unchanged() {
  same_as_before "$(store_state)" || { echo "lost: store changed" >>"$TALLY"; return 1; }
  s image exists keep:1 || { echo "lost keep:1" >>"$TALLY"; return 1; }
  run s system check
  expect_success
}

# The digest of layer N (0-based) of REG/app:1.
layer() {
  skopeo inspect --tls-verify=false --format "{{index .Layers $1}}" "docker://$REG/app:1"
}

# The image app:1 pulled through the proxy is the one the registry holds.
pulled_correctly() {
  local want
  want=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG/app:1")
  [ "$(s inspect --format '{{.Digest}}' "$PROXY/app:1")" = "$want" ]
  run s system check
  expect_success
}

@test "a connection dropped mid-blob is resumed with a Range request; the image is correct" {
  digest=$(layer 1)
  faults "[{\"match\": \"/blobs/$digest\", \"method\": \"GET\", \"action\": \"drop\", \"after\": 200000}]"
  run sp pull "$PROXY/app:1"
  expect_success
  pulled_correctly
  grep -q "^fault drop GET /v2/app/blobs/$digest" "$PROXY_LOG"
  # Resumed where the bytes that arrived end (a reset may lose some in flight).
  grep "^request GET /v2/app/blobs/$digest range=bytes=" "$PROXY_LOG"
}

@test "every layer dropped twice, in parallel: resumed each time; the image is correct" {
  faults '[{"match": "/blobs/", "method": "GET", "action": "drop", "after": 100000, "times": 8}]'
  run sp pull --retry 3 "$PROXY/app:1"
  expect_success
  pulled_correctly
}

@test "a registry that stops sending times out with a network error; the store is unchanged" {
  keep_image
  digest=$(layer 2)
  faults "[{\"match\": \"/blobs/$digest\", \"action\": \"stall\", \"after\": 0, \"seconds\": 30, \"times\": 0}]"
  start=$SECONDS
  run sp pull --retry 1 "$PROXY/app:1"
  expect_failure 125 "GET http://$PROXY/v2/app/blobs/$digest" \
    "the connection stalled (less than 1024 bytes/s for 1 s)" "(gave up after 2 attempts)"
  [ $((SECONDS - start)) -lt 20 ]
  unchanged
}

@test "a registry that drips a few bytes a second stalls: a network error; the store is unchanged" {
  keep_image
  digest=$(layer 2)
  faults "[{\"match\": \"/blobs/$digest\", \"action\": \"drip\", \"interval\": 0.1, \"seconds\": 60, \"times\": 0}]"
  start=$SECONDS
  SCHICHT_STALL_TIMEOUT=2 run s pull --tls-verify=false --retry 1 "$PROXY/app:1"
  expect_failure 125 "GET http://$PROXY/v2/app/blobs/$digest" \
    "the connection stalled (less than 1024 bytes/s for 2 s)" "(gave up after 2 stalled attempts)"
  [ $((SECONDS - start)) -lt 30 ]
  [ "$(injected drip)" -ge 2 ]
  unchanged
}

@test "the timeout variables must be numbers" {
  for var in SCHICHT_CONNECT_TIMEOUT SCHICHT_STALL_TIMEOUT; do
    export "$var=soon"
    run s pull --tls-verify=false "$PROXY/app:1"
    unset "$var"
    expect_failure 125 "$var=\"soon\": expected a number of seconds"
  done
  SCHICHT_STALL_SPEED=fast run s pull --tls-verify=false "$PROXY/app:1"
  expect_failure 125 'SCHICHT_STALL_SPEED="fast": expected a number of bytes per second (0: no limit)'
  SCHICHT_TOTAL_TIMEOUT=-1 run s pull --tls-verify=false "$PROXY/app:1"
  expect_failure 125 'SCHICHT_TOTAL_TIMEOUT="-1": expected a number of seconds (0: no limit)'
  [ -z "$(s images -q)" ]
}

@test "a corrupted blob is refused naming its digest; the store is unchanged (as podman)" {
  keep_image
  digest=$(layer 0)
  faults "[{\"match\": \"/blobs/$digest\", \"action\": \"corrupt\", \"at\": 4000, \"times\": 0}]"
  run sp pull "$PROXY/app:1"
  expect_failure 125 "storing blob $digest: Digest did not match, expected $digest, got sha256:"
  unchanged
  if have_podman; then
    run p pull --tls-verify=false "$PROXY/app:1"
    [ "$status" -ne 0 ]
    [[ "$output" == *"Digest did not match, expected $digest"* ]]
  fi
}

@test "503, 500 and 429 with Retry-After are retried, then the pull succeeds" {
  faults '[
    {"match": "/manifests/", "method": "GET", "action": "status", "code": 503, "times": 2},
    {"match": "/blobs/", "method": "GET", "nth": 2, "action": "status", "code": 500},
    {"match": "/blobs/", "method": "GET", "nth": 3, "action": "status", "code": 429, "retry_after": 1}
  ]'
  run sp pull --retry 3 "$PROXY/app:1"
  expect_success
  pulled_correctly
  [ "$(injected status)" -ge 4 ]
}

@test "5xx beyond --retry fails with the status; the store is unchanged" {
  keep_image
  faults '[{"match": "/manifests/", "action": "status", "code": 503, "times": 0}]'
  run sp pull --retry 1 "$PROXY/app:1"
  expect_failure 125 "initializing source docker://$PROXY/app:1" "503 Service Unavailable"
  unchanged
}

@test "truncated bodies, wrong lengths and digests, swapped manifests, loops: clear errors" {
  keep_image
  digest=$(layer 3)
  manifest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG/app:1")
  other=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG/other:1")
  check() {  # check RULE EXPECTED...: the pull fails with these words, nothing changes
    local rule=$1
    shift
    faults "[$rule]"
    run sp pull --retry 0 "$@"
    echo "rule: $rule"
  }

  check "{\"match\": \"/blobs/$digest\", \"action\": \"truncate\", \"after\": 1000}" "$PROXY/app:1"
  expect_failure 125 "blobs/$digest: body ended after 1000 of"
  unchanged

  check "{\"match\": \"/blobs/$digest\", \"action\": \"content_length\", \"delta\": 100}" "$PROXY/app:1"
  expect_failure 125 "blobs/$digest: Content-Length"
  unchanged

  check "{\"match\": \"/blobs/$digest\", \"action\": \"content_length\", \"delta\": -100}" "$PROXY/app:1"
  expect_failure 125 "blobs/$digest: Content-Length"
  unchanged

  check "{\"match\": \"/manifests/1\", \"action\": \"digest\", \"value\": \"$other\"}" "$PROXY/app:1"
  expect_failure 125 "manifest does not match its Docker-Content-Digest $other"
  unchanged

  check "{\"match\": \"/blobs/$digest\", \"action\": \"digest\", \"value\": \"$other\"}" "$PROXY/app:1"
  expect_failure 125 "reading blob $digest from $PROXY/app: the registry names digest $other"
  unchanged

  # Another image's manifest served for this digest: refused, whatever the headers say.
  check "{\"match\": \"/manifests/$manifest\", \"action\": \"substitute\", \"path\": \"/v2/other/manifests/$other\"}" \
    "$PROXY/app@$manifest"
  expect_failure 125 "reading manifest $manifest in $PROXY/app: manifest digest $other does not match the requested digest"
  unchanged

  check '{"match": "/manifests/1", "action": "redirect_loop", "times": 0}' "$PROXY/app:1"
  expect_failure 125 "stopped after 10 redirects"
  unchanged

  check '{"match": "/manifests/1", "action": "oversize", "size": 5000000}' "$PROXY/app:1"
  expect_failure 125 "initializing source docker://$PROXY/app:1" \
    "manifests/1: Content-Length 5000000 exceeds the expected 4194304 bytes"
  unchanged
}

@test "push through faults: 503s, a dropped upload and a failed manifest PUT are retried" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:2 --layers 3 --layer-kb 256 --seed 44
  s load -i "$WORK/a.tar" >/dev/null
  faults '[
    {"match": "/blobs/sha256:", "method": "HEAD", "action": "status", "code": 503},
    {"match": "/blobs/uploads/", "method": "PUT", "action": "status", "code": 500},
    {"match": "/blobs/uploads/", "method": "PUT", "nth": 2, "action": "drop", "after": 0},
    {"match": "/manifests/", "method": "PUT", "action": "status", "code": 502}
  ]'
  run sp push --retry 3 app:2 "$PROXY/pushed:1"
  expect_success
  [ "$(remote_digest "$REG/pushed:1")" = "$(s inspect --format '{{.Digest}}' app:2)" ]
  [ "$(injected)" -ge 4 ]
  # And it pulls back, byte for byte, into a fresh store.
  id=$(s inspect --format '{{.Id}}' app:2)
  rm -rf "$STORE"
  run sp pull -q "$REG/pushed:1"
  expect_success
  [ "${lines[-1]}" = "$id" ]
}

@test "push with a registry that keeps failing: a clear error after the retries" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:3 --layers 1 --seed 45
  s load -i "$WORK/a.tar" >/dev/null
  BEFORE=$(store_state)
  faults '[{"match": "/blobs/uploads/", "method": "PUT", "action": "status", "code": 500, "times": 0}]'
  run sp push --retry 1 app:3 "$PROXY/failing:1"
  expect_failure 125 "writing blob: uploading blob sha256:" "500 Internal Server Error"
  [ "$(store_state)" = "$BEFORE" ]
}

@test "SCHICHT_STALL_TIMEOUT must be a number of seconds" {
  for value in x 0 -3 5s; do
    SCHICHT_STALL_TIMEOUT=$value run s pull --tls-verify=false "$PROXY/app:1"
    expect_failure 125 "SCHICHT_STALL_TIMEOUT=\"$value\": expected a number of seconds"
  done
  [ -z "$(s images -q)" ]
}
