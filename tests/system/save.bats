#!/usr/bin/env bats
# save: podman's formats, names, outputs and errors.

load helpers

load_app() {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layers 2
  s load -i "$WORK/a.tar" >/dev/null
}

@test "save docker-archive: containers/image layout, full names in RepoTags" {
  load_app
  run s save -o "$WORK/out.tar" app:1
  expect_success
  run tar -tf "$WORK/out.tar"
  [[ "$output" == *"manifest.json"* ]]
  [ "$(tar -tf "$WORK/out.tar" | tail -1)" = "repositories" ]
  tar -xOf "$WORK/out.tar" manifest.json | grep -q '"RepoTags":\["localhost/app:1"\]'
}

@test "save to stdout when not a terminal; by ID gives no RepoTags" {
  load_app
  id=$(s images -q)
  s save "$id" > "$WORK/out.tar"
  tar -xOf "$WORK/out.tar" manifest.json | grep -q '"RepoTags":\[\]'
}

@test "save oci-archive and oci-dir: the ref.name is the full name" {
  load_app
  s save --format oci-archive -o "$WORK/o.tar" app:1
  tar -xOf "$WORK/o.tar" index.json | grep -q '"org.opencontainers.image.ref.name":"localhost/app:1"'
  s save --format oci-dir -o "$WORK/odir" app:1
  [ -f "$WORK/odir/oci-layout" ]
  grep -q 'localhost/app:1' "$WORK/odir/index.json"
}

@test "save docker-dir writes the dir: transport layout" {
  load_app
  s save --format docker-dir -o "$WORK/ddir" app:1
  [ "$(cat "$WORK/ddir/version")" = "Directory Transport Version: 1.1" ]
  [ -f "$WORK/ddir/manifest.json" ]
}

@test "save -m writes several images into one docker-archive" {
  load_app
  fixture --out "$WORK/b.tar" --format oci-archive --name other:2 --seed 9
  s load -i "$WORK/b.tar"
  s save -m -o "$WORK/m.tar" app:1 other:2
  [ "$(tar -xOf "$WORK/m.tar" manifest.json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2 ]
  rm -rf "$STORE"
  run s load -i "$WORK/m.tar"
  expect_success
  [[ "$output" == *"localhost/app:1"* && "$output" == *"localhost/other:2"* ]]
}

@test "save errors: unknown image, bad format, no argument, -m with oci" {
  load_app
  run s save -o "$WORK/x.tar" nope
  expect_failure 125 "nope: image not known"
  [ ! -e "$WORK/x.tar" ]
  run s save --format foo -o "$WORK/x.tar" app:1
  expect_failure 125 "format value must be one of oci-dir oci-archive docker-dir docker-archive"
  run s save -o "$WORK/x.tar"
  expect_failure 125 "need at least 1 argument"
  run s save -m --format oci-archive -o "$WORK/x.tar" app:1
  expect_failure 125 "multi-image-archive"
  [ -z "$(ls -A "$WORK" | grep '^\.x.tar')" ]
}

@test "an output naming a device or a FIFO is written to, never replaced by a file" {
  [ "$(id -u)" = 0 ] || skip "mknod needs root"
  load_app
  mknod "$WORK/null" c 1 3
  mkfifo "$WORK/fifo"
  for format in docker-archive oci-archive; do
    run s save --format "$format" -o "$WORK/null" app:1
    expect_success
    [ -c "$WORK/null" ]
  done
  run s image sbom -o "$WORK/null" app:1
  expect_success
  [ -c "$WORK/null" ]
  s save -o "$WORK/fifo" app:1 &
  cat "$WORK/fifo" > "$WORK/through-fifo.tar"
  wait
  [ -p "$WORK/fifo" ]
  tar -xOf "$WORK/through-fifo.tar" manifest.json | grep -q '"RepoTags":\["localhost/app:1"\]'
  # No temp file is left beside them.
  [ -z "$(ls "$WORK" | grep -e '\.tmp-')" ]
}
