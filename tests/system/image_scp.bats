#!/usr/bin/env bats
# image scp: an image to and from another store over ssh (an sshd on loopback started here),
# the manifest digest kept both ways; bad locations and a failing remote side.

load helpers
load registry
load sshd

setup_file() {
  have_sshd || return 0
  SSHD_PORT=$(start_sshd "$BATS_FILE_TMPDIR/sshd") || return 0
  export SSHD_PORT
  export SCHICHT_SSH_COMMAND="ssh -F $BATS_FILE_TMPDIR/sshd/ssh_config"
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$BATS_FILE_TMPDIR/img.tar" \
    --format oci-archive --layers 2 --name scp:1 --seed 51
}

teardown_file() {
  stop_sshd "$BATS_FILE_TMPDIR/sshd"
}

setup() {
  make_work
  [ -n "${SSHD_PORT:-}" ] || skip "sshd could not be started"
  OTHER=$WORK/other
  # The other host's schicht: this build on a store of its own.
  export SCHICHT_REMOTE_COMMAND
  SCHICHT_REMOTE_COMMAND="$(printf '%q --root %q' "$(realpath "$SCHICHT")" "$OTHER")"
  HOST="$(id -un)@127.0.0.1:$SSHD_PORT"
}

other() {
  "$SCHICHT" --root "$OTHER" "$@"
}

digest() {
  "$SCHICHT" --root "$1" image inspect --format '{{.Digest}}' "$2"
}

@test "to a host and back: the image and its manifest digest arrive unchanged" {
  run s load -i "$BATS_FILE_TMPDIR/img.tar"
  expect_success
  local name=localhost/scp:1 want
  want=$(digest "$STORE" "$name")
  run s image scp "$name" "$HOST::"
  expect_success
  [[ "$output" == *"Loaded image: $name"* ]]
  [ "$(digest "$OTHER" "$name")" = "$want" ]
  [ "$(other image inspect --format '{{.Id}}' "$name")" = "$(s image inspect --format '{{.Id}}' "$name")" ]
  # Back, from a store that never had it, under a new name too.
  run s rmi "$name"
  expect_success
  run s image scp "$HOST::$name" localhost/back:2
  expect_success
  [[ "$output" == *"Loaded image: $name"* ]]
  [ "$(digest "$STORE" "$name")" = "$want" ]
  [ "$(digest "$STORE" localhost/back:2)" = "$want" ]
  # To the host under another name (HOST::NAME), quietly.
  run s image scp -q "$name" "$HOST::localhost/there:3"
  expect_success
  [ -z "$output" ]
  [ "$(digest "$OTHER" localhost/there:3)" = "$want" ]
}

@test "host to host: one ssh's save into the other's load" {
  run other load -i "$BATS_FILE_TMPDIR/img.tar"
  expect_success
  local want
  want=$(digest "$OTHER" localhost/scp:1)
  run s image scp "$HOST::localhost/scp:1" "$HOST::localhost/relayed:1"
  expect_success
  [ "$(digest "$OTHER" localhost/relayed:1)" = "$want" ]
}

@test "bad locations and a failing remote side: messages, exit codes, stores unchanged" {
  run s image scp
  expect_failure 125 "requires at least 1 arg(s), only received 0"
  run s image scp alpine localhost/alpine
  expect_failure 125 "one side must be a remote HOST::"
  run s image scp "$HOST::"
  expect_failure 125 'no image named after "::"'
  run s image scp alpine -- "-oProxyCommand=x::"
  expect_failure 125 "invalid host name"
  run s image scp alpine "host:port::"
  expect_failure 125 "invalid port"
  run s image scp no-such-image "$HOST::"
  expect_failure 125 "no-such-image"
  # The image is not there: the remote save fails, and says so; nothing is loaded here.
  store_state
  run s image scp "$HOST::localhost/missing:1"
  [ "$status" -eq 125 ]
  [[ "$output" == *"localhost/missing:1"* ]]
  [[ "$output" == *"save: exited with status 125"* ]]
  unchanged
  # ssh cannot reach the host: its status is the error.
  SCHICHT_SSH_COMMAND="ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=2" \
    run s image scp "root@127.0.0.1:1::x"
  [ "$status" -eq 125 ]
  [[ "$output" == *"ssh root@127.0.0.1: save: exited with status 255"* ]]
}

@test "a connection name of containers.conf: its uri's user, host and port, its identity" {
  run s load -i "$BATS_FILE_TMPDIR/img.tar"
  expect_success
  printf '[engine.service_destinations.loop]\nuri = "ssh://%s/run/user/0/podman/podman.sock"\nidentity = "%s"\n' \
    "$HOST" "$BATS_FILE_TMPDIR/sshd/id" >"$WORK/containers.conf"
  # No ssh config: the key comes from the connection alone.
  CONTAINERS_CONF=$WORK/containers.conf \
    SCHICHT_SSH_COMMAND="ssh -F /dev/null -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o BatchMode=yes -o LogLevel=ERROR" \
    run s image scp localhost/scp:1 loop::
  expect_success
  [ "$(digest "$OTHER" localhost/scp:1)" = "$(digest "$STORE" localhost/scp:1)" ]
  printf '[engine.service_destinations.bad]\nuri = "tcp://x:1"\n' >"$WORK/containers.conf"
  CONTAINERS_CONF=$WORK/containers.conf run s image scp localhost/scp:1 bad::
  expect_failure 125 'connection "bad": "tcp://x:1" is not an ssh:// URI'
}
