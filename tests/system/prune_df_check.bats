#!/usr/bin/env bats
# image prune, system prune, system df, system check.

load helpers

# Two tagged images sharing nothing, and a dangling one.
populate() {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --seed 1
  fixture --out "$WORK/b.tar" --format oci-archive --name base:1 --seed 2
  fixture --out "$WORK/c.tar" --format oci-archive --seed 3
  for f in a b c; do s load -i "$WORK/$f.tar" >/dev/null; done
}

@test "image prune removes dangling images only; -a removes the rest" {
  populate
  dangling=$(s images -q --no-trunc --filter dangling=true | sed 's/sha256://')
  run s image prune -f
  expect_success
  [ "$output" = "$dangling" ]
  [ "$(s images -q | wc -l)" -eq 2 ]
  run s image prune -f
  expect_success
  [ -z "$output" ]
  run s image prune -a -f
  expect_success
  [ "$(echo "$output" | wc -l)" -eq 2 ]
  [ -z "$(s images -q)" ]
  [ -z "$(ls -A "$STORE/blobs/sha256")" ]
}

@test "image prune --filter label and a declined prompt" {
  populate
  run s image prune -a -f --filter label=seed=2
  expect_success
  [ "$(echo "$output" | wc -l)" -eq 1 ]
  run s image exists base:1
  [ "$status" -eq 1 ]
  run s image prune -a <<< "n"
  expect_success
  [ "$(s images -q | wc -l)" -eq 2 ]
  run s image prune --filter bogus=1 -f
  expect_failure 125 "bogus is an invalid filter"
}

@test "system prune reports the bytes really freed on disk" {
  populate
  before=$(du -sB1 --apparent-size "$STORE/blobs" | cut -f1)
  run s system prune -a -f
  expect_success
  [[ "${lines[0]}" == "Deleted Images" ]]
  [[ "${lines[-1]}" == "Total reclaimed space: "* ]]
  [ -z "$(ls -A "$STORE/blobs/sha256")" ]
  run s system prune -f
  expect_success
  [ "$output" = "Total reclaimed space: 0B" ]
}

@test "system df counts each blob once and matches the blob files" {
  populate
  s tag app:1 again:1
  run s system df --format '{{.Type}} {{.Total}} {{.RawSize}}'
  expect_success
  on_disk=$(stat -c %s "$STORE"/blobs/sha256/* | awk "{s += \$1} END {print s}")
  [ "${lines[0]}" = "Images 3 $on_disk" ]
  run s system df
  expect_success
  [[ "${lines[0]}" == "TYPE"*"TOTAL"*"ACTIVE"*"SIZE"*"RECLAIMABLE" ]]
  [[ "${lines[1]}" == "Images"*"(100%)" ]]
  run s system df -v
  expect_success
  [[ "$output" == *"SHARED SIZE"*"UNIQUE SIZE"* ]]
  [[ "$output" == *"localhost/again"* ]]
}

@test "system check finds and repairs leftovers; damaged images need --force" {
  populate
  run s system check
  expect_success
  [[ "$output" == *"no problems"* ]]
  # A crash leftover: a blob nothing references, a stale ingest file.
  printf 'orphan' > "$STORE/blobs/sha256/$(printf 'orphan' | sha256sum | cut -d' ' -f1)"
  : > "$STORE/ingest/blob-stale"
  # Damage: a layer of app:1 goes missing.
  layer=$(s inspect --format '{{index .RootFS.Layers 0}}' app:1)
  mf=$(python3 -c "import json,sys; print(json.load(open('$STORE/blobs/sha256/' + sys.argv[1]))['layers'][0]['digest'][7:])" \
    "$(s inspect --format '{{.Digest}}' app:1 | cut -d: -f2)")
  rm "$STORE/blobs/sha256/$mf"
  run s system check
  expect_failure 125 "damaged image localhost/app:1" "unreferenced blob" "stale ingest file"
  run s system check --repair
  expect_failure 125 "removed unreferenced blob" "removed stale ingest file" "only with --force"
  run s system check --repair --force
  expect_success
  [[ "$output" == *"removed damaged image localhost/app:1"* ]]
  run s system check
  expect_success
  s image exists base:1
  [ -n "$layer" ]
}

@test "system check --quick skips hashing; a corrupted blob is found without it" {
  populate
  big=$(ls -S "$STORE"/blobs/sha256/* | head -1)
  chmod u+w "$big"
  printf 'X' | dd of="$big" bs=1 seek=10 conv=notrunc 2>/dev/null
  run s system check --quick
  expect_success
  run s system check
  expect_failure 125 "content does not match its digest"
}

@test "system check finds a snapshot no image needs and --repair removes it" {
  populate
  s create app:1 >/dev/null   # builds app's snapshots
  s rm -a >/dev/null
  # Remove the image's rows behind the snapshot's back: its snapshots are now unreferenced.
  s rmi app:1 >/dev/null
  mkdir -p "$STORE/snapshots/$(printf x | sha256sum | cut -d' ' -f1)"
  run s system check
  expect_failure 125 "unreferenced snapshot"
  run s system check --repair
  expect_success
  [[ "$output" == *"removed unreferenced snapshot"* ]]
  run s system check
  expect_success
}

@test "system check compares the image totals system df reads with a recount; --repair sets them" {
  populate
  df_before=$(s system df --format '{{.Type}} {{.Total}} {{.RawSize}}')
  python3 -c "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); \
db.execute('UPDATE image_totals SET images = 9, bytes = bytes + 5'); db.commit()" "$STORE/db.sqlite"
  run s system df --format '{{.Type}} {{.Total}}'
  [ "${lines[0]}" = "Images 9" ]
  run s system check --quick
  expect_failure 125 "image totals: 9 images of"
  run s system check --quick --repair
  expect_success
  [[ "$output" == *"set the image totals to the recount"* ]]
  [ "$(s system df --format '{{.Type}} {{.Total}} {{.RawSize}}')" = "$df_before" ]
  run s system check --quick
  expect_success
  # The totals follow removals too: all images pruned, nothing left to count.
  s image prune -a -f >/dev/null
  run s system df --format '{{.Type}} {{.Total}} {{.RawSize}}'
  [ "${lines[0]}" = "Images 0 0" ]
  run s system check --quick
  expect_success
}
