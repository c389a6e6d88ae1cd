#!/usr/bin/env bats
# save through the copy engine: --multi-arch of a stored list (schicht's; podman 4.3 has none),
# and its bad input.

load helpers

setup() {
  make_work
  fixture --out "$WORK/m.tar" --format oci-archive --name multi:1 --seed 23 \
    --platforms linux/amd64,linux/arm64,linux/arm/v7
  # The list kept whole in the store, as pull --all-platforms keeps it.
  s image copy --all "oci-archive:$WORK/m.tar" containers-storage:localhost/multi:1 >/dev/null
  LIST=$(sqlite3 "$STORE/db.sqlite" "SELECT list_digest FROM list_names WHERE name = 'localhost/multi:1'")
  [ -n "$LIST" ]
}

# The digests an index.json names, and those of the instances its list names.
index_digest() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$1"; }

@test "save --multi-arch all: the list and every instance, the list digest unchanged" {
  s save --multi-arch all --format oci-archive -o "$WORK/all.tar" multi:1
  mkdir "$WORK/x" && tar -xf "$WORK/all.tar" -C "$WORK/x"
  [ "$(index_digest "$WORK/x/index.json")" = "$LIST" ]
  grep -q '"org.opencontainers.image.ref.name":"localhost/multi:1"' "$WORK/x/index.json"
  # Every instance the list names is in the archive, with its blobs.
  for d in $(python3 -c 'import json,sys; [print(m["digest"][7:]) for m in json.load(open(sys.argv[1]))["manifests"]]' "$WORK/x/blobs/sha256/${LIST#sha256:}"); do
    [ -f "$WORK/x/blobs/sha256/$d" ]
  done
  s save --multi-arch all --format oci-dir -o "$WORK/odir" multi:1
  [ "$(index_digest "$WORK/odir/index.json")" = "$LIST" ]
  if command -v skopeo >/dev/null; then
    [ "$(skopeo inspect --raw "oci-archive:$WORK/all.tar" | sha256sum | cut -d' ' -f1)" = "${LIST#sha256:}" ]
    run skopeo copy --all "oci-archive:$WORK/all.tar" "dir:$WORK/sk"
    expect_success
    run skopeo copy --all "oci:$WORK/odir" "dir:$WORK/sk2"
    expect_success
  fi
  # It loads back whole into a fresh store.
  rm -rf "$STORE"
  run s image copy --all "oci-archive:$WORK/all.tar" containers-storage:localhost/again:1
  expect_success
  [ "$(sqlite3 "$STORE/db.sqlite" "SELECT list_digest FROM list_names WHERE name = 'localhost/again:1'")" = "$LIST" ]
}

@test "save --multi-arch system (the default) saves the instance for this machine" {
  arch=$(s info --format '{{.Host.Arch}}' 2>/dev/null || echo amd64)
  s save --format oci-archive -o "$WORK/sys.tar" multi:1
  s save --multi-arch system --format oci-archive -o "$WORK/sys2.tar" multi:1
  cmp "$WORK/sys.tar" "$WORK/sys2.tar"
  mkdir "$WORK/x" && tar -xf "$WORK/sys.tar" -C "$WORK/x"
  [ "$(index_digest "$WORK/x/index.json")" != "$LIST" ]
  [ "$(index_digest "$WORK/x/index.json")" = "$(s inspect --format '{{.Digest}}' multi:1)" ]
}

@test "save --multi-arch index-only writes the list alone" {
  s save --multi-arch index-only --format oci-dir -o "$WORK/idx" multi:1
  [ "$(index_digest "$WORK/idx/index.json")" = "$LIST" ]
  # The list and nothing else.
  [ "$(ls "$WORK/idx/blobs/sha256")" = "${LIST#sha256:}" ]
}

@test "save --multi-arch bad input: unknown value, all with docker-archive, missing image" {
  BEFORE=$(store_state)
  run s save --multi-arch some --format oci-archive -o "$WORK/x.tar" multi:1
  expect_failure 125 "unknown multi-arch option \"some\"" "'system', 'all', or 'index-only'"
  [ ! -e "$WORK/x.tar" ]
  run s save --multi-arch all -o "$WORK/x.tar" multi:1
  expect_failure 125 "--multi-arch all: a docker-archive cannot hold a manifest list"
  [ ! -e "$WORK/x.tar" ]
  run s save --multi-arch all --format oci-archive -o "$WORK/x.tar" nope:1
  expect_failure 125 "nope:1: image not known"
  [ ! -e "$WORK/x.tar" ]
  [ -z "$(ls -A "$WORK" | grep 'x.tar')" ]
  unchanged
}

@test "save --multi-arch all of a list with an instance missing fails and writes nothing" {
  arm=$(s images --no-trunc --format '{{.ID}} {{.Digest}}' | grep -v "$(s inspect --format '{{.Id}}' multi:1)" | head -1 | cut -d' ' -f2)
  s rmi "localhost/multi@$arm" >/dev/null
  BEFORE=$(store_state)
  run s save --multi-arch all --format oci-dir -o "$WORK/odir" multi:1
  expect_failure 125 "is not in local storage"
  [ ! -e "$WORK/odir" ]
  unchanged
}
