#!/usr/bin/env bats
# image copy: skopeo's copy through the copy engine, registry to registry (blobs mounted,
# digests kept, lists by --multi-arch), checked against skopeo; the policy is evaluated before
# the source is read; bad names, missing images and unreachable registries fail with messages.

load helpers
load registry

setup_file() {
  if have_registry; then
    start_file_registry
    local dir=$BATS_FILE_TMPDIR
    python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$dir/img.tar" \
      --format oci-archive --layers 2 --name app:1 --seed 31
    python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$dir/multi.tar" \
      --format oci-archive --layers 1 --name multi:1 --seed 32 \
      --platforms linux/amd64,linux/arm64
    skopeo copy -q --dest-tls-verify=false "oci-archive:$dir/img.tar" "docker://$REG/app:1"
    skopeo copy -q --all --dest-tls-verify=false "oci-archive:$dir/multi.tar" \
      "docker://$REG/multi:1"
  fi
  printf '%s\n' '{"default":[{"type":"insecureAcceptAnything"}]}' >"$BATS_FILE_TMPDIR/accept.json"
  printf '%s\n' '{"default":[{"type":"reject"}]}' >"$BATS_FILE_TMPDIR/reject.json"
}

teardown() {
  stop_registry "$WORK/reg2"
  remove_work
}

teardown_file() {
  stop_file_registry
}

# schicht image copy over plain HTTP with an accepting policy.
copy() {
  s image copy --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --dest-tls-verify=false "$@"
}

raw() {
  skopeo inspect --raw --tls-verify=false "docker://$1"
}

digest_of() {
  raw "$1" | sha256sum | cut -d' ' -f1
}

@test "docker to docker in one registry: blobs mounted, manifest byte-exact, skopeo reads it" {
  have_registry || skip "docker-registry is not installed"
  run copy docker://$REG/app:1 docker://$REG/mirror/app:2
  expect_success
  [[ "$output" == *"Copying config sha256:"* ]]
  [[ "$output" == *"Writing manifest to image destination"* ]]
  [ "$(raw $REG/mirror/app:2)" = "$(raw $REG/app:1)" ]
  [ "$(digest_of $REG/mirror/app:2)" = "$(digest_of $REG/app:1)" ]
  # Every blob came by a mount: the registry opened no upload session in the new repository.
  [ -d "$REG_DIR/data/docker/registry/v2/repositories/mirror/app/_layers" ]
  [ ! -e "$REG_DIR/data/docker/registry/v2/repositories/mirror/app/_uploads" ]
  # skopeo copies it back out whole (it verifies every blob).
  skopeo copy -q --src-tls-verify=false docker://$REG/mirror/app:2 "oci:$WORK/out:x"
  # A second copy finds everything there; -q prints nothing.
  run copy -q docker://$REG/app:1 docker://$REG/mirror/app:2
  expect_success
  [ -z "$output" ]
}

@test "docker to another registry streams the blobs; by digest keeps the digest" {
  have_registry || skip "docker-registry is not installed"
  REG2=$(start_registry "$WORK/reg2")
  digest=sha256:$(digest_of $REG/app:1)
  run copy "docker://$REG/app@$digest" docker://$REG2/app:1
  expect_success
  [ -d "$WORK/reg2/data/docker/registry/v2/repositories/app/_uploads" ]
  [ "$(raw $REG2/app:1)" = "$(raw $REG/app:1)" ]
}

@test "a list: the default copies this machine's instance as skopeo does; --all every instance" {
  have_registry || skip "docker-registry is not installed"
  skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
    docker://$REG/multi:1 docker://$REG/multi:skopeo
  run copy docker://$REG/multi:1 docker://$REG/multi:system
  expect_success
  [ "$(raw $REG/multi:system)" = "$(raw $REG/multi:skopeo)" ]

  run copy --all docker://$REG/multi:1 docker://$REG/multi-all:1
  expect_success
  [[ "$output" == *"Copying 2 of 2 images in list"* ]]
  [ "$(raw $REG/multi-all:1)" = "$(raw $REG/multi:1)" ]
  for d in $(raw $REG/multi:1 | python3 -c 'import json,sys; [print(m["digest"]) for m in json.load(sys.stdin)["manifests"]]'); do
    [ "$(raw $REG/multi-all@$d)" = "$(raw $REG/multi@$d)" ]
  done
  # index-only: the list alone, where its instances already are.
  run copy --multi-arch index-only docker://$REG/multi:1 docker://$REG/multi-all:index
  expect_success
  [ "$(raw $REG/multi-all:index)" = "$(raw $REG/multi:1)" ]
  [[ "$output" != *"Copying blob"* ]]
}

@test "a rejecting policy refuses the source before reading it; the destination is unchanged" {
  have_registry || skip "docker-registry is not installed"
  run s image copy --signature-policy "$BATS_FILE_TMPDIR/reject.json" --src-tls-verify=false \
    --dest-tls-verify=false docker://$REG/app:1 docker://$REG/refused:1
  expect_failure 125 "rejected by policy"
  [ ! -e "$REG_DIR/data/docker/registry/v2/repositories/refused" ]
  # Nothing of the source is read: an unreachable one fails on the policy, not the network.
  run s image copy --signature-policy "$BATS_FILE_TMPDIR/reject.json" \
    docker://127.0.0.1:1/app:1 docker://127.0.0.1:1/b:1
  expect_failure 125 "rejected by policy"
  [[ "$output" != *"127.0.0.1:1/v2"* ]]
  run s image copy --signature-policy "$BATS_FILE_TMPDIR/reject.json" \
    "oci:$WORK/no-such-layout:1" "oci:$WORK/dest:1"
  expect_failure 125 "rejected by policy"
  [ ! -e "$WORK/dest" ]
  # --insecure-policy skips the policy.
  run s --insecure-policy image copy --signature-policy "$BATS_FILE_TMPDIR/reject.json" \
    --src-tls-verify=false --dest-tls-verify=false docker://$REG/app:1 docker://$REG/insecure:1
  expect_success
  [ "$(raw $REG/insecure:1)" = "$(raw $REG/app:1)" ]
}

@test "bad names and flags fail before anything is copied, as skopeo words them" {
  run copy busybox docker://127.0.0.1:1/b:1
  expect_failure 125 'Invalid source name busybox: Invalid image name "busybox", expected colon-separated transport:reference'
  run copy docker://127.0.0.1:1/a:1 nothing
  expect_failure 125 "Invalid destination name nothing"
  run copy --all --multi-arch all docker://127.0.0.1:1/a:1 docker://127.0.0.1:1/b:1
  expect_failure 125 "Cannot use --all and --multi-arch flags together"
  run copy --multi-arch foo docker://127.0.0.1:1/a:1 docker://127.0.0.1:1/b:1
  expect_failure 125 "unknown multi-arch option \"foo\". Choose one of the supported options: 'system', 'all', or 'index-only'"
  run copy docker://127.0.0.1:1/a:1
  expect_failure 125 "Exactly two arguments expected, received 1"
  run copy docker://127.0.0.1:1/a:1 "docker-daemon:x:1"
  expect_failure 125 "the docker-daemon transport is not supported by image copy"
}

@test "a missing image and an unreachable registry fail with the registry's words" {
  have_registry || skip "docker-registry is not installed"
  run copy docker://$REG/absent:1 docker://$REG/absent-copy:1
  expect_failure 125 "initializing source docker://$REG/absent:1: reading manifest 1 in $REG/absent: manifest unknown"
  [ ! -e "$REG_DIR/data/docker/registry/v2/repositories/absent-copy" ]
  run copy docker://127.0.0.1:1/app:1 docker://$REG/unreachable:1
  expect_failure 125 "initializing source docker://127.0.0.1:1/app:1: pinging container registry 127.0.0.1:1"
  [ ! -e "$REG_DIR/data/docker/registry/v2/repositories/unreachable" ]
}

@test "docker to oci:DIR:REF and back: skopeo and umoci read the layout, digests kept" {
  have_registry || skip "docker-registry is not installed"
  run copy docker://$REG/app:1 "oci:$WORK/layout:v1"
  expect_success
  [ "$(skopeo inspect --raw "oci:$WORK/layout:v1")" = "$(raw $REG/app:1)" ]
  [ -f "$WORK/layout/oci-layout" ]
  if command -v umoci >/dev/null; then
    [ "$(umoci ls --layout "$WORK/layout")" = v1 ]
    umoci stat --image "$WORK/layout:v1" >/dev/null
  fi
  skopeo copy -q "oci:$WORK/layout:v1" "oci:$WORK/skopeo-read:x"
  # A second name is added beside the first; the same name again replaces its entry.
  run copy docker://$REG/app:1 "oci:$WORK/layout:v2"
  expect_success
  run copy docker://$REG/app:1 "oci:$WORK/layout:v2"
  expect_success
  [ "$(python3 -c 'import json,sys; print(" ".join(sorted(m["annotations"]["org.opencontainers.image.ref.name"] for m in json.load(open(sys.argv[1]))["manifests"])))' "$WORK/layout/index.json")" = "v1 v2" ]
  [ -z "$(find "$WORK/layout" -name '.tmp-*')" ]

  run copy "oci:$WORK/layout:v1" docker://$REG/from-oci:1
  expect_success
  [ "$(raw $REG/from-oci:1)" = "$(raw $REG/app:1)" ]
}

@test "a list to oci:DIR with --all keeps the index digest; the default keeps one instance" {
  have_registry || skip "docker-registry is not installed"
  run copy --all docker://$REG/multi:1 "oci:$WORK/multi:all"
  expect_success
  [ "$(skopeo inspect --raw "oci:$WORK/multi:all")" = "$(raw $REG/multi:1)" ]
  skopeo copy -q --all "oci:$WORK/multi:all" "oci:$WORK/skopeo-read:x"
  skopeo copy -q --src-tls-verify=false docker://$REG/multi:1 "oci:$WORK/skopeo-system:x"
  run copy docker://$REG/multi:1 "oci:$WORK/multi:system"
  expect_success
  [ "$(skopeo inspect --raw "oci:$WORK/multi:system")" = \
    "$(skopeo inspect --raw "oci:$WORK/skopeo-system:x")" ]
}

@test "oci:DIR sources: a missing REF, several images without REF, a corrupt blob, an escaping symlink" {
  have_registry || skip "docker-registry is not installed"
  fixture --out "$WORK/one" --format oci-dir --layers 1 --name one:1 --seed 33
  run copy "oci:$WORK/one:nope" docker://$REG/bad:1
  expect_failure 125 'no descriptor found for reference "nope"'
  run copy "oci:$WORK/absent" docker://$REG/bad:1
  expect_failure 125 "$WORK/absent"
  copy -q "oci:$WORK/one:one:1" "oci:$WORK/two:a"
  copy -q "oci:$WORK/one:one:1" "oci:$WORK/two:b"
  run copy "oci:$WORK/two" docker://$REG/bad:1
  expect_failure 125 "more than one image in oci, choose an image"
  # A layer whose bytes do not match its digest: the destination refuses it, keeps nothing.
  cp -r "$WORK/two" "$WORK/corrupt"
  layer=$(skopeo inspect --raw "oci:$WORK/two:a" | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"][7:])')
  chmod u+w "$WORK/corrupt/blobs/sha256/$layer"
  python3 -c 'import sys; f=open(sys.argv[1],"r+b"); f.seek(100); b=f.read(1); f.seek(100); f.write(bytes([b[0]^1]))' \
    "$WORK/corrupt/blobs/sha256/$layer"
  run copy "oci:$WORK/corrupt:a" "oci:$WORK/dest:a"
  expect_failure 125 "do not match digest sha256:$layer"
  [ ! -e "$WORK/dest/index.json" ]
  [ ! -e "$WORK/dest/blobs/sha256/$layer" ]
  [ -z "$(find "$WORK/dest" -name '.tmp-*')" ]
  # blobs/ as a symlink out of the layout is not followed, reading or writing.
  mkdir -p "$WORK/outside" "$WORK/evil"
  cp "$WORK/two/index.json" "$WORK/two/oci-layout" "$WORK/evil/"
  ln -s "$WORK/two/blobs" "$WORK/evil/blobs"
  run copy "oci:$WORK/evil:a" "oci:$WORK/dest2:a"
  expect_failure 125 "$WORK/evil/blobs/sha256/" "leads out of the layout directory"
  mkdir -p "$WORK/evil-dest"
  ln -s "$WORK/outside" "$WORK/evil-dest/blobs"
  run copy "oci:$WORK/two:a" "oci:$WORK/evil-dest:a"
  expect_failure 125 "$WORK/evil-dest/blobs" "leads out of the layout directory"
  [ -z "$(ls -A "$WORK/outside")" ]
}

@test "a Docker manifest goes to oci: converted, blobs kept; --preserve-digests says why not" {
  have_registry || skip "docker-registry is not installed"
  skopeo copy -q --format v2s2 --src-tls-verify=false --dest-tls-verify=false \
    docker://$REG/app:1 docker://$REG/v2s2:1
  run copy --preserve-digests docker://$REG/v2s2:1 "oci:$WORK/v2s2:1"
  expect_failure 125 "cannot preserve digests: oci:$WORK/v2s2:1 does not store manifests of type application/vnd.docker.distribution.manifest.v2+json"
  [ ! -e "$WORK/v2s2/index.json" ]
  run copy docker://$REG/v2s2:1 "oci:$WORK/v2s2:1"
  expect_success
  skopeo inspect --raw "oci:$WORK/v2s2:1" | grep -q '"application/vnd.oci.image.layer.v1.tar+gzip"'
  layers() { python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["config"]["digest"], *[l["digest"] for l in m["layers"]])'; }
  [ "$(skopeo inspect --raw "oci:$WORK/v2s2:1" | layers)" = "$(raw $REG/v2s2:1 | layers)" ]
  skopeo copy -q "oci:$WORK/v2s2:1" "oci:$WORK/skopeo-read:x"
  # Registry to registry it keeps its digest.
  run copy --preserve-digests docker://$REG/v2s2:1 docker://$REG/v2s2-copy:1
  expect_success
  [ "$(raw $REG/v2s2-copy:1)" = "$(raw $REG/v2s2:1)" ]
}

@test "--src-creds and --dest-creds authenticate each side; without them the registry refuses" {
  have_registry || skip "docker-registry is not installed"
  REG2=$(start_registry "$WORK/reg2" alice s3cret)
  # After the start: docker-registry reads REGISTRY_* variables as its own configuration.
  export REGISTRY_AUTH_FILE=$WORK/auth.json
  run copy docker://$REG/app:1 docker://$REG2/app:1
  expect_failure 125 "$REG2"
  [ ! -e "$WORK/reg2/data/docker/registry/v2/repositories/app/_manifests" ]
  run copy --dest-creds alice:wrong docker://$REG/app:1 docker://$REG2/app:1
  expect_failure 125 "$REG2"
  run copy --dest-creds alice:s3cret docker://$REG/app:1 docker://$REG2/app:1
  expect_success
  run copy --src-creds alice:s3cret docker://$REG2/app:1 docker://$REG/from-auth:1
  expect_success
  [ "$(raw $REG/from-auth:1)" = "$(raw $REG/app:1)" ]
  run copy --src-creds :x docker://$REG2/app:1 docker://$REG/from-auth:1
  expect_failure 125 "--src-creds: empty username"
}

@test "completion offers --multi-arch's values and no images for the two names" {
  run s __complete image copy --multi-arch ""
  expect_success
  [ "$(echo "$output" | grep -v '^:' | sort | tr '\n' ' ')" = "all index-only system " ]
  run s __complete image copy ""
  expect_success
  [ "$output" = ":nofiles" ]
}
