#!/usr/bin/env bats
# Crash safety beyond load: pull, rmi, image prune, tag and untag killed (SIGKILL, through
# SCHICHT_KILL_AT) between each of their durable steps, and a build killed during a RUN. Afterwards every referenced blob is
# there and intact, the image that was complete before is still complete, the operation's
# effect is either wholly visible or not at all, `system check --repair` leaves a clean store,
# and the operation can be done again. The file ends by printing the crashes survived and the
# images lost.

load helpers
load registry
load build

setup_file() {
  export TALLY=$BATS_FILE_TMPDIR/tally
  : >"$TALLY"
}

teardown_file() {
  local crashes lost
  crashes=$(grep -c '^crash ' "$TALLY" || true)
  lost=$(grep -c '^lost ' "$TALLY" || true)
  echo "# crashes survived: $crashes; images lost: $lost" >&3
}

# crashed POINT CMD...: runs CMD with a kill at POINT, which must be reached; then checks the
# store and repairs what the crash left behind.
crashed() {
  local point=$1
  shift
  SCHICHT_KILL_AT=$point run s "$@"
  [ "$status" -eq 137 ] || { echo "$point: $*: status $status (point not reached?): $output"; return 1; }
  echo "crash $point" >>"$TALLY"
  consistent || { echo "lost: $point" >>"$TALLY"; return 1; }
  # The image that was complete before the crash still is.
  if ! s image exists keep:1 || s system check | grep -q "damaged image"; then
    echo "lost keep:1 at $point" >>"$TALLY"
    echo "$point: keep:1 was damaged"
    return 1
  fi
  run s system check --repair
  run s system check
  expect_success
}

keep_image() {
  [ -f "$WORK/keep.tar" ] ||
    fixture --out "$WORK/keep.tar" --format oci-archive --name keep:1 --seed 51 --layers 2
  s load -i "$WORK/keep.tar" >/dev/null
}

@test "rmi killed at each named point" {
  command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layers 3 --seed 52
  for point in rmi-rows-before-commit rmi-rows-committed rmi-blob-removed; do
    rm -rf "$STORE"
    keep_image
    s load -i "$WORK/a.tar" >/dev/null
    crashed $point rmi app:1
    if [ $point = rmi-rows-before-commit ]; then
      s image exists app:1 || { echo "$point: app:1 vanished before the commit"; false; }
      run s rmi app:1
      expect_success
    else
      ! s image exists app:1 || { echo "$point: app:1 still listed after the commit"; false; }
    fi
    # Gone for good, and it can come back.
    run s rmi app:1
    expect_failure 1 "app:1: image not known"
    run s load -i "$WORK/a.tar"
    expect_success
    run s system check
    expect_success
  done
}

@test "image prune killed at each named point" {
  command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layers 2 --seed 53
  fixture --out "$WORK/b.tar" --format oci-archive --name app:2 --layers 2 --seed 54
  for point in rmi-rows-before-commit rmi-rows-committed rmi-blob-removed prune-image-removed \
    snapshot-in-trash; do
    rm -rf "$STORE"
    keep_image
    s load -i "$WORK/a.tar" >/dev/null
    s load -i "$WORK/b.tar" >/dev/null
    # A container leaves the image's snapshots behind for the prune to remove.
    s rm "$(s create app:1)" >/dev/null
    s untag app:1
    s untag app:2
    [ "$(s images -q | wc -l)" -eq 3 ]
    crashed $point image prune -f
    # Only the two dangling images may have gone; keep:1 is named.
    left=$(s images -q | wc -l)
    [ "$left" -ge 1 ] && [ "$left" -le 3 ]
    run s image prune -f
    expect_success
    [ "$(s images -q | wc -l)" -eq 1 ]
    [ -z "$(ls "$STORE/snapshots")" ]
    run s system check
    expect_success
  done
}

@test "tag and untag killed before and after their commit" {
  command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
  keep_image
  crashed tag-before-commit tag keep:1 moved:1
  ! s image exists moved:1
  crashed tag-committed tag keep:1 moved:1
  s image exists moved:1
  run s tag keep:1 moved:1
  expect_success
  crashed untag-before-commit untag keep:1 moved:1
  s image exists moved:1
  crashed untag-committed untag keep:1 moved:1
  ! s image exists moved:1
  run s untag keep:1 moved:1
  expect_failure 125 "moved:1"
}

@test "pull killed at each named point" {
  have_registry || skip "docker-registry is not installed"
  command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
  REG=$(start_registry "$WORK/registry")
  fixture --out "$WORK/a.tar" --format oci-archive --layers 3 --layer-kb 256 --seed 55
  skopeo copy -q --dest-tls-verify=false "oci-archive:$WORK/a.tar" "docker://$REG/app:1" >/dev/null
  local failed=""
  for point in blob-before-rename blob-renamed pull-layers-stored pull-blobs-stored \
    image-rows-before-commit image-rows-committed pull-image-stored; do
    rm -rf "$STORE"
    keep_image
    crashed $point pull --tls-verify=false --retry 0 "$REG/app:1" || { failed="$failed $point"; continue; }
    case $point in
      image-rows-committed | pull-image-stored)
        s image exists "$REG/app:1" || failed="$failed $point(not-visible)" ;;
      *)
        ! s image exists "$REG/app:1" || failed="$failed $point(visible)" ;;
    esac
    run s pull -q --tls-verify=false --retry 0 "$REG/app:1"
    [ "$status" -eq 0 ] || failed="$failed $point(redo:$output)"
    s system check >/dev/null || failed="$failed $point(check)"
  done
  stop_registry "$WORK/registry"
  [ -z "$failed" ] || { echo "failed at:$failed"; false; }
}

@test "build killed during a RUN: system check reports its directory, --repair removes it" {
  have_busybox || skip "needs $BUSYBOX (busybox-static)"
  make_context
  make_base_tar
  s import "$WORK/base.tar" localhost/base >/dev/null
  keep_image
  before=$(s images --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}' | sort)
  printf 'FROM localhost/base\nRUN touch /started && sleep 60\n' > "$WORK/Containerfile"
  "$SCHICHT" --root "$STORE" build -t localhost/killed -f "$WORK/Containerfile" "$WORK/ctx" \
    >"$WORK/build.log" 2>&1 &
  local pid=$!
  local i
  # The RUN's root: an overlay's merged directory, or a flattened copy (vfs, rootless).
  run_started() {
    compgen -G "$STORE/tmp/build-*/overlay0/merged/started" >/dev/null ||
      compgen -G "$STORE/tmp/build-*/stage0/started" >/dev/null
  }
  for i in $(seq 200); do
    run_started && break
    sleep 0.1
  done
  run_started || { cat "$WORK/build.log"; false; }
  # A running build's directory is no leftover.
  run s system check
  expect_success
  kill -9 "$pid"
  wait "$pid" || true
  echo "crash build-during-run" >>"$TALLY"
  dir=$(compgen -G "$STORE/tmp/build-*")
  [ -d "$dir" ]
  # The RUN's processes die with the build (their root is in its directory).
  for i in $(seq 50); do
    rooted=$(for r in /proc/[0-9]*/root; do readlink "$r" 2>/dev/null; done | grep -cF "$dir" || true)
    [ "$rooted" -eq 0 ] && break
    sleep 0.1
  done
  [ "$rooted" -eq 0 ]
  consistent || { echo "lost: build-during-run" >>"$TALLY"; false; }
  run s system check
  expect_failure 125 "stale build directory $dir"
  run s system check --repair
  expect_success
  [[ "$output" == *"removed 1 stale build directories"* ]]
  [ ! -e "$dir" ]
  run s system check
  expect_success
  [ "$(s images --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}' | sort)" = "$before" ]
}
