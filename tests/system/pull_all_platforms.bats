#!/usr/bin/env bats
# Whole multi-platform images into the store (podman cannot: podman#22882): `pull
# --all-platforms` and `image copy --all SRC containers-storage:NAME` store every instance as an
# image named NAME@DIGEST, the one for the platform also as NAME, and the list under NAME with
# the registry's bytes (its digest unchanged). A failure leaves the store as it was.

load helpers
load registry

setup_file() {
  have_registry || skip "docker-registry is not installed"
  start_file_registry
  local dir=$BATS_FILE_TMPDIR
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$dir/m.tar" --format oci-archive \
    --name multi:1 --seed 23 --platforms linux/amd64,linux/arm64,linux/arm/v7
  skopeo copy -q --all --dest-tls-verify=false "oci-archive:$dir/m.tar" "docker://$REG/multi:1"
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$dir/one.tar" --format oci-archive \
    --name one:1 --seed 24
  skopeo copy -q --dest-tls-verify=false "oci-archive:$dir/one.tar" "docker://$REG/one:1"
  printf '%s\n' '{"default":[{"type":"insecureAcceptAnything"}]}' >"$dir/accept.json"
}

teardown_file() {
  stop_file_registry
}

# The registry's list bytes, and the instance digests they name ("arch/[variant] digest").
list_raw() {
  skopeo inspect --raw --tls-verify=false "docker://$REG/multi:1"
}
instances() {
  list_raw | python3 -c '
import json, sys
for m in json.load(sys.stdin)["manifests"]:
    p = m["platform"]
    print(p["architecture"] + "/" + p.get("variant", ""), m["digest"])'
}

# "arch/[variant]" of a stored image.
platform_of() {
  s inspect "$1" | python3 -c '
import json, sys
i = json.load(sys.stdin)[0]
print(i["Architecture"] + "/" + i.get("Variant", ""))'
}

# Every instance is an image NAME@DIGEST of its platform; NAME is the amd64 one (this machine's
# unless ARCH says otherwise); the list under NAME is the registry's byte for byte.
check_whole() {
  local name=$1 want_arch=${2:-amd64} arch digest
  while read -r arch digest; do
    [ "$(platform_of "${name%:*}@$digest")" = "$arch" ]
  done < <(instances)
  [ "$(s inspect --format '{{.Architecture}}' "$name")" = "$want_arch" ]
  # The list under NAME is the registry's: same digest, same bytes in the blob store.
  local list_digest
  list_digest=sha256:$(list_raw | sha256sum | cut -d' ' -f1)
  [ "$(sqlite3 "$STORE/db.sqlite" "SELECT list_digest FROM list_names WHERE name = '$name'")" = \
    "$list_digest" ]
  cmp <(list_raw) "$STORE/blobs/sha256/${list_digest#sha256:}"
  run s manifest inspect "$name"
  expect_success
  [ "$(s images --format '{{.ID}}' | sort -u | wc -l)" = "$(instances | wc -l)" ]
  consistent
}

@test "pull --all-platforms stores every instance and the list, its digest unchanged" {
  run sp pull --all-platforms "$REG/multi:1"
  expect_success
  [[ "$output" == *"Copying 3 of 3 images in list"* ]]
  id=${lines[-1]}
  [ "$id" = "$(s inspect --format '{{.Id}}' "$REG/multi:1")" ]
  check_whole "$REG/multi:1"
  # Again: every blob is there, nothing is fetched, the store is the same.
  BEFORE=$(store_state)
  run sp pull -q --all-platforms "$REG/multi:1"
  expect_success
  unchanged
}

@test "pull --all-platforms --arch names the instance for that platform" {
  run sp pull -q --all-platforms --arch arm64 "$REG/multi:1"
  expect_success
  check_whole "$REG/multi:1" arm64
}

@test "pull --all-platforms of a single image pulls it as pull does" {
  run sp pull -q --all-platforms "$REG/one:1"
  expect_success
  plain=$output
  rm -rf "$STORE"
  run sp pull -q "$REG/one:1"
  expect_success
  [ "$output" = "$plain" ]
}

@test "image copy --all into containers-storage: stores every instance and the list" {
  run s image copy --all --signature-policy "$BATS_FILE_TMPDIR/accept.json" \
    --src-tls-verify=false "docker://$REG/multi:1" containers-storage:localhost/copied:1
  expect_success
  check_whole localhost/copied:1
  # index-only would leave a list without its images: refused, the store unchanged.
  BEFORE=$(store_state)
  run s image copy --multi-arch index-only --signature-policy "$BATS_FILE_TMPDIR/accept.json" \
    --src-tls-verify=false "docker://$REG/multi:1" containers-storage:localhost/only:1
  expect_failure 125 "keeps a manifest list only with its images"
  unchanged
}

@test "a corrupt blob of one instance: pull --all-platforms fails, the store unchanged" {
  run sp pull -q "$REG/one:1"
  expect_success
  BEFORE=$(store_state)
  digest=$(instances | awk '$1 == "arm64/" {print $2}')
  layer=$(skopeo inspect --raw --tls-verify=false "docker://$REG/multi@$digest" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"])')
  file=$(registry_blob_file "$REG_DIR" "$layer")
  cp "$file" "$BATS_TEST_TMPDIR/saved"
  chmod u+w "$file"
  printf 'X' | dd of="$file" bs=1 seek=50 conv=notrunc 2>/dev/null
  run sp pull --all-platforms "$REG/multi:1"
  cp "$BATS_TEST_TMPDIR/saved" "$file"
  expect_failure 125 "Digest did not match, expected $layer"
  unchanged
}
