#!/usr/bin/env bats
# image copy with the local store as one side (containers-storage:NAME, podman's name for it):
# into the store from a registry and a layout, out of it to a layout and a registry, digests
# kept (checked against podman and skopeo); a rejecting policy names the store's scope; a
# missing image, a damaged blob and an interrupted copy leave the store as it was.

load helpers
load registry

setup_file() {
  local dir=$BATS_FILE_TMPDIR
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$dir/layout" \
    --format oci-dir --layers 2 --name app:1 --seed 41 --compression gzip
  if have_registry; then
    start_file_registry
    skopeo copy -q --dest-tls-verify=false "oci:$dir/layout" "docker://$REG/app:1"
  fi
  printf '%s\n' '{"default":[{"type":"insecureAcceptAnything"}]}' >"$dir/accept.json"
  printf '%s\n' '{"default":[{"type":"reject"}]}' >"$dir/reject.json"
}

teardown_file() {
  stop_file_registry
}

copy() {
  s image copy --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --dest-tls-verify=false "$@"
}

# The manifest digest index.json of layout DIR names.
layout_digest() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"])' "$1"
}

@test "docker:// to containers-storage: stores the image as pull does, digests and diffIDs kept" {
  have_registry || skip "docker-registry is not installed"
  run copy "docker://$REG/app:1" containers-storage:stored/app:2
  expect_success
  [[ "$output" == *"Copying blob sha256:"* ]]
  [[ "$output" == *"Writing manifest to image destination"* ]]
  [ "$(s images --format '{{.Repository}}:{{.Tag}}')" = "docker.io/stored/app:2" ]
  remote=$(remote_digest "$REG/app:1")
  [ "$(s inspect --format '{{.Digest}}' docker.io/stored/app:2)" = "$remote" ]
  consistent
  run s system check
  expect_success
  if have_podman; then
    p pull -q --tls-verify=false "docker://$REG/app:1" >/dev/null
    [ "$(s inspect --format '{{.Id}} {{.Digest}} {{.RootFS.Layers}}' docker.io/stored/app:2)" = \
      "$(p inspect --format '{{.Id}} {{.Digest}} {{.RootFS.Layers}}' "$REG/app:1")" ]
  fi
  # Again: every blob is there, nothing is copied; the name moves along.
  run copy "docker://$REG/app:1" containers-storage:[vfs@/elsewhere+/run]stored/app:3
  expect_success
  [ "$(s images -q | sort -u | wc -l)" -eq 1 ]
  [ "$(s inspect --format '{{.RepoTags}}' docker.io/stored/app:3)" = \
    "[docker.io/stored/app:3 docker.io/stored/app:2]" ]
}

@test "oci:DIR to containers-storage: and back out to oci:DIR: the same manifest, byte-exact" {
  run copy "oci:$BATS_FILE_TMPDIR/layout" containers-storage:localhost/app:1
  expect_success
  want=$(layout_digest "$BATS_FILE_TMPDIR/layout")
  [ "$(s inspect --format '{{.Digest}}' localhost/app:1)" = "$want" ]
  run copy containers-storage:localhost/app:1 "oci:$WORK/out:1"
  expect_success
  [ "$(layout_digest "$WORK/out")" = "$want" ]
  cmp "$BATS_FILE_TMPDIR/layout/blobs/sha256/${want#sha256:}" "$WORK/out/blobs/sha256/${want#sha256:}"
  if command -v skopeo >/dev/null; then
    run skopeo inspect --raw "oci:$WORK/out:1"
    expect_success
    [ "$(printf '%s' "$output" | sha256sum | cut -d' ' -f1)" = "${want#sha256:}" ]
    # skopeo reads every blob and checks its digest.
    skopeo copy -q "oci:$WORK/out:1" "oci:$WORK/skopeo-out:1"
  fi
  # Store to store: nothing is copied, the image gets the new name.
  run copy containers-storage:localhost/app:1 containers-storage:localhost/renamed:1
  expect_success
  [ "$(s inspect --format '{{.Id}}' localhost/renamed:1)" = "$(s inspect --format '{{.Id}}' localhost/app:1)" ]
  # By ID and by short name too.
  id=$(s inspect --format '{{.Id}}' localhost/app:1)
  run copy "containers-storage:${id#sha256:}" "oci:$WORK/by-id:1"
  expect_success
  [ "$(layout_digest "$WORK/by-id")" = "$want" ]
  run copy containers-storage:app:1 "oci:$WORK/by-short:1"
  expect_success
  [ "$(layout_digest "$WORK/by-short")" = "$want" ]
}

@test "containers-storage: to docker://: the registry serves the stored manifest byte-exact" {
  have_registry || skip "docker-registry is not installed"
  run copy "oci:$BATS_FILE_TMPDIR/layout" containers-storage:localhost/app:1
  expect_success
  run copy containers-storage:localhost/app:1 "docker://$REG/from-store:1"
  expect_success
  [ "$(remote_digest "$REG/from-store:1")" = "$(s inspect --format '{{.Digest}}' localhost/app:1)" ]
  [ "$(remote_digest "$REG/from-store:1")" = "$(remote_digest "$REG/app:1")" ]
  # skopeo reads it back whole (it verifies every blob).
  skopeo copy -q --src-tls-verify=false "docker://$REG/from-store:1" "oci:$WORK/check:1"
}

@test "a rejecting policy: refused naming the store's scope, the store unchanged" {
  run copy "oci:$BATS_FILE_TMPDIR/layout" containers-storage:localhost/app:1
  expect_success
  BEFORE=$(store_state)
  root=$(cd "$STORE" && pwd -P)
  printf '{"default":[{"type":"insecureAcceptAnything"}],"transports":{"containers-storage":{"[vfs@%s]localhost/app":[{"type":"reject"}]}}}\n' \
    "$root" >"$WORK/scoped.json"
  run s image copy --signature-policy "$WORK/scoped.json" containers-storage:localhost/app:1 \
    "oci:$WORK/refused:1"
  expect_failure 125 "rejected by policy" "[vfs@$root]localhost/app"
  [ ! -e "$WORK/refused" ]
  # Another image of the store is outside that scope.
  run s tag localhost/app:1 localhost/other:1
  expect_success
  BEFORE=$(store_state)
  run s image copy --signature-policy "$WORK/scoped.json" containers-storage:localhost/other:1 \
    "oci:$WORK/allowed:1"
  expect_success
  unchanged
  # Into the store: the source's policy refuses, nothing is written.
  run s image copy --signature-policy "$BATS_FILE_TMPDIR/reject.json" \
    "oci:$BATS_FILE_TMPDIR/layout" containers-storage:localhost/refused:1
  expect_failure 125 "rejected by policy"
  unchanged
}

@test "a missing image, a bad name: clear errors, nothing written" {
  BEFORE=$(store_state)
  run copy containers-storage:absent:1 "oci:$WORK/out:1"
  expect_failure 125 "initializing source containers-storage:absent:1" \
    'reference "docker.io/library/absent:1" does not resolve to an image ID'
  [ ! -e "$WORK/out" ]
  run copy "containers-storage:[vfs@/x" "oci:$WORK/out:1"
  expect_failure 125 "has no closing"
  run copy "oci:$BATS_FILE_TMPDIR/layout" "containers-storage:$(printf 'a%.0s' {1..64})"
  expect_failure 125 "needs an image name, not an ID"
  run copy "oci:$BATS_FILE_TMPDIR/layout" "containers-storage:Bad:name"
  expect_failure 125 "neither an image name nor an image ID"
  unchanged
}

@test "a damaged blob: an integrity error either way, the store unchanged" {
  cp -r "$BATS_FILE_TMPDIR/layout" "$WORK/bad"
  manifest=$(layout_digest "$WORK/bad")
  layer=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][1]["digest"])' \
    "$WORK/bad/blobs/sha256/${manifest#sha256:}")
  file="$WORK/bad/blobs/sha256/${layer#sha256:}"
  # Same size, other bytes.
  printf 'XXXX' | dd of="$file" bs=1 seek=100 conv=notrunc 2>/dev/null
  BEFORE=$(store_state)
  run copy "oci:$WORK/bad" containers-storage:localhost/bad:1
  expect_failure 125 "Digest did not match" "$layer"
  unchanged
  # A blob damaged inside the store: copying it out fails, the store keeps what it had.
  run copy "oci:$BATS_FILE_TMPDIR/layout" containers-storage:localhost/app:1
  expect_success
  chmod u+w "$STORE/blobs/sha256/${layer#sha256:}"
  printf 'XXXX' | dd of="$STORE/blobs/sha256/${layer#sha256:}" bs=1 seek=100 conv=notrunc 2>/dev/null
  BEFORE=$(store_state)
  run copy containers-storage:localhost/app:1 "oci:$WORK/out:1"
  expect_failure 125 "$layer"
  unchanged
}

@test "an interrupted copy leaves no image; check removes what it stored" {
  BEFORE=$(store_state)
  SCHICHT_KILL_AT=copy-blobs-stored run copy "oci:$BATS_FILE_TMPDIR/layout" \
    containers-storage:localhost/app:1
  [ "$status" -eq 137 ]
  [ -z "$(s images -q)" ]
  consistent
  s system check --repair >/dev/null || true
  run s system check
  expect_success
  unchanged
  run copy "oci:$BATS_FILE_TMPDIR/layout" containers-storage:localhost/app:1
  expect_success
  consistent
}

@test "a list into the store: this machine's instance by default; --all stores them all; index-only is refused" {
  fixture --out "$WORK/multi" --format oci-dir --layers 1 --name multi:1 --seed 42 \
    --platforms linux/amd64,linux/arm64
  BEFORE=$(store_state)
  run copy --multi-arch index-only "oci:$WORK/multi" containers-storage:localhost/multi:1
  expect_failure 125 "containers-storage:localhost/multi:1: the store keeps a manifest list only with its images"
  unchanged
  run copy "oci:$WORK/multi" containers-storage:localhost/multi:1
  expect_success
  arch=$(s inspect --format '{{.Architecture}}' localhost/multi:1)
  [ "$arch" = "$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')" ]
  consistent
  # --all: both instances as localhost/multi@DIGEST, the list under the name, digest kept.
  run copy --all "oci:$WORK/multi" containers-storage:localhost/multi:2
  expect_success
  [ "$(s images -q | sort -u | wc -l)" = 2 ]
  index=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"])' "$WORK/multi")
  [ "$(sqlite3 "$STORE/db.sqlite" "SELECT list_digest FROM list_names WHERE name = 'localhost/multi:2'")" = "$index" ]
  consistent
}
