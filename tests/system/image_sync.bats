#!/usr/bin/env bats
# image sync: skopeo sync through the copy engine. Registry to dir: layouts (as skopeo writes
# them), registry to registry, a YAML list to a registry, dir: layouts to a registry; digests
# kept, signatures carried, a rerun copies nothing; --dry-run, --keep-going and bad input.

load helpers
load registry

setup_file() {
  have_registry || return 0
  start_file_registry
  local dir=$BATS_FILE_TMPDIR
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$dir/a.tar" \
    --format oci-archive --layers 2 --name a:1 --seed 41
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$dir/b.tar" \
    --format oci-archive --layers 1 --name b:1 --seed 42
  skopeo copy -q --dest-tls-verify=false "oci-archive:$dir/a.tar" "docker://$REG/ns/app:1"
  skopeo copy -q --dest-tls-verify=false "oci-archive:$dir/b.tar" "docker://$REG/ns/app:2"
  skopeo copy -q --dest-tls-verify=false "oci-archive:$dir/b.tar" "docker://$REG/ns/app:2.1"
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$dir/multi.tar" \
    --format oci-archive --layers 1 --name multi:1 --seed 43 --platforms linux/amd64,linux/arm64
  skopeo copy -q --all --dest-tls-verify=false "oci-archive:$dir/multi.tar" \
    "docker://$REG/lists/multi:1"
  printf '%s\n' '{"default":[{"type":"insecureAcceptAnything"}]}' >"$dir/accept.json"
}

teardown() {
  stop_registry "$WORK/authreg"
  remove_work
}

teardown_file() {
  stop_file_registry
}

sync() {
  s image sync --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --dest-tls-verify=false "$@"
}

digest_of() {
  skopeo inspect --raw --tls-verify=false "docker://$1" | sha256sum | cut -d' ' -f1
}

@test "registry to dir: the layout skopeo sync writes, every tag, digests kept" {
  have_registry || skip "docker-registry is not installed"
  run sync --src docker --dest dir "$REG/ns/app" "$WORK/out"
  expect_success
  [[ "$output" == *"Copying image ref 1/3"* ]]
  [[ "$output" == *"Synced 3 images from 1 sources (3 copied, 0 skipped)"* ]]
  skopeo sync --src docker --dest dir --src-tls-verify=false "$REG/ns/app" "$WORK/skopeo" \
    >/dev/null 2>&1
  diff -r "$WORK/skopeo" "$WORK/out"
  for tag in 1 2 2.1; do
    [ "$(sha256sum <"$WORK/out/app:$tag/manifest.json" | cut -d' ' -f1)" = "$(digest_of "$REG/ns/app:$tag")" ]
  done
  # --scoped: the whole source reference below the destination.
  run sync --src docker --dest dir --scoped "$REG/ns/app:1" "$WORK/scoped"
  expect_success
  [ -f "$WORK/scoped/$REG/ns/app:1/manifest.json" ]
  [ ! -e "$WORK/scoped/$REG/ns/app:2" ]
}

@test "a rerun copies only what is missing" {
  have_registry || skip "docker-registry is not installed"
  run sync --src docker --dest dir "$REG/ns/app" "$WORK/out"
  expect_success
  rm -rf "$WORK/out/app:2"
  local before
  before=$(stat -c %Y "$WORK/out/app:1/manifest.json")
  run sync --src docker --dest dir "$REG/ns/app" "$WORK/out"
  expect_success
  [[ "$output" == *"Synced 3 images from 1 sources (1 copied, 2 skipped)"* ]]
  [[ "$output" == *"Skipping image ref"*"app:1\": the destination has sha256:"*" already"* ]]
  [[ "$output" == *"Copying image ref"*"app:2\""* ]]
  [ "$(stat -c %Y "$WORK/out/app:1/manifest.json")" = "$before" ]
  [ -f "$WORK/out/app:2/manifest.json" ]
  # Registry to registry likewise: the second run writes nothing.
  run sync --src docker --dest docker "$REG/ns/app" "$REG/rerun"
  expect_success
  run sync --src docker --dest docker "$REG/ns/app" "$REG/rerun"
  expect_success
  [[ "$output" == *"(0 copied, 3 skipped)"* ]]
  [[ "$output" != *"Copying blob"* ]]
}

@test "--format: a rerun skips what was converted, a list and its instances too" {
  have_registry || skip "docker-registry is not installed"
  # A converted list: written as a Docker list naming converted instances, its digest another.
  run sync --all --format v2s2 --src docker --dest docker "$REG/lists/multi" "$REG/v2s2"
  expect_success
  [[ "$output" == *"(1 copied, 0 skipped)"* ]]
  [ "$(digest_of "$REG/v2s2/multi:1")" != "$(digest_of "$REG/lists/multi:1")" ]
  skopeo copy -q --all --format v2s2 --src-tls-verify=false --dest-tls-verify=false \
    "docker://$REG/lists/multi:1" "docker://$REG/skopeo-v2s2/multi:1"
  [ "$(digest_of "$REG/v2s2/multi:1")" = "$(digest_of "$REG/skopeo-v2s2/multi:1")" ]
  run sync --all --format v2s2 --src docker --dest docker "$REG/lists/multi" "$REG/v2s2"
  expect_success
  [[ "$output" == *"(0 copied, 1 skipped)"* ]]
  [[ "$output" == *"the destination has sha256:$(digest_of "$REG/v2s2/multi:1") already"* ]]
  [[ "$output" != *"Copying blob"* ]]
  # --dry-run names the digest the copy would write.
  run sync --dry-run --all --format v2s2 --src docker --dest docker "$REG/lists/multi" "$REG/v2s2"
  expect_success
  [[ "$output" == *"Would skip"* ]]
  # Into dir: layouts, and single images converted likewise.
  run sync --all --format v2s2 --src docker --dest dir "$REG/lists/multi" "$WORK/lists"
  expect_success
  run sync --all --format v2s2 --src docker --dest dir "$REG/lists/multi" "$WORK/lists"
  expect_success
  [[ "$output" == *"(0 copied, 1 skipped)"* ]]
  run sync --format v2s2 --src docker --dest docker "$REG/ns/app" "$REG/single-v2s2"
  expect_success
  [[ "$output" == *"(3 copied, 0 skipped)"* ]]
  run sync --format v2s2 --src docker --dest docker "$REG/ns/app" "$REG/single-v2s2"
  expect_success
  [[ "$output" == *"(0 copied, 3 skipped)"* ]]
  # Another format than the one written: copied again.
  run sync --all --format oci --src docker --dest docker "$REG/v2s2/multi" "$REG/v2s2"
  expect_success
  [[ "$output" == *"(1 copied, 0 skipped)"* ]]
  [ "$(digest_of "$REG/v2s2/multi:1")" = "$(digest_of "$REG/lists/multi:1")" ]
}

@test "registry to registry: every tag, manifests byte-exact" {
  have_registry || skip "docker-registry is not installed"
  run sync --src docker --dest docker "$REG/ns/app" "$REG/mirror"
  expect_success
  for tag in 1 2 2.1; do
    [ "$(digest_of "$REG/mirror/app:$tag")" = "$(digest_of "$REG/ns/app:$tag")" ]
  done
  # A dir: tree back to a registry (skopeo's dir source).
  run sync --src docker --dest dir "$REG/ns/app:1" "$WORK/tree"
  expect_success
  run sync --src dir --dest docker "$WORK/tree" "$REG/fromdir"
  expect_success
  [ "$(digest_of "$REG/fromdir/app:1")" = "$(digest_of "$REG/ns/app:1")" ]
}

@test "a YAML list: tags, all tags, a tag regex, per-registry tls-verify" {
  have_registry || skip "docker-registry is not installed"
  cat >"$WORK/sync.yaml" <<EOF
$REG:
  tls-verify: false
  images:
    ns/app: ["1"]
  images-by-tag-regex:
    ns/app: ^2\.
EOF
  run s image sync --signature-policy "$BATS_FILE_TMPDIR/accept.json" --dest-tls-verify=false \
    --src yaml --dest docker "$WORK/sync.yaml" "$REG/yaml"
  expect_success
  [[ "$output" == *"Synced 2 images from 2 sources"* ]]
  [ "$(digest_of "$REG/yaml/app:1")" = "$(digest_of "$REG/ns/app:1")" ]
  [ "$(digest_of "$REG/yaml/app:2.1")" = "$(digest_of "$REG/ns/app:2.1")" ]
  run skopeo inspect --raw --tls-verify=false "docker://$REG/yaml/app:2"
  [ "$status" -ne 0 ]
}

@test "--dry-run copies nothing and says what it would do" {
  have_registry || skip "docker-registry is not installed"
  run sync --dry-run --src docker --dest dir "$REG/ns/app" "$WORK/dry"
  expect_success
  [[ "$output" == *"Would have copied image ref 1/3"* ]]
  [[ "$output" == *"Would have synced 3 images from 1 sources"* ]]
  [ ! -e "$WORK/dry" ]
}

@test "signatures: --sign-by signs each copy, a later sync carries them, digests kept" {
  have_registry || skip "docker-registry is not installed"
  command -v gpg >/dev/null || skip "gpg is not installed"
  GNUPGHOME=$(mktemp -d /tmp/sgpg.XXXXXX)
  export GNUPGHOME
  gpg --batch --passphrase '' --quick-gen-key "Sync <sync@example.com>" default default never 2>/dev/null
  local fpr digest
  fpr=$(gpg --with-colons --list-keys sync@example.com | awk -F: '/^fpr/ {print $10; exit}')
  mkdir -p "$WORK/registries.d" "$WORK/sigs"
  printf 'docker:\n  %s:\n    lookaside: file://%s\n' "$REG" "$WORK/sigs" >"$WORK/registries.d/test.yaml"
  run s --registries.d "$WORK/registries.d" image sync \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --dest-tls-verify=false --sign-by "$fpr" --src docker --dest docker "$REG/ns/app:1" "$REG/signed"
  gpgconf --kill gpg-agent 2>/dev/null || true
  rm -rf "$GNUPGHOME"
  expect_success
  digest=$(digest_of "$REG/signed/app:1")
  [ -f "$WORK/sigs/signed/app@sha256=$digest/signature-1" ]
  run s --registries.d "$WORK/registries.d" image sync \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --dest-tls-verify=false --src docker --dest docker "$REG/signed/app" "$REG/carried"
  expect_success
  [ "$(digest_of "$REG/carried/app:1")" = "$digest" ]
  cmp "$WORK/sigs/signed/app@sha256=$digest/signature-1" \
    "$WORK/sigs/carried/app@sha256=$digest/signature-1"
  # dir: layouts keep them as skopeo does (signature-1 beside the image), and a sync from the
  # layouts carries them on to a registry.
  run s --registries.d "$WORK/registries.d" image sync \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --src docker --dest dir "$REG/signed/app" "$WORK/withsig"
  expect_success
  cmp "$WORK/sigs/signed/app@sha256=$digest/signature-1" "$WORK/withsig/app:1/signature-1"
  run s --registries.d "$WORK/registries.d" image sync \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --dest-tls-verify=false \
    --src dir --dest docker "$WORK/withsig/app:1" "$REG/sigdir"
  expect_success
  cmp "$WORK/withsig/app:1/signature-1" "$WORK/sigs/sigdir/app@sha256=$digest/signature-1"
  run s --registries.d "$WORK/registries.d" image sync --remove-signatures \
    --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --src docker --dest dir "$REG/signed/app" "$WORK/nosig"
  expect_success
  [ ! -e "$WORK/nosig/app:1/signature-1" ]
}

@test "--keep-going: a failed image is reported, the others copied, the sync fails" {
  have_registry || skip "docker-registry is not installed"
  # Where app:1 should go is a directory that is not a layout: that copy fails.
  mkdir -p "$WORK/kg/app:1"
  echo junk >"$WORK/kg/app:1/junk"
  run sync --src docker --dest dir "$REG/ns/app" "$WORK/kg"
  [ "$status" -eq 125 ]
  [[ "$output" == *"Error copying ref \"docker://$REG/ns/app:1\""* ]]
  rm -rf "$WORK/kg/app:2" "$WORK/kg/app:2.1"
  run sync --keep-going --src docker --dest dir "$REG/ns/app" "$WORK/kg"
  expect_failure 125 "Sync failed due to previous reported error(s) for 1 images"
  [ -f "$WORK/kg/app:2/manifest.json" ]
  [ -f "$WORK/kg/app:2.1/manifest.json" ]
}

@test "bad input: transports, arguments, YAML, missing repositories" {
  run s image sync --src ftp --dest dir a b
  expect_failure 125 '"ftp" is not a valid source transport (docker, dir or yaml)'
  run s image sync --src docker --dest yaml a b
  expect_failure 125 '"yaml" is not a valid destination transport (docker or dir)'
  run s image sync --dest dir a b
  expect_failure 125 "A source transport must be specified"
  run s image sync --src docker --dest dir a
  expect_failure 125 "Exactly two arguments expected, received 1"
  run s image sync --src dir --dest dir "$WORK" "$WORK/x"
  expect_failure 125 "sync from 'dir' to 'dir' not implemented"
  run s image sync --src yaml --dest dir "$WORK/none.yaml" "$WORK/x"
  expect_failure 125 "none.yaml"
  printf 'reg.example:\n  images: [a, b\n' >"$WORK/bad.yaml"
  run s image sync --src yaml --dest dir "$WORK/bad.yaml" "$WORK/x"
  expect_failure 125 "invalid sync YAML file \"$WORK/bad.yaml\": line "
  [[ "$output" != *yaml-cpp* ]]
  printf 'reg.example:\n  imagez:\n    a: []\n' >"$WORK/typo.yaml"
  run s image sync --src yaml --dest dir "$WORK/typo.yaml" "$WORK/x"
  expect_failure 125 'reg.example: unknown key "imagez"'
  printf 'reg.example:\n  images-by-tag-regex:\n    a: "(["\n' >"$WORK/regex.yaml"
  run s image sync --src yaml --dest dir "$WORK/regex.yaml" "$WORK/x"
  expect_failure 125 "invalid expression"
  printf 'reg.example:\n  images:\n    "UPPER/x": []\n' >"$WORK/repo.yaml"
  run s image sync --src yaml --dest dir "$WORK/repo.yaml" "$WORK/x"
  expect_failure 125 'is not a repository'
  [ ! -e "$WORK/x" ]
  have_registry || return 0
  run sync --src docker --dest dir "$REG/no/such" "$WORK/x"
  [ "$status" -eq 125 ]
  [[ "$output" == *"no/such"* ]]
  [ ! -e "$WORK/x" ]
}

@test "credentials: --src-creds, a YAML file's credentials, --src-authfile" {
  have_registry || skip "docker-registry is not installed"
  local auth
  auth=$(start_registry "$WORK/authreg" sync s3cret) || skip "no registry with htpasswd"
  skopeo copy -q --dest-tls-verify=false --dest-creds sync:s3cret \
    "oci-archive:$BATS_FILE_TMPDIR/a.tar" "docker://$auth/locked/app:1"
  run sync --src docker --dest dir "$auth/locked/app" "$WORK/none"
  [ "$status" -eq 125 ]
  [ ! -e "$WORK/none/app:1" ]
  run sync --src-creds sync:s3cret --src docker --dest dir "$auth/locked/app" "$WORK/creds"
  expect_success
  [ -f "$WORK/creds/app:1/manifest.json" ]
  printf '%s:\n  tls-verify: false\n  credentials:\n    username: sync\n    password: s3cret\n  images:\n    locked/app: []\n' \
    "$auth" >"$WORK/auth.yaml"
  run s image sync --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src yaml --dest dir \
    "$WORK/auth.yaml" "$WORK/yaml"
  expect_success
  [ -f "$WORK/yaml/app:1/manifest.json" ]
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$auth" "$(printf sync:s3cret | base64)" >"$WORK/auth.json"
  run sync --src-authfile "$WORK/auth.json" --src docker --dest dir "$auth/locked/app" "$WORK/af"
  expect_success
  [ -f "$WORK/af/app:1/manifest.json" ]
}
