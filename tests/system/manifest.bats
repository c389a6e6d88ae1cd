#!/usr/bin/env bats
# manifest create/add/annotate/remove/rm/exists/inspect/push: lists kept under names in the
# store, shown as podman shows them, pushed so that skopeo and podman read the platforms back.

load helpers
load registry

setup_file() {
  if have_registry; then
    start_file_registry
  fi
}

teardown_file() {
  stop_file_registry
}

# Two single-platform images, localhost/a:1 (amd64) and localhost/b:1 (arm64), in schicht's
# store (and in podman's with `both`).
two_images() {
  fixture --out "$WORK/a.tar" --format docker-archive --arch amd64 --name a:1 --seed 1
  fixture --out "$WORK/b.tar" --format docker-archive --arch arm64 --name b:1 --seed 2
  s load -q -i "$WORK/a.tar" >/dev/null
  s load -q -i "$WORK/b.tar" >/dev/null
  if [ "${1:-}" = both ]; then
    p load -q -i "$WORK/a.tar" >/dev/null
    p load -q -i "$WORK/b.tar" >/dev/null
  fi
}

entry_digest() {  # LIST N: the digest of entry N
  s manifest inspect "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['manifests'][$2]['digest'])"
}

unchanged() {
  same_as_before "$(store_state; s manifest inspect l 2>&1)"
}

@test "an empty list inspects as podman's: a Docker list with null manifests" {
  run s manifest create l
  expect_success
  [[ "$output" =~ ^[0-9a-f]{64}$ ]]
  run s manifest inspect l
  expect_success
  [ "$output" = '{
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
    "manifests": null
}' ]
  s manifest exists l
  s manifest exists localhost/l:latest
  run s manifest exists nothere
  [ "$status" -eq 1 ]
}

@test "create, add, annotate, remove: inspect equals podman's byte for byte" {
  have_podman || skip "podman is not installed"
  two_images both
  s manifest create l >/dev/null
  p manifest create l >/dev/null
  s manifest add l a:1 >/dev/null
  p manifest add l containers-storage:localhost/a:1 >/dev/null
  s manifest add --annotation k=v --os-version 1.0 l b:1 >/dev/null
  p manifest add --annotation k=v --os-version 1.0 l containers-storage:localhost/b:1 >/dev/null
  diff <(s manifest inspect l) <(p manifest inspect l)
  d=$(entry_digest l 1)
  s manifest annotate --arch arm --variant v7 --annotation x=y l "$d" >/dev/null
  p manifest annotate --arch arm --variant v7 --annotation x=y l "$d" >/dev/null
  diff <(s manifest inspect l) <(p manifest inspect l)
  s manifest remove l "$d" >/dev/null
  p manifest remove l "$d" >/dev/null
  diff <(s manifest inspect l) <(p manifest inspect l)
}

@test "create with images and --amend; images still lists only images" {
  two_images
  s manifest create l a:1 >/dev/null
  run s manifest create l b:1
  expect_failure 125 'image name "localhost/l:latest" is already associated with image'
  s manifest create --amend l b:1 >/dev/null
  run s manifest inspect l
  expect_success
  [[ "$output" == *'"architecture": "amd64"'* ]]
  [[ "$output" == *'"architecture": "arm64"'* ]]
  run s images --format '{{.Repository}}:{{.Tag}}'
  [ "$output" = "localhost/a:1
localhost/b:1" ]
}

@test "errors leave the store and the list unchanged" {
  two_images
  s manifest create l a:1 >/dev/null
  BEFORE=$(store_state; s manifest inspect l 2>&1)
  run s manifest add l nosuch
  expect_failure 125 "nosuch: image not known"
  unchanged
  run s manifest create --amend l b:1 nosuch
  expect_failure 125 "nosuch: image not known"
  unchanged
  run s manifest remove l sha256:1111111111111111111111111111111111111111111111111111111111111111
  expect_failure 125 'no instance matching digest "sha256:1111'
  unchanged
  run s manifest annotate --arch arm l sha256:1111111111111111111111111111111111111111111111111111111111111111
  expect_failure 125 "no image instance matching the specified digest"
  unchanged
  run s manifest annotate --arch arm l not-a-digest
  expect_failure 125
  unchanged
  run s manifest add --annotation novalue l b:1
  expect_failure 125 'no value given for annotation'
  unchanged
  run s manifest inspect nosuch
  expect_failure 125 "nosuch: image not known"
}

@test "a list's blob is kept by GC and goes with the list; edits leave no stale blob" {
  two_images
  blobs() { ls "$STORE/blobs/sha256" | wc -l; }
  n=$(blobs)
  s manifest create l a:1 >/dev/null
  s manifest add l b:1 >/dev/null
  [ "$(blobs)" -eq $((n + 1)) ]
  run s system check
  expect_success
  [[ "$output" != *unreferenced* ]]
  # Removing an image the list names is allowed (as in podman); the list stays.
  s rmi b:1 >/dev/null
  s manifest exists l
  run s manifest rm l
  expect_success
  [[ "$output" == "Untagged: localhost/l:latest"* ]]
  run s manifest exists l
  [ "$status" -eq 1 ]
  [ "$(blobs)" -eq $((n - 4)) ]
  run s manifest rm l
  expect_failure 1 "l: image not known"
}

@test "push: skopeo reads the platforms back, podman pulls the arm64 image by --arch" {
  have_registry || skip "docker-registry is not installed"
  two_images
  s manifest create l a:1 b:1 >/dev/null
  s manifest push -q --tls-verify=false --digestfile "$WORK/digest" l "docker://$REG/ml:1"
  run skopeo inspect --raw --tls-verify=false "docker://$REG/ml:1"
  expect_success
  # podman 4.3 pushes a list it built as an OCI index.
  echo "$output" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
assert doc["mediaType"] == "application/vnd.oci.image.index.v1+json", doc
assert [m["platform"]["architecture"] for m in doc["manifests"]] == ["amd64", "arm64"], doc'
  [ "$(cat "$WORK/digest")" = "sha256:$(echo -n "$output" | sha256sum | cut -d' ' -f1)" ]
  s manifest push -q --format v2s2 --tls-verify=false l "docker://$REG/ml:v2s2"
  run skopeo inspect --raw --tls-verify=false "docker://$REG/ml:v2s2"
  [[ "$output" == '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":'* ]]
  if have_podman; then
    run p pull -q --arch arm64 --tls-verify=false "$REG/ml:1"
    expect_success
    [ "$output" = "$(s inspect --format '{{.Id}}' b:1)" ]
    run p pull -q --arch amd64 --tls-verify=false "$REG/ml:v2s2"
    [ "$output" = "$(s inspect --format '{{.Id}}' a:1)" ]
  fi
  s manifest push -q --rm --tls-verify=false l "docker://$REG/ml:2"
  run s manifest exists l
  [ "$status" -eq 1 ]
}

@test "push --all fails before writing anything when an image of the list is gone" {
  have_registry || skip "docker-registry is not installed"
  two_images
  s manifest create l a:1 b:1 >/dev/null
  s rmi b:1 >/dev/null
  run s manifest push -q --tls-verify=false l "docker://$REG/gone:1"
  expect_failure 125 "does not resolve to an image ID: identifier is not an image"
  run skopeo inspect --raw --tls-verify=false "docker://$REG/gone:1"
  [ "$status" -ne 0 ]
  s manifest exists l
}

@test "pull of a list records it under the name: a second platform does not lose the first" {
  have_registry || skip "docker-registry is not installed"
  fixture --out "$WORK/multi.tar" --format oci-archive --platforms linux/amd64,linux/arm64 --seed 5
  skopeo copy -q --all --dest-tls-verify=false "oci-archive:$WORK/multi.tar" \
    "docker://$REG/multi:1" >/dev/null
  s pull -q --arch amd64 --tls-verify=false "$REG/multi:1" >/dev/null
  s pull -q --arch arm64 --tls-verify=false "$REG/multi:1" >/dev/null
  run s inspect --format '{{.Architecture}}' "$REG/multi:1"
  [ "$output" = arm64 ]
  # The list under the name is the registry's, byte-exact, and names both instances.
  run s manifest inspect "$REG/multi:1"
  expect_success
  [[ "$output" == *'"architecture": "amd64"'* ]]
  [[ "$output" == *'"architecture": "arm64"'* ]]
  amd=$(entry_digest "$REG/multi:1" 0)
  run s inspect --format '{{.Architecture}}' "$REG/multi@$amd"
  expect_success
  [ "$output" = amd64 ]
  # Pushed back as it came: the same list digest.
  s manifest push -q --tls-verify=false "$REG/multi:1" "docker://$REG/multi:copy"
  [ "$(skopeo inspect --raw --tls-verify=false "docker://$REG/multi:copy" | sha256sum)" = \
    "$(skopeo inspect --raw --tls-verify=false "docker://$REG/multi:1" | sha256sum)" ]
  # rmi of the image the name holds takes the pulled list with it, blob included.
  list_blob=$(skopeo inspect --raw --tls-verify=false "docker://$REG/multi:1" | sha256sum | cut -d' ' -f1)
  [ -e "$STORE/blobs/sha256/$list_blob" ]
  s rmi "$REG/multi:1" >/dev/null
  run s manifest exists "$REG/multi:1"
  [ "$status" -eq 1 ]
  [ ! -e "$STORE/blobs/sha256/$list_blob" ]
  run s system check
  expect_success
}

@test "add docker:// references: a whole list with --all, one platform, one image; as podman" {
  have_registry || skip "docker-registry is not installed"
  have_podman || skip "podman is not installed"
  two_images
  s manifest create l a:1 b:1 >/dev/null
  s manifest push -q --format v2s2 --tls-verify=false l "docker://$REG/src:1"
  arm=$(entry_digest l 1)
  for tool in s p; do
    $tool manifest create r >/dev/null
    $tool manifest add --tls-verify=false --all r "docker://$REG/src:1" >/dev/null
    $tool manifest add --tls-verify=false --arch arm64 r "docker://$REG/src@$arm" >/dev/null
  done
  diff <(s manifest inspect r) <(p manifest inspect r)
  run s manifest add --tls-verify=false r "docker://$REG/nothere:1"
  expect_failure 125
}

@test "instances from a registry: create --all, push --all copies them registry to registry" {
  have_registry || skip "docker-registry is not installed"
  fixture --out "$WORK/multi.tar" --format oci-archive --platforms linux/amd64,linux/arm64/v8 --seed 7
  skopeo copy -q --all --dest-tls-verify=false "oci-archive:$WORK/multi.tar" \
    "docker://$REG/rsrc:1" >/dev/null
  s manifest create --all --tls-verify=false r "docker://$REG/rsrc:1" >/dev/null
  [ "$(s manifest inspect r | grep -c '"digest"')" -eq 2 ]
  # Same registry: blobs are mounted; another registry: streamed through, never stored here.
  REG2=$(start_registry "$WORK/reg2")
  for dest in "$REG/rdst:1" "$REG2/rdst:1"; do
    run s manifest push --tls-verify=false r "docker://$dest"
    expect_success
    [[ "$output" == *"Copying 2 of 2 images in list"* ]]
    skopeo copy -q --all --src-tls-verify=false "docker://$dest" "oci:$WORK/out-${dest%%/*}" \
      >/dev/null
  done
  stop_registry "$WORK/reg2"
  [ -z "$(s images -q)" ]
  # An instance added by a name with a registry host (no docker://) comes from the registry too.
  s manifest create --tls-verify=false one "$REG/rsrc:1" >/dev/null
  [ "$(s manifest inspect one | grep -c '"digest"')" -eq 1 ]
  s manifest push -q --tls-verify=false one "docker://$REG/one:1"
  run skopeo inspect --raw --tls-verify=false "docker://$REG/one:1"
  expect_success
}

@test "inspect of a list in a registry shows it as podman does; an image is refused" {
  have_registry || skip "docker-registry is not installed"
  fixture --out "$WORK/multi.tar" --format oci-archive --platforms linux/amd64,linux/arm/v7 --seed 8
  skopeo copy -q --all --dest-tls-verify=false "oci-archive:$WORK/multi.tar" \
    "docker://$REG/rinspect:1" >/dev/null
  fixture --out "$WORK/one.tar" --format oci-archive --seed 9
  skopeo copy -q --dest-tls-verify=false "oci-archive:$WORK/one.tar" "docker://$REG/rone:1" \
    >/dev/null
  run s manifest inspect --tls-verify=false "$REG/rinspect:1"
  expect_success
  [[ "$output" == *'"mediaType": "application/vnd.docker.distribution.manifest.list.v2+json"'* ]]
  if have_podman; then
    printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REG" >"$WORK/registries.conf"
    diff <(echo "$output") \
      <(CONTAINERS_REGISTRIES_CONF="$WORK/registries.conf" p manifest inspect "$REG/rinspect:1")
  fi
  BEFORE=$(store_state)
  run s manifest inspect --tls-verify=false "$REG/rone:1"
  expect_failure 125 "treating single images as manifest lists is not implemented"
  run s manifest inspect --tls-verify=false "$REG/rnothere:1"
  expect_failure 125 "manifest unknown"
  [ "$(store_state)" = "$BEFORE" ]
}

@test "push --all of a pulled list copies the platforms that were not pulled from their origin" {
  have_registry || skip "docker-registry is not installed"
  fixture --out "$WORK/multi.tar" --format oci-archive --platforms linux/amd64,linux/arm64 --seed 10
  skopeo copy -q --all --dest-tls-verify=false "oci-archive:$WORK/multi.tar" \
    "docker://$REG/origin:1" >/dev/null
  s pull -q --arch arm64 --tls-verify=false "$REG/origin:1" >/dev/null
  [ "$(s images -q | wc -l)" -eq 1 ]
  s manifest push -q --tls-verify=false "$REG/origin:1" "docker://$REG/copied:1"
  skopeo copy -q --all --src-tls-verify=false "docker://$REG/copied:1" "oci:$WORK/copied" >/dev/null
  [ "$(skopeo inspect --raw --tls-verify=false "docker://$REG/copied:1" | sha256sum)" = \
    "$(skopeo inspect --raw --tls-verify=false "docker://$REG/origin:1" | sha256sum)" ]
}

@test "load and save of an oci-archive index keep every platform" {
  fixture --out "$WORK/multi.tar" --format oci-archive --platforms linux/amd64,linux/arm64/v8 \
    --seed 11 --name multi:1
  run s load -i "$WORK/multi.tar"
  expect_success
  [ "$output" = "Loaded image: localhost/multi:1" ]
  [ "$(s images -q | wc -l)" -eq 2 ]
  # The other platform is part of the image, not a dangling one.
  s image prune -f >/dev/null
  [ "$(s images -q | wc -l)" -eq 2 ]
  [ "$(s manifest inspect multi:1 | grep -c '"digest"')" -eq 2 ]
  # --multi-arch all keeps the list whole; the default saves this machine's instance alone.
  s save --multi-arch all --format oci-archive -o "$WORK/out.tar" multi:1
  [ "$(skopeo inspect --raw "oci-archive:$WORK/out.tar" | sha256sum)" = \
    "$(skopeo inspect --raw "oci-archive:$WORK/multi.tar" | sha256sum)" ]
  skopeo copy -q --all "oci-archive:$WORK/out.tar" "oci:$WORK/copy" >/dev/null
  if have_podman; then
    p load -q -i "$WORK/out.tar" >/dev/null
    [ "$(p images -q --no-trunc)" = "$(s inspect --format '{{.Id}}' multi:1)" ] ||
      [ "$(p images -q --no-trunc)" = "sha256:$(s inspect --format '{{.Id}}' multi:1)" ]
  fi
  # rmi takes the list with the name; the other platform is then dangling and pruned.
  s rmi multi:1 >/dev/null
  run s manifest exists multi:1
  [ "$status" -eq 1 ]
  s image prune -f >/dev/null
  [ -z "$(s images -q)" ]
  run s system check
  expect_success
}

@test "push --all of an image stored under two manifest digests pushes the entry's manifest" {
  have_registry || skip "docker-registry is not installed"
  two_images
  first=$(s inspect --format '{{.Digest}}' a:1)
  s manifest create l a:1 >/dev/null
  # a:1 under a second manifest digest: pushed as OCI, pulled back (the same config, one image).
  s push -q --tls-verify=false --format oci a:1 "docker://$REG/twice:1"
  s pull -q --tls-verify=false "$REG/twice:1" >/dev/null
  [ "$(s inspect --format '{{len .RepoDigests}}' a:1)" -ge 2 ]
  [ "$(s inspect --format '{{.Digest}}' a:1)" != "$first" ]
  # One list names the image by its first manifest, the other by the one from the registry.
  s manifest create l2 >/dev/null
  s manifest add --tls-verify=false l2 "docker://$REG/twice:1" >/dev/null
  [ "$(entry_digest l 0)" = "$first" ]
  [ "$(entry_digest l2 0)" != "$first" ]
  for list in l l2; do
    entry=$(entry_digest $list 0)
    run s manifest push -q --tls-verify=false $list "docker://$REG/twice-$list:1"
    expect_success
    run skopeo inspect --raw --tls-verify=false "docker://$REG/twice-$list@$entry"
    expect_success
    [ "sha256:$(echo -n "$output" | sha256sum | cut -d' ' -f1)" = "$entry" ]
  done
}

@test "rmi removes a list by name as podman does: its name, then the list with its last" {
  two_images
  s manifest create l1 a:1 >/dev/null
  BEFORE_IMAGES=$(s images --format '{{.ID}} {{.Repository}}:{{.Tag}}')
  run s rmi l1
  expect_success
  [ "${lines[0]}" = "Untagged: localhost/l1:latest" ]
  [[ "${lines[1]}" =~ ^Deleted:\ [0-9a-f]{64}$ ]]
  run s manifest exists l1
  [ "$status" -eq 1 ]
  [ "$(s images --format '{{.ID}} {{.Repository}}:{{.Tag}}')" = "$BEFORE_IMAGES" ]
  if have_podman; then
    transcript() {
      local tool=$1
      $tool manifest create test:1.0 >/dev/null
      $tool rmi test:1.0 | sed 's/[0-9a-f]\{64\}/ID/'
      $tool rmi test:1.0 2>&1 || echo "rc $?"
    }
    diff <(transcript p) <(transcript s)
  fi
}

@test "push is one copy: digests kept, podman's output, --digestfile, --rm" {
  have_registry || skip "docker-registry is not installed"
  two_images
  s manifest create l a:1 b:1 >/dev/null
  a=$(entry_digest l 0)
  b=$(entry_digest l 1)
  run s manifest push --tls-verify=false --digestfile "$WORK/digest" --rm l "docker://$REG/one-copy:1"
  expect_success
  # podman 4.3's lines around a list and its instances.
  [ "${lines[0]}" = "Getting image list signatures" ]
  [ "${lines[1]}" = "Copying 2 of 2 images in list" ]
  [ "${lines[2]}" = "Copying image $a (1/2)" ]
  [ "${lines[3]}" = "Getting image source signatures" ]
  [ "${lines[-2]}" = "Writing manifest list to image destination" ]
  [ "${lines[-1]}" = "Storing list signatures" ]
  [ "$(grep -c '^Storing signatures$' <<<"$output")" -eq 2 ]
  for entry in "$a" "$b"; do
    run skopeo inspect --raw --tls-verify=false "docker://$REG/one-copy@$entry"
    expect_success
    [ "sha256:$(echo -n "$output" | sha256sum | cut -d' ' -f1)" = "$entry" ]
  done
  list=$(skopeo inspect --raw --tls-verify=false "docker://$REG/one-copy:1" | sha256sum | cut -d' ' -f1)
  [ "$(cat "$WORK/digest")" = "sha256:$list" ]
  run s manifest exists l
  [ "$status" -eq 1 ]
  # The images stay: --rm removes the list only.
  s inspect a:1 b:1 >/dev/null
}

@test "push --format oci converts the instances and rewrites the list to name them, as podman" {
  have_registry || skip "docker-registry is not installed"
  two_images
  s manifest create l a:1 b:1 >/dev/null
  s manifest push -q --format oci --tls-verify=false l "docker://$REG/as-oci:1"
  run skopeo inspect --raw --tls-verify=false "docker://$REG/as-oci:1"
  expect_success
  echo "$output" >"$WORK/list.json"
  python3 - "$WORK/list.json" "$(entry_digest l 0)" "$(entry_digest l 1)" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["mediaType"] == "application/vnd.oci.image.index.v1+json", doc
entries = doc["manifests"]
assert [m["mediaType"] for m in entries] == ["application/vnd.oci.image.manifest.v1+json"] * 2, doc
assert [m["platform"]["architecture"] for m in entries] == ["amd64", "arm64"], doc
assert {m["digest"] for m in entries}.isdisjoint(sys.argv[2:]), doc
PY
  # Every entry names what the registry holds under it.
  for n in 0 1; do
    entry=$(python3 -c "import json; d=json.load(open('$WORK/list.json'))['manifests'][$n]; print(d['digest'], d['size'])")
    run skopeo inspect --raw --tls-verify=false "docker://$REG/as-oci@${entry% *}"
    expect_success
    [ "$(echo -n "$output" | wc -c)" -eq "${entry#* }" ]
    [[ "$output" == *'"mediaType":"application/vnd.oci.image.manifest.v1+json"'* ]]
  done
  skopeo copy -q --all --src-tls-verify=false "docker://$REG/as-oci:1" "oci:$WORK/back" >/dev/null
  # The list alone (--all=false) changes type only; its Docker images, already there, stay.
  s manifest push -q --format v2s2 --tls-verify=false l "docker://$REG/src-v2s2:1"
  run s manifest push -q --all=false --format v2s2 --tls-verify=false l "docker://$REG/src-v2s2:2"
  expect_success
  [ "$(skopeo inspect --raw --tls-verify=false "docker://$REG/src-v2s2:2")" = \
    "$(skopeo inspect --raw --tls-verify=false "docker://$REG/src-v2s2:1")" ]
  run s manifest push -q --all=false --format oci --tls-verify=false l "docker://$REG/src-v2s2:3"
  expect_failure 125 "a list copied without its instances (--multi-arch index-only, manifest push --all=false) cannot have them converted"
}

@test "push of a list whose image is gone: podman's words, nothing in the registry, the list kept" {
  have_registry || skip "docker-registry is not installed"
  two_images
  s manifest create l a:1 b:1 >/dev/null
  a=$(entry_digest l 0)
  s rmi a:1 >/dev/null
  BEFORE=$(store_state)
  run s manifest push -q --tls-verify=false l "docker://$REG/missing:1"
  expect_failure 125 "initializing source containers-storage:localhost/l:latest: image $a of the list does not resolve to an image ID: identifier is not an image"
  [ "$(store_state)" = "$BEFORE" ]
  run skopeo inspect --raw --tls-verify=false "docker://$REG/missing:1"
  [ "$status" -ne 0 ]
  run skopeo inspect --raw --tls-verify=false "docker://$REG/missing@$(entry_digest l 1)"
  [ "$status" -ne 0 ]
}

@test "push --creds authenticates to the destination; without them the registry refuses" {
  have_registry || skip "docker-registry is not installed"
  two_images
  s manifest create l a:1 b:1 >/dev/null
  REG2=$(start_registry "$WORK/reg2" alice s3cret)
  echo '{"auths":{}}' >"$WORK/auth.json"
  run s manifest push -q --tls-verify=false --authfile "$WORK/auth.json" l "docker://$REG2/auth:1"
  expect_failure 125 "$REG2"
  run s manifest push -q --tls-verify=false --creds alice:s3cret l "docker://$REG2/auth:1"
  expect_success
  run skopeo inspect --raw --tls-verify=false --creds alice:s3cret "docker://$REG2/auth:1"
  expect_success
  run s manifest push -q --tls-verify=false --creds alice l "docker://$REG2/auth:2"
  expect_failure 125 "--creds: expected USERNAME:PASSWORD"
  stop_registry "$WORK/reg2"
}
