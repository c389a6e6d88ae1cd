#!/usr/bin/env bats
# image copy's conversion and signing options, beside skopeo copy on the same inputs:
# --format oci|v2s2, --dest-compress-format gzip|zstd with --dest-compress and
# --dest-compress-level, --sign-by-sigstore-private-key (verified by sigstore_oracle.py), and
# every bad combination refused with its message, exit 125 and nothing written.

load helpers
load registry

setup_file() {
  local dir=$BATS_FILE_TMPDIR
  python3 "$FIXTURE" --out "$dir/img.tar" --format oci-archive --layers 2 --name app:1 \
    --seed 51 --compression gzip
  python3 "$FIXTURE" --out "$dir/multi.tar" --format oci-archive --layers 1 --name multi:1 \
    --seed 52 --platforms linux/amd64,linux/arm64
  skopeo copy -q "oci-archive:$dir/img.tar" "docker-archive:$dir/d.tar:app:1"
  printf '%s\n' '{"default":[{"type":"insecureAcceptAnything"}]}' >"$dir/accept.json"
  if have_registry; then
    start_file_registry
    skopeo copy -q --dest-tls-verify=false "oci-archive:$dir/img.tar" "docker://$REG/src:1"
  fi
}

teardown_file() {
  stop_file_registry
}

copy() {
  s image copy -q --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --dest-tls-verify=false "$@"
}

# The JSON of FILE, keys sorted: for comparing manifests by content.
json() {
  python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' "$1"
}

# The manifest file of the only image in OCI layout DIR.
layout_manifest() {
  local digest
  digest=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$1/index.json")
  echo "$1/blobs/sha256/${digest#sha256:}"
}

# Field PATH (a Python expression on m) of the manifest in FILE.
field() {
  python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print($2)" "$1"
}

@test "--format v2s2 and oci: the manifest skopeo writes, byte for byte; blobs kept" {
  local dir=$BATS_FILE_TMPDIR
  copy --format v2s2 "oci-archive:$dir/img.tar" "dir:$WORK/ours"
  skopeo copy -q --format v2s2 "oci-archive:$dir/img.tar" "dir:$WORK/theirs"
  cmp "$WORK/ours/manifest.json" "$WORK/theirs/manifest.json"
  [ "$(ls "$WORK/ours")" = "$(ls "$WORK/theirs")" ]
  # And back to OCI: skopeo's bytes again.
  copy --format oci "dir:$WORK/ours" "oci:$WORK/oci-ours:x"
  skopeo copy -q --format oci "dir:$WORK/theirs" "oci:$WORK/oci-theirs:x"
  cmp "$(layout_manifest "$WORK/oci-ours")" "$(layout_manifest "$WORK/oci-theirs")"
  # --format naming the source's own type changes nothing: the digest is kept.
  copy --preserve-digests --format oci "oci-archive:$dir/img.tar" "oci:$WORK/same:x"
  [ "$(field "$WORK/same/index.json" 'm["manifests"][0]["digest"]')" = \
    "sha256:$(skopeo inspect --raw "oci-archive:$dir/img.tar" | sha256sum | cut -d' ' -f1)" ]
}

@test "--all --format: a whole list converted as skopeo converts it, byte for byte, both ways" {
  local dir=$BATS_FILE_TMPDIR
  skopeo copy -q --all --format v2s2 "oci-archive:$dir/multi.tar" "dir:$WORK/skopeo-v2s2"
  run copy --all --format v2s2 "oci-archive:$dir/multi.tar" "dir:$WORK/v2s2"
  expect_success
  diff -r "$WORK/skopeo-v2s2" "$WORK/v2s2"
  [[ "$(cat "$WORK/v2s2/manifest.json")" == *'"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json"'* ]]
  # Back to an OCI index: the instances converted again, the list rewritten again.
  skopeo copy -q --all --format oci "dir:$WORK/skopeo-v2s2" "dir:$WORK/skopeo-oci"
  run copy --all --format oci "dir:$WORK/v2s2" "oci:$WORK/oci:back"
  expect_success
  run copy --all --format oci "dir:$WORK/v2s2" "dir:$WORK/oci-dir"
  expect_success
  diff -r "$WORK/skopeo-oci" "$WORK/oci-dir"
  [ "$(skopeo inspect --raw "oci:$WORK/oci:back" | sha256sum | cut -d" " -f1)" = "$(sha256sum <"$WORK/skopeo-oci/manifest.json" | cut -d' ' -f1)" ]
  # A list already in the asked format keeps its digest, --preserve-digests or not.
  run copy --all --preserve-digests --format oci "oci-archive:$dir/multi.tar" "dir:$WORK/same"
  expect_success
  [ "$(sha256sum <"$WORK/same/manifest.json" | cut -d' ' -f1)" = "$(skopeo inspect --raw "oci-archive:$dir/multi.tar" | sha256sum | cut -d" " -f1)" ]
}

@test "--dest-compress-format zstd: layers recompressed, diffIDs and the image ID unchanged" {
  local dir=$BATS_FILE_TMPDIR
  run copy --dest-compress-format zstd --dest-compress-level 19 "oci-archive:$dir/img.tar" \
    "oci:$WORK/z:x"
  expect_success
  local manifest
  manifest=$(layout_manifest "$WORK/z")
  [ "$(field "$manifest" '" ".join(sorted({l["mediaType"] for l in m["layers"]}))')" = \
    application/vnd.oci.image.layer.v1.tar+zstd ]
  skopeo copy -q --dest-compress-format zstd "oci-archive:$dir/img.tar" "oci:$WORK/sz:x"
  # skopeo's encoder differs, so its layer digests do; the config (diffIDs) is the same blob.
  [ "$(field "$manifest" 'm["config"]["digest"]')" = \
    "$(field "$(layout_manifest "$WORK/sz")" 'm["config"]["digest"]')" ]
  # skopeo reads ours; the store takes it and finds the same image ID as from the original.
  skopeo copy -q "oci:$WORK/z:x" "dir:$WORK/read-by-skopeo"
  copy "oci:$WORK/z:x" containers-storage:zstd:1
  copy "oci-archive:$dir/img.tar" containers-storage:gzip:1
  [ "$(s images -q --no-trunc zstd:1)" = "$(s images -q --no-trunc gzip:1)" ]
  # And back to gzip, from zstd, as Docker v2s2.
  copy --dest-compress-format gzip --format v2s2 "oci:$WORK/z:x" "dir:$WORK/gz"
  [ "$(field "$WORK/gz/manifest.json" '" ".join(sorted({l["mediaType"] for l in m["layers"]}))')" = \
    application/vnd.docker.image.rootfs.diff.tar.gzip ]
  skopeo copy -q "dir:$WORK/gz" "oci:$WORK/gz-read:x"
}

@test "--dest-compress: a docker-archive's uncompressed layers go gzipped" {
  copy --dest-compress "docker-archive:$BATS_FILE_TMPDIR/d.tar" "dir:$WORK/c"
  local layer
  for layer in $(field "$WORK/c/manifest.json" '" ".join(l["digest"][7:] for l in m["layers"])'); do
    [ "$(head -c2 "$WORK/c/$layer" | od -An -tx1 | tr -d ' ')" = 1f8b ]
  done
  skopeo copy -q "dir:$WORK/c" "oci:$WORK/c-read:x"
}

@test "bad options: each refused with its message, exit 125, nothing written" {
  local dir=$BATS_FILE_TMPDIR
  run copy --format v2s1 "oci-archive:$dir/img.tar" "dir:$WORK/out"
  expect_failure 125 "Docker schema 1 manifests (v2s1) are not supported"
  run copy --format docker "oci-archive:$dir/img.tar" "dir:$WORK/out"
  expect_failure 125 "unknown format \"docker\""
  run copy --dest-compress-format bzip2 "oci-archive:$dir/img.tar" "dir:$WORK/out"
  expect_failure 125 "--dest-compress-format: unsupported compression \"bzip2\" (gzip or zstd)"
  run copy --dest-compress-level 5 "oci-archive:$dir/img.tar" "dir:$WORK/out"
  expect_failure 125 "--dest-compress-level needs --dest-compress-format or --dest-compress"
  run copy --dest-compress-format zstd --dest-compress-level 30 "oci-archive:$dir/img.tar" \
    "dir:$WORK/out"
  expect_failure 125 "--dest-compress-level 30: zstd levels are 1 to 22"
  run copy --preserve-digests --format v2s2 "oci-archive:$dir/img.tar" "dir:$WORK/out"
  expect_failure 125 "cannot preserve digests of oci-archive:$dir/img.tar:: --format changes its manifest"
  run copy --preserve-digests --dest-compress-format zstd "oci-archive:$dir/img.tar" "dir:$WORK/out"
  expect_failure 125 "recompressing its layers changes its manifest"
  # Docker v2s2 has no type for zstd layers (skopeo: "zstd compression is not supported for
  # docker images"), found before any blob moves.
  run copy --format v2s2 --dest-compress-format zstd "oci-archive:$dir/img.tar" "dir:$WORK/out"
  expect_failure 125 "zstd-compressed layers cannot be described by a Docker v2s2 manifest"
  # A converted list is a Docker list, which an OCI layout cannot hold; one copied without its
  # instances cannot be converted; a converted list cannot keep its digest (skopeo's words).
  run copy --all --format v2s2 "oci-archive:$dir/multi.tar" "oci:$WORK/out"
  expect_failure 125 "does not store manifests of type application/vnd.docker.distribution.manifest.list.v2+json"
  run copy --multi-arch index-only --format v2s2 "oci-archive:$dir/multi.tar" "dir:$WORK/out"
  expect_failure 125 "a list copied without its instances (--multi-arch index-only, manifest push --all=false) cannot have them converted"
  run copy --all --preserve-digests --format v2s2 "oci-archive:$dir/multi.tar" "dir:$WORK/out"
  expect_failure 125 'Manifest list must be converted to type "application/vnd.docker.distribution.manifest.list.v2+json" to be written to destination, but we cannot modify it: "Instructed to preserve digests"'
  # A destination that cannot hold the converted type.
  run copy --format v2s2 "oci-archive:$dir/img.tar" "oci:$WORK/out:x"
  expect_failure 125 "does not store manifests of type application/vnd.docker.distribution.manifest.v2+json"
  run copy --sign-by ABCDEF "oci-archive:$dir/img.tar" "dir:$WORK/out"
  expect_failure 125 "cannot sign dir:$WORK/out: signatures are stored for docker:// destinations only"
  run copy --sign-by ABCDEF --remove-signatures "oci-archive:$dir/img.tar" "dir:$WORK/out"
  expect_failure 125 "cannot use --sign-by together with --remove-signatures"
  run copy --sign-passphrase-file "$dir/accept.json" "oci-archive:$dir/img.tar" "dir:$WORK/out"
  [ "$status" -eq 125 ]
  [ ! -e "$WORK/out" ]
  [ -z "$(ls "$WORK")" ] || { ls -la "$WORK"; false; }
}

@test "--sign-by-sigstore-private-key: docker:// to docker://, the signature verifies" {
  have_registry || skip "docker-registry is not installed"
  /usr/bin/python3 -c 'import nacl.secret, cryptography' 2>/dev/null ||
    skip "python3-nacl and python3-cryptography are not installed"
  mkdir -p "$WORK/registries.d"
  printf 'docker:\n  %s:\n    use-sigstore-attachments: true\n' "$REG" \
    >"$WORK/registries.d/sigstore.yaml"
  printf 'correct horse\n' >"$WORK/pass"
  s generate-sigstore-key --output-prefix "$WORK/k" --passphrase-file "$WORK/pass" >/dev/null
  run s --registries.d "$WORK/registries.d" image copy \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --dest-tls-verify=false --sign-by-sigstore-private-key "$WORK/k.private" \
    --sign-passphrase-file "$WORK/pass" "docker://$REG/src:1" "docker://$REG/signed:1"
  expect_success
  [[ "$output" == *"Signing manifest using a sigstore signature"* ]]
  local digest
  digest=$(remote_digest "$REG/signed:1")
  [ "$digest" = "$(remote_digest "$REG/src:1")" ]
  run /usr/bin/python3 "$BATS_TEST_DIRNAME/sigstore_oracle.py" verify "$WORK/k.pub" "$REG" \
    signed "$digest" "$REG/signed:1"
  expect_success
  [[ "$output" == *"verified 1 signature(s)"* ]]
  # Copied on, the signature goes along into the new repository's attachment.
  run s --registries.d "$WORK/registries.d" image copy -q \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --dest-tls-verify=false "docker://$REG/signed:1" "docker://$REG/carried-sigstore:1"
  expect_success
  run /usr/bin/python3 "$BATS_TEST_DIRNAME/sigstore_oracle.py" verify "$WORK/k.pub" "$REG" \
    carried-sigstore "$digest" "$REG/signed:1"
  expect_success
  [[ "$output" == *"verified 1 signature(s)"* ]]
  # A wrong passphrase: refused before anything is copied.
  printf 'wrong\n' >"$WORK/bad"
  run s --registries.d "$WORK/registries.d" image copy \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --dest-tls-verify=false --sign-by-sigstore-private-key "$WORK/k.private" \
    --sign-passphrase-file "$WORK/bad" "docker://$REG/src:1" "docker://$REG/never:1"
  [ "$status" -eq 125 ]
  run skopeo inspect --tls-verify=false "docker://$REG/never:1"
  [ "$status" -ne 0 ]
}

@test "completion offers --format's and --dest-compress-format's values" {
  run s __complete image copy --format ""
  expect_success
  [ "$(echo "$output" | grep -v '^:' | sort | tr '\n' ' ')" = "oci v2s2 " ]
  run s __complete image copy --dest-compress-format ""
  expect_success
  [ "$(echo "$output" | grep -v '^:' | sort | tr '\n' ' ')" = "gzip zstd " ]
  run s __complete image copy --sign-by-sigstore-private-key ""
  expect_success
  [[ "$output" != *":nofiles"* ]]
}

@test "--sign-by: a GPG signature in the destination's lookaside staging; skopeo verifies it" {
  have_registry || skip "docker-registry is not installed"
  command -v gpg >/dev/null || skip "gpg is not installed"
  # A short home: gpg-agent's socket path has a length limit.
  GNUPGHOME=$(mktemp -d /tmp/sgpg.XXXXXX)
  export GNUPGHOME
  gpg --batch --passphrase '' --quick-gen-key "Copy <copy@example.com>" default default never 2>/dev/null
  local fpr digest
  fpr=$(gpg --with-colons --list-keys copy@example.com | awk -F: '/^fpr/ {print $10; exit}')
  gpg --export copy@example.com >"$WORK/copy.gpg"
  mkdir -p "$WORK/registries.d" "$WORK/sigs"
  printf 'docker:\n  %s:\n    lookaside: file://%s\n' "$REG" "$WORK/sigs" >"$WORK/registries.d/test.yaml"
  run s --registries.d "$WORK/registries.d" image copy \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --dest-tls-verify=false --sign-by "$fpr" "docker://$REG/src:1" "docker://$REG/gpg-signed:1"
  expect_success
  [[ "$output" == *"Signing manifest using simple signing"* ]]
  digest=$(remote_digest "$REG/gpg-signed:1")
  [ -f "$WORK/sigs/gpg-signed@sha256=${digest#sha256:}/signature-1" ]
  printf '{"default":[{"type":"reject"}],"transports":{"docker":{"%s/gpg-signed":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"%s"}]}}}\n' \
    "$REG" "$WORK/copy.gpg" >"$WORK/policy.json"
  run skopeo --policy "$WORK/policy.json" --registries.d "$WORK/registries.d" copy -q \
    --src-tls-verify=false "docker://$REG/gpg-signed:1" "dir:$WORK/verified"
  gpgconf --kill gpg-agent 2>/dev/null || true
  rm -rf "$GNUPGHOME"
  expect_success
  # Copied on to another repository, the signature goes along (as skopeo copies it).
  run s --registries.d "$WORK/registries.d" image copy -q \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --dest-tls-verify=false "docker://$REG/gpg-signed:1" "docker://$REG/carried:1"
  expect_success
  cmp "$WORK/sigs/gpg-signed@sha256=${digest#sha256:}/signature-1" \
    "$WORK/sigs/carried@sha256=${digest#sha256:}/signature-1"
  # Into dir:, as skopeo keeps them there: signature-1 beside the image, the lookaside bytes.
  run s --registries.d "$WORK/registries.d" image copy -q \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    "docker://$REG/gpg-signed:1" "dir:$WORK/signed-dir"
  expect_success
  cmp "$WORK/sigs/gpg-signed@sha256=${digest#sha256:}/signature-1" "$WORK/signed-dir/signature-1"
  [ ! -e "$WORK/signed-dir/signature-2" ]
  # From dir: on to another repository: a pull requiring the key verifies them there.
  run s --registries.d "$WORK/registries.d" image copy -q \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --dest-tls-verify=false \
    "dir:$WORK/signed-dir" "docker://$REG/from-dir:1"
  expect_success
  cmp "$WORK/signed-dir/signature-1" "$WORK/sigs/from-dir@sha256=${digest#sha256:}/signature-1"
  printf '{"default":[{"type":"reject"}],"transports":{"docker":{"%s/from-dir":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"%s","signedIdentity":{"type":"exactRepository","dockerRepository":"%s/gpg-signed"}}]}}}\n' \
    "$REG" "$WORK/copy.gpg" "$REG" >"$WORK/from-dir-policy.json"
  run s --registries.d "$WORK/registries.d" pull -q --tls-verify=false \
    --signature-policy "$WORK/from-dir-policy.json" "$REG/from-dir:1"
  expect_success
  # skopeo reads the layout's signatures: a policy requiring them lets its copy through.
  printf '{"default":[{"type":"reject"}],"transports":{"dir":{"":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"%s","signedIdentity":{"type":"exactRepository","dockerRepository":"%s/gpg-signed"}}]},"docker":{"":[{"type":"insecureAcceptAnything"}]}}}\n' \
    "$WORK/copy.gpg" "$REG" >"$WORK/dir-policy.json"
  run skopeo --policy "$WORK/dir-policy.json" --registries.d "$WORK/registries.d" copy -q \
    --dest-tls-verify=false "dir:$WORK/signed-dir" "docker://$REG/by-skopeo:1"
  expect_success
  cmp "$WORK/signed-dir/signature-1" "$WORK/sigs/by-skopeo@sha256=${digest#sha256:}/signature-1"
  # And the layout skopeo wrote above (dir:verified) carries its signature here.
  cmp "$WORK/verified/signature-1" "$WORK/signed-dir/signature-1"
  run s --registries.d "$WORK/registries.d" image copy -q \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --dest-tls-verify=false \
    "dir:$WORK/verified" "docker://$REG/from-skopeo-dir:1"
  expect_success
  cmp "$WORK/verified/signature-1" \
    "$WORK/sigs/from-skopeo-dir@sha256=${digest#sha256:}/signature-1"
  # Where it cannot go, or would no longer match, it is refused unless left behind.
  run s --registries.d "$WORK/registries.d" image copy -q \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    "docker://$REG/gpg-signed:1" "oci:$WORK/oci-out:x"
  expect_failure 125 "docker://$REG/gpg-signed:1 has 1 signature(s), which oci:$WORK/oci-out:x cannot store: copy with --remove-signatures to leave them behind"
  [ ! -e "$WORK/oci-out" ]
  run s --registries.d "$WORK/registries.d" image copy -q \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --dest-tls-verify=false --format v2s2 "docker://$REG/gpg-signed:1" "docker://$REG/changed:1"
  expect_failure 125 "which changing its manifest would invalidate"
  run skopeo inspect --raw --tls-verify=false "docker://$REG/changed:1"
  [ "$status" -ne 0 ]
  # --format naming the image's own type changes nothing: the signature goes along.
  run s --registries.d "$WORK/registries.d" image copy -q \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --dest-tls-verify=false --format oci "docker://$REG/gpg-signed:1" "docker://$REG/same:1"
  expect_success
  cmp "$WORK/sigs/gpg-signed@sha256=${digest#sha256:}/signature-1" \
    "$WORK/sigs/same@sha256=${digest#sha256:}/signature-1"
  run s --registries.d "$WORK/registries.d" image copy -q --remove-signatures \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --dest-tls-verify=false "docker://$REG/gpg-signed:1" "docker://$REG/bare:1"
  expect_success
  [ ! -e "$WORK/sigs/bare@sha256=${digest#sha256:}" ]
  # A staging base that is not a file:// URL: refused before anything is copied.
  printf 'docker:\n  %s:\n    lookaside-staging: https://example.com/sigs\n' "$REG" \
    >"$WORK/registries.d/test.yaml"
  run s --registries.d "$WORK/registries.d" image copy \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --dest-tls-verify=false --sign-by "$fpr" "docker://$REG/src:1" "docker://$REG/never-gpg:1"
  [ "$status" -eq 125 ]
  run skopeo inspect --tls-verify=false "docker://$REG/never-gpg:1"
  [ "$status" -ne 0 ]
}
