#!/usr/bin/env bats
# build as an unprivileged user: RUN goes through a user namespace that maps the caller to
# root, and what RUN writes as that root is root's in the layer (as in podman's rootless
# builds), not the caller's uid.

load helpers
load build

NOBODY=65534

setup() {
  make_work
  [ "$(id -u)" -eq 0 ] || skip "switches to nobody, so starts as root"
  command -v setpriv >/dev/null || skip "needs setpriv"
  have_busybox || skip "needs $BUSYBOX (busybox-static)"
  have_build || skip "schicht has no build command yet"
  chmod 755 "$WORK"
  make_context
  make_base_tar
  chown -R $NOBODY:$NOBODY "$WORK"
}

# schicht as nobody, on a store nobody owns.
nobody_s() {
  setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups env HOME="$WORK" TMPDIR="$WORK" \
    "$SCHICHT" --root "$STORE" "$@"
}

@test "rootless RUN runs as root in a user namespace and its files are root's in the layer" {
  run nobody_s import "$WORK/base.tar" localhost/base
  expect_success
  printf 'FROM localhost/base\nRUN id -u > /uid && mkdir /made\n' > "$WORK/Containerfile"
  run nobody_s build -t localhost/rootless -f "$WORK/Containerfile" "$WORK/ctx"
  expect_success
  run nobody_s save --format docker-dir -o "$WORK/out" localhost/rootless
  expect_success
  run python3 "$BATS_TEST_DIRNAME/image_summary.py" "$WORK/out"
  expect_success
  [[ "$output" == *"made dir 0755 0:0"* ]]
  [[ "$output" == *"uid file 0644 0:0 2 "* ]]
}
