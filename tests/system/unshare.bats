#!/usr/bin/env bats
# unshare: as root podman's refusal; rootless (nobody) a command or $SHELL as root of the user
# namespace that maps the caller, with podman's environment, exit codes and errors; and
# rootless `image mount`, which sends the user there, works there.

load helpers

bats_require_minimum_version 1.5.0

NOBODY=65534

setup() {
  make_work
  chmod 755 "$WORK"
}

teardown() {
  # Rootless podman leaves a pause process holding its user namespace.
  local pause=$WORK/xdg/libpod/tmp/pause.pid
  [ -s "$pause" ] && kill "$(cat "$pause")" 2>/dev/null
  remove_work
}

# schicht as nobody on the test's store.
nobody_s() {
  setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups env HOME="$WORK" SHELL=/bin/sh \
    "$SCHICHT" --root "$STORE" "$@"
}

need_nobody() {
  [ "$(id -u)" -eq 0 ] || skip "switches to nobody, so starts as root"
  command -v setpriv >/dev/null || skip "needs setpriv"
  unshare -U true 2>/dev/null || skip "no user namespaces here"
  chown -R $NOBODY:$NOBODY "$WORK"
}

@test "unshare as root fails as podman's does" {
  [ "$(id -u)" -eq 0 ] || skip "needs root"
  run s unshare id
  expect_failure 125 "Error: please use unshare with rootless"
  if have_podman; then
    [ "$output" = "$(p unshare id 2>&1)" ]
    run p unshare --rootless-netns id
    expect_failure 125 "Error: please use unshare with rootless"
  fi
  run s unshare --rootless-netns id
  expect_failure 125 "Error: please use unshare with rootless"
}

@test "rootless unshare runs the command as root of the namespace, with podman's environment and exit codes" {
  need_nobody
  run nobody_s unshare id -u
  expect_success
  [ "$output" = 0 ]
  run nobody_s unshare cat /proc/self/uid_map
  expect_success
  [ "$(echo "$output" | awk '{print $1, $2}')" = "0 $NOBODY" ]
  run nobody_s unshare sh -c 'echo "$CONTAINERS_GRAPHROOT $_CONTAINERS_USERNS_CONFIGURED $_CONTAINERS_ROOTLESS_UID"'
  [ "$output" = "$STORE done $NOBODY" ]
  # No command: $SHELL, here reading its commands from stdin.
  shell_from_stdin() { echo 'id -u; exit 4' | nobody_s unshare; }
  run -4 shell_from_stdin
  [ "$output" = 0 ]
  # Flags after the command are the command's.
  run nobody_s unshare ls -d /
  [ "$output" = / ]
  run nobody_s unshare sh -c 'exit 3'
  [ "$status" -eq 3 ]
  run nobody_s unshare sh -c 'kill -9 $$'
  [ "$status" -eq 255 ]
}

@test "rootless unshare: a missing command, one that is not executable, no shell, --rootless-netns" {
  need_nobody
  run -127 nobody_s unshare nonexistent-command
  expect_failure 127 'Error: exec: "nonexistent-command": executable file not found in $PATH'
  run nobody_s unshare /etc/passwd
  expect_failure 126 "Error: fork/exec /etc/passwd: permission denied"
  run -127 nobody_s unshare /nonexistent/x
  expect_failure 127 "Error: fork/exec /nonexistent/x: no such file or directory"
  run setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups env -u SHELL HOME="$WORK" \
    "$SCHICHT" --root "$STORE" unshare
  expect_failure 125 "Error: no command specified and no \$SHELL specified"
  run nobody_s unshare --rootless-netns id
  expect_failure 125 "Error: --rootless-netns: schicht has no rootless network namespace"
}

@test "rootless image mount names schicht unshare, and works inside it" {
  need_nobody
  fixture --out "$WORK/app.tar" --format oci-archive --name app:1 --layers 1 --layer-kb 1
  chown $NOBODY "$WORK/app.tar"
  nobody_s load -q -i "$WORK/app.tar" >/dev/null
  BEFORE=$(store_state)
  run nobody_s image mount app:1
  expect_failure 125 'Error: cannot run command "schicht image mount" in rootless mode, must execute `schicht unshare` first'
  if have_podman; then
    # podman's message, with its own name.
    run setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups env HOME="$WORK" \
      XDG_RUNTIME_DIR="$WORK/xdg" podman --root "$WORK/pr" --runroot "$WORK/prr" \
      --storage-driver vfs image mount app:1 2>&1
    echo "$output"
    [[ "$output" == *'in rootless mode, must execute `podman unshare` first'* ]]
  fi
  run nobody_s unshare sh -c "\"$SCHICHT\" --root \"$STORE\" image mount app:1 && \
    ls \"\$(\"$SCHICHT\" --root \"$STORE\" image mount app:1)\" && \
    \"$SCHICHT\" --root \"$STORE\" image unmount app:1"
  expect_success
  [[ "$output" == *layer0* ]]
  unchanged
}

@test "rootless: vfs containers outside unshare, overlay refused there; overlay inside unshare" {
  need_nobody
  fixture --out "$WORK/app.tar" --format oci-archive --name app:1 --layers 2 --layer-kb 1
  chown $NOBODY "$WORK/app.tar"
  nobody_s load -q -i "$WORK/app.tar" >/dev/null
  [ "$(nobody_s info --format '{{.Store.GraphDriverName}}')" = vfs ]
  BEFORE=$(store_state)
  run nobody_s --storage-driver overlay create app:1
  expect_failure 125 'storage driver "overlay" is not usable: mounting needs root (or `schicht unshare`)'
  unchanged
  run nobody_s create --name c1 app:1
  expect_success
  [ -d "$STORE/containers/$output/rootfs/layer1" ] && [ ! -e "$STORE/containers/$output/upper" ]
  # Inside unshare the snapshots mount as an overlay (opaque dirs as user.overlay.opaque).
  run nobody_s unshare sh -c "\"$SCHICHT\" --root \"$STORE\" info --format '{{.Store.GraphDriverName}}'"
  expect_success
  [ "$output" = overlay ] || skip "no overlayfs in a user namespace here"
}
