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
  # A list with a BuildKit attestation beside its image: a manifest whose layer is an in-toto
  # statement, not a tar.
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$dir/att" --format oci-dir \
    --name att:1 --seed 25 --platforms linux/amd64
  python3 - "$dir/att" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
def put(data):
    h = hashlib.sha256(data).hexdigest()
    open(os.path.join(d, "blobs/sha256", h), "wb").write(data)
    return {"digest": "sha256:" + h, "size": len(data)}
top = json.load(open(os.path.join(d, "index.json")))
ref = top["manifests"][0]
index = json.load(open(os.path.join(d, "blobs/sha256", ref["digest"][7:]), "rb"))
statement = b'{"_type":"https://in-toto.io/Statement/v0.1"}'
config = json.dumps({"architecture": "unknown", "os": "unknown", "config": {},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(statement).hexdigest()]}}).encode()
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": dict(put(config), mediaType="application/vnd.oci.image.config.v1+json"),
    "layers": [dict(put(statement), mediaType="application/vnd.in-toto+json")]}).encode()
index["manifests"].append(dict(put(manifest), mediaType="application/vnd.oci.image.manifest.v1+json",
    platform={"architecture": "unknown", "os": "unknown"},
    annotations={"vnd.docker.reference.type": "attestation-manifest",
                 "vnd.docker.reference.digest": index["manifests"][0]["digest"]}))
ref.update(put(json.dumps(index).encode()))
json.dump(top, open(os.path.join(d, "index.json"), "w"))
PY
  skopeo copy -q --all --dest-tls-verify=false "oci:$dir/att" "docker://$REG/att:1"
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

@test "rmi of a whole multi-platform image takes the list and every instance's name; prune frees them" {
  run sp pull -q --all-platforms "$REG/multi:1"
  expect_success
  s tag "$REG/multi:1" keep:1
  run s rmi "$REG/multi:1"
  expect_success
  [ "$output" = "Untagged: $REG/multi:1" ]
  run s manifest exists "$REG/multi:1"
  [ "$status" -eq 1 ]
  # The instance another name still uses stays; the other two are dangling and pruned.
  s image prune -f >/dev/null
  [ "$(s images -q | wc -l)" -eq 1 ]
  [ "$(s images --format '{{.Repository}}:{{.Tag}}')" = "localhost/keep:1" ]
  run s system check
  expect_success
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

@test "pull --all-platforms stores the images of a list, not its attestations; the list stays whole" {
  run sp pull --all-platforms "$REG/att:1"
  expect_success
  [[ "$output" == *"Copying 1 of 2 images in list"* ]]
  [ "$(s images -q | wc -l)" = 1 ]
  [ "$(s inspect --format '{{.Architecture}}' "$REG/att:1")" = amd64 ]
  run s manifest inspect "$REG/att:1"
  expect_success
  [[ "$output" == *attestation-manifest* ]]
  # Where the attestation can be copied from (manifest push --all), as a single pull records.
  [ "$(sqlite3 "$STORE/db.sqlite" "SELECT count(*) FROM list_sources WHERE repository = '$REG/att'")" = 2 ]
  consistent
}

@test "pull --all-platforms under signedBy: an unsigned instance is refused before anything is stored" {
  printf '%s\n' "{\"default\":[{\"type\":\"insecureAcceptAnything\"}],
    \"transports\":{\"docker\":{\"$REG\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/nonexistent.gpg\"}]}}}" \
    >"$WORK/p.json"
  BEFORE=$(store_state)
  run sp pull --all-platforms --signature-policy "$WORK/p.json" "$REG/multi:1"
  expect_failure 125 "A signature was required, but no signature exists" \
    "docker scope \"$REG\" requires signedBy"
  [[ "$output" != *"Copying blob"* ]]
  unchanged
}

@test "pull --all-platforms killed at each point: the store stays consistent, a re-pull completes it" {
  command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"
  local failed="" point
  for point in blob-renamed pull-layers-stored pull-blobs-stored image-rows-committed \
    pull-images-stored; do
    rm -rf "$STORE"
    SCHICHT_KILL_AT=$point run sp pull -q --all-platforms "$REG/multi:1"
    [ "$status" -eq 137 ] || { failed="$failed $point(status $status)"; continue; }
    consistent || failed="$failed $point(inconsistent)"
    s system check --repair >/dev/null || true
    s system check >/dev/null || failed="$failed $point(check)"
    run sp pull -q --all-platforms "$REG/multi:1"
    [ "$status" -eq 0 ] || failed="$failed $point(redo:$output)"
    check_whole "$REG/multi:1" || failed="$failed $point(whole)"
  done
  [ -z "$failed" ] || { echo "failed at:$failed"; false; }
}

@test "load of an oci-archive whose index.json names a list stores every instance and the list, its digest unchanged" {
  s load -i "$BATS_FILE_TMPDIR/m.tar" >/dev/null
  mkdir "$WORK/x"
  tar -xf "$BATS_FILE_TMPDIR/m.tar" -C "$WORK/x" index.json
  index=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$WORK/x/index.json")
  [ "$(sqlite3 "$STORE/db.sqlite" "SELECT list_digest FROM list_names")" = "$index" ]
  [ "$(s images -q | sort -u | wc -l)" = 3 ]
  consistent
}
