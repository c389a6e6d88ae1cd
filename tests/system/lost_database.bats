#!/usr/bin/env bats
# A store whose blobs outlived db.sqlite (deleted, truncated, corrupt): every command says so
# (exit 125) instead of showing an empty store, repair deletes no blob, and
# `system check --recover` brings back every image with its names.

load helpers

# Four images: a and b share their layers (b is another architecture's config over them), c
# comes from a docker-archive (plain layers), d has gzip layers; several names, one removed.
make_images() {
  fixture --out "$WORK/a.tar" --format oci-archive --seed 1 --layers 2 --layer-kb 64 --name a:1
  fixture --out "$WORK/b.tar" --format oci-archive --seed 1 --layers 2 --layer-kb 64 \
    --arch arm64 --name b:1
  fixture --out "$WORK/c.tar" --format docker-archive --seed 3 --layers 2 --layer-kb 64 --name c:1
  fixture --out "$WORK/d.tar" --format oci-archive --seed 4 --layers 1 --layer-kb 64 \
    --compression gzip --name d:1
  local x
  for x in a b c d; do s load -i "$WORK/$x.tar" >/dev/null; done
  s tag a:1 a:2 other/a:latest
  s tag c:1 c:extra
  s untag a:1 a:2
  s tag d:1 moved:1
  s tag b:1 moved:1
}

listing() {
  s images --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}} {{.Digest}} {{.Size}}' | sort
}

blob_list() {
  ls "$STORE/blobs/sha256"
}

# The failures a lost database must give, and that none of them deleted a blob.
expect_lost_database_errors() {
  local blobs_before=$1 want=$2
  run s images
  expect_failure 125 "Error: database $STORE/db.sqlite" "$want" "system check --recover"
  run s rmi a:1
  expect_failure 125 "system check --recover"
  run s system check --repair --force
  expect_failure 125 "system check --recover"
  [ "$(blob_list)" = "$blobs_before" ]
}

# After --recover: every image back with its names, the store clean, every image saved and
# loaded into a fresh store (so every blob of it verifies).
expect_recovered() {
  local before=$1
  run s system check --recover
  expect_success
  [[ "$output" == *"Recovered 4 images and 7 names"* ]]
  [[ "$output" == *"no problems"* ]]
  same_as() { [ "$1" = "$2" ] || { diff <(echo "$1") <(echo "$2"); return 1; }; }
  same_as "$before" "$(listing)"
  run s system check
  expect_success
  local id
  for id in $(s images -q --no-trunc); do
    s save -o "$WORK/out.tar" "$id"
    "$SCHICHT" --root "$WORK/verify" load -i "$WORK/out.tar" >/dev/null
  done
  # The recovered store works on: names move, images go.
  s tag c:1 after:1
  s rmi a:1 other/a:latest
  run s system check
  expect_success
}

@test "a deleted database is an error, repair deletes nothing, recover restores every image" {
  make_images
  before=$(listing)
  blobs=$(blob_list)
  rm -f "$STORE"/db.sqlite*
  expect_lost_database_errors "$blobs" "is missing, but the store holds"
  expect_recovered "$before"
}

@test "a database truncated to 0 bytes is an error; recover keeps the empty file aside" {
  make_images
  before=$(listing)
  blobs=$(blob_list)
  : >"$STORE/db.sqlite"
  expect_lost_database_errors "$blobs" "is empty, but the store holds"
  expect_recovered "$before"
  ls "$STORE"/db.sqlite.damaged-* >/dev/null
}

@test "a corrupt database is an error; recover moves it aside, keeps it, and rebuilds" {
  make_images
  before=$(listing)
  blobs=$(blob_list)
  # Not a database at all: a header of garbage.
  python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 64)' >"$STORE/db.sqlite"
  cp "$STORE/db.sqlite" "$WORK/garbage"
  expect_lost_database_errors "$blobs" "the database is damaged"
  expect_recovered "$before"
  cmp "$WORK/garbage" "$STORE"/db.sqlite.damaged-*[0-9Z]
}

@test "a database with damaged pages is recovered" {
  make_images
  before=$(listing)
  blobs=$(blob_list)
  # A valid header over pages of zeros: SQLite opens it and fails on reading.
  size=$(stat -c %s "$STORE/db.sqlite")
  dd if=/dev/zero of="$STORE/db.sqlite" bs=4096 seek=1 count=$((size / 4096 - 1)) conv=notrunc \
    status=none
  run s images
  expect_failure 125 "the database is damaged" "system check --recover"
  run s system check --repair --force
  expect_failure 125 "system check --recover"
  [ "$(blob_list)" = "$blobs" ]
  expect_recovered "$before"
}

@test "names come from the journal, which a store without one seeds on its next open" {
  make_images
  before=$(listing)
  [ -s "$STORE/names.journal" ]
  # A store from before the journal: the next command writes it from the names table.
  rm "$STORE/names.journal"
  s images >/dev/null
  grep -q "seed.*other/a:latest.*sha256:" "$STORE/names.journal"
  rm -f "$STORE"/db.sqlite*
  expect_recovered "$before"
}

@test "without a journal the images come back unnamed" {
  make_images
  ids=$(s images -q --no-trunc | sort -u)
  rm -f "$STORE"/db.sqlite* "$STORE/names.journal"
  run s system check --recover
  expect_success
  [[ "$output" == *"Recovered 4 images and 0 names"* ]]
  [ "$(s images -q --no-trunc | sort -u)" = "$ids" ]
  [ -z "$(s images --format '{{.Repository}}' | grep -v '<none>')" ]
}

@test "recover on a healthy store changes nothing" {
  make_images
  before=$(listing)
  run s system check --recover
  expect_success
  [[ "$output" == *"Recovered 0 images and 0 names"* ]]
  [ "$before" = "$(listing)" ]
  ! ls "$STORE"/db.sqlite.damaged-* 2>/dev/null
}

@test "a new store (no database, no blobs) still starts empty" {
  run s images
  expect_success
}

# Artifacts: a referrer of a named image, a plain one, and their blobs.
make_artifacts() {
  fixture --out "$WORK/a.tar" --format oci-archive --seed 61 --layers 1 --layer-kb 16 --name app:1
  s load -q -i "$WORK/a.tar" >/dev/null
  printf 'sbom\n' >"$WORK/sbom.json"
  head -c 100000 /dev/urandom >"$WORK/data.bin"
  SBOM=$(s artifact attach -q --subject app:1 --type application/spdx+json "$WORK/sbom.json")
  PLAIN=$(s artifact add --type application/x-data plain "$WORK/data.bin")
}

@test "a lost database: recover rebuilds the artifacts too, and repair deletes none of their blobs" {
  make_artifacts
  blobs=$(blob_list)
  rm -f "$STORE"/db.sqlite*
  run s system check --recover
  expect_success
  [[ "$output" == *"recovered artifact sha256:$SBOM localhost/app:ref-"* ]]
  [[ "$output" == *"recovered artifact sha256:$PLAIN localhost/recovered-artifact:${PLAIN:0:12}"* ]]
  [[ "$output" == *"Recovered 2 artifacts"* ]]
  [[ "$output" == *"no problems"* ]]
  run s system check --repair
  expect_success
  [ "$(blob_list)" = "$blobs" ]
  # the referrer still refers to the image; both extract byte-exact
  [ "$(s artifact discover --format json app:1 | jq -r '.manifests[0].digest')" = "sha256:$SBOM" ]
  s artifact extract "sha256:$SBOM" "$WORK/sbom.out"
  cmp "$WORK/sbom.json" "$WORK/sbom.out"
  s artifact extract localhost/recovered-artifact:${PLAIN:0:12} "$WORK/data.out"
  cmp "$WORK/data.bin" "$WORK/data.out"
}

@test "recover: an artifact missing a blob is not recovered and named; its other blobs stay" {
  make_artifacts
  data=$(sha256sum "$WORK/data.bin" | cut -d' ' -f1)
  rm -f "$STORE"/db.sqlite* "$STORE/blobs/sha256/$data"
  blobs=$(blob_list)
  run s system check --recover
  expect_failure 125 "not recovered: artifact sha256:$PLAIN: blob sha256:$data is missing"
  [[ "$output" == *"recovered artifact sha256:$SBOM"* ]]
  [[ "$output" == *"unreferenced blob sha256:$PLAIN"* ]]
  # recovery itself deleted nothing
  [ "$(blob_list)" = "$blobs" ]
}

@test "recover with a kept database: an artifact whose blob is gone loses its rows, not its other blobs" {
  make_artifacts
  data=$(sha256sum "$WORK/data.bin" | cut -d' ' -f1)
  rm -f "$STORE/blobs/sha256/$data"
  run s system check
  expect_failure 125 "damaged artifact localhost/plain:latest: blob sha256:$data"
  blobs=$(blob_list)
  run s system check --recover
  [[ "$output" == *"removed broken artifact localhost/plain:latest: blob sha256:$data is missing"* ]]
  # its manifest is still there, but not all of its blobs: not recovered, and said so
  [[ "$output" == *"not recovered: artifact sha256:$PLAIN: blob sha256:$data is missing"* ]]
  [ "$(blob_list)" = "$blobs" ]
  [ "$(s artifact ls --format '{{.Repository}}' | grep -c plain)" = 0 ]
  [ "$(s artifact discover --format json app:1 | jq -r '.manifests[0].digest')" = "sha256:$SBOM" ]
  # what is left of it is unreferenced: only repair removes it
  run s system check --repair
  expect_success
  [ ! -e "$STORE/blobs/sha256/$PLAIN" ]
}

@test "system check --recover with a healthy database leaves artifacts alone" {
  make_artifacts
  run s system check --recover
  expect_success
  [[ "$output" != *"not recovered"* ]]
  [[ "$output" != *"recovered artifact"* ]]
  [ "$(s artifact ls --format '{{.Digest}}' | wc -l)" = 2 ]
}
