#!/usr/bin/env bats
# load: every archive kind podman reads, names as podman gives them, identities kept.

load helpers

@test "load an oci-archive: named under localhost/, manifest digest kept" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1
  run s load -i "$WORK/a.tar"
  expect_success
  [ "$output" = "Loaded image: localhost/app:1" ]
  manifest=$(tar -xOf "$WORK/a.tar" index.json | python3 -c 'import json,sys; print(json.load(sys.stdin)["manifests"][0]["digest"])')
  run s images --digests --no-trunc
  [[ "$output" == *"localhost/app"*"1"*"$manifest"* ]]
}

@test "load a docker-archive: RepoTags normalized as podman does" {
  fixture --out "$WORK/d.tar" --format docker-archive --name busybox:latest
  run s load -i "$WORK/d.tar"
  expect_success
  [ "$output" = "Loaded image: localhost/busybox:latest" ]
  fixture --out "$WORK/q.tar" --format docker-archive --name quay.io/a/b:2 --seed 4
  run s load -i "$WORK/q.tar"
  expect_success
  [ "$output" = "Loaded image: quay.io/a/b:2" ]
}

@test "load from stdin, gzip- and zstd-compressed archives" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1
  gzip -k -c "$WORK/a.tar" > "$WORK/a.tar.gz"
  zstd -q -c "$WORK/a.tar" > "$WORK/a.tar.zst"
  run s load < "$WORK/a.tar.gz"
  expect_success
  [ "$output" = "Loaded image: localhost/app:1" ]
  run s load -q -i "$WORK/a.tar.zst"
  expect_success
  [ "$output" = "Loaded image: localhost/app:1" ]
  [ "$(s images -q | wc -l)" -eq 1 ]
}

@test "load an untagged image prints its ID" {
  fixture --out "$WORK/a.tar" --format oci-archive
  run s load -i "$WORK/a.tar"
  expect_success
  [[ "$output" == "Loaded image: sha256:"* ]]
  run s images
  [[ "$output" == *"<none>"*"<none>"* ]]
}

@test "load of zstd and uncompressed layers keeps the blobs byte-exact" {
  for c in zstd none; do
    fixture --out "$WORK/$c.tar" --format oci-archive --compression $c --name $c:1 --seed 7
    run s load -i "$WORK/$c.tar"
    expect_success
  done
  mkdir "$WORK/x"
  tar -xf "$WORK/zstd.tar" -C "$WORK/x"
  for b in "$WORK"/x/blobs/sha256/*; do
    cmp "$b" "$STORE/blobs/sha256/$(basename "$b")"
  done
}

@test "load then save then load keeps every blob byte-identical" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layers 3
  s load -i "$WORK/a.tar"
  before=$(ls "$STORE/blobs/sha256" | sort)
  s save --format oci-archive -o "$WORK/b.tar" app:1
  s save -o "$WORK/c.tar" app:1
  rm -rf "$STORE"
  s load -i "$WORK/b.tar"
  [ "$(ls "$STORE/blobs/sha256" | sort)" = "$before" ]
  mkdir "$WORK/x" && tar -xf "$WORK/a.tar" -C "$WORK/x"
  for b in "$WORK"/x/blobs/sha256/*; do
    cmp "$b" "$STORE/blobs/sha256/$(basename "$b")"
  done
  # The docker-archive round trip: same image ID, stable on a second pass.
  rm -rf "$STORE"
  s load -i "$WORK/c.tar"
  id1=$(s images -q --no-trunc)
  s save -o "$WORK/d.tar" localhost/app:1
  rm -rf "$STORE"
  s load -i "$WORK/d.tar"
  [ "$(s images -q --no-trunc)" = "$id1" ]
  cmp <(tar -xOf "$WORK/c.tar" manifest.json) <(tar -xOf "$WORK/d.tar" manifest.json)
}

@test "a second load of the same image changes nothing" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1
  s load -i "$WORK/a.tar"
  before=$(store_state)
  s load -i "$WORK/a.tar"
  [ "$(store_state)" = "$before" ]
}
