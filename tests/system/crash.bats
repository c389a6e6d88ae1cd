#!/usr/bin/env bats
# Crash safety: a load killed at any moment leaves no visible half-written blob and no image
# row that references a missing blob; the next load works.

load helpers

setup_file() {
  export TALLY=$BATS_FILE_TMPDIR/tally
  : >"$TALLY"
}

teardown_file() {
  echo "# crashes survived: $(grep -c '^crash ' "$TALLY" || true); images lost: $(grep -c '^lost ' "$TALLY" || true)" >&3
}

@test "load killed at each named point" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layers 3 --layer-kb 1024
  for point in blob-before-rename blob-renamed image-rows-before-commit image-rows-committed; do
    rm -rf "$STORE"
    SCHICHT_KILL_AT=$point run s load -i "$WORK/a.tar"
    [ "$status" -eq 137 ] || { echo "$point: status $status: $output"; false; }
    echo "crash $point" >>"$TALLY"
    consistent || { echo "lost at $point" >>"$TALLY"; false; }
    if [ "$point" != image-rows-committed ]; then
      [ -z "$(s images -q)" ] || { echo "$point: an image became visible"; false; }
    fi
    run s load -i "$WORK/a.tar"
    expect_success
    consistent
  done
}

@test "load killed at random moments" {
  command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layers 4 --layer-kb 4096
  for i in $(seq 1 12); do
    s load -i "$WORK/a.tar" >/dev/null 2>&1 &
    pid=$!
    sleep "0.0$((RANDOM % 9))"
    kill -9 $pid 2>/dev/null && echo "crash random-$i" >>"$TALLY"
    wait $pid 2>/dev/null || true
    consistent || { echo "lost at random-$i" >>"$TALLY"; false; }
  done
  # Leftovers of the killed loads are found and removed; then the store is clean.
  s system check --repair >/dev/null || true
  run s system check
  expect_success
  run s load -i "$WORK/a.tar"
  expect_success
  consistent
  [ "$(s images -q | wc -l)" -eq 1 ]
}
