#!/usr/bin/env bats
# pull and push against a docker-registry on loopback: identities equal podman's and skopeo's,
# digests survive a round trip, and every failure leaves the store as it was.

load helpers
load registry

setup_file() {
  have_registry || skip "docker-registry is not installed"
  start_file_registry
}

teardown_file() {
  stop_file_registry
}

# "<image id> <manifest digest>" of the image NAME, as schicht sees it.
identity() {
  s inspect --format '{{.Id}} {{.Digest}}' "$1"
}

@test "push then pull into a fresh store: same image ID and manifest digest" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layers 3 --seed 11
  s load -i "$WORK/a.tar" >/dev/null
  read -r id digest <<<"$(identity app:1)"
  run sp push --digestfile "$WORK/digest" app:1 "$REG/rt:1"
  expect_success
  [ "$(cat "$WORK/digest")" = "$digest" ]
  rm -rf "$STORE"
  run sp pull "$REG/rt:1"
  expect_success
  [ "${lines[-1]}" = "$id" ]
  [ "$(identity "$REG/rt:1")" = "$id $digest" ]
}

@test "pushing an unchanged image keeps its manifest digest, as skopeo reads it" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --seed 12
  s load -i "$WORK/a.tar" >/dev/null
  read -r _ digest <<<"$(identity app:1)"
  sp push -q app:1 "docker://$REG/same:1"
  [ "$(remote_digest "$REG/same:1")" = "$digest" ]
  # Again, now that every blob is there: nothing to upload, the same digest.
  run sp push app:1 "$REG/same:1"
  expect_success
  [[ "$output" == *"Writing manifest to image destination"* ]]
  [ "$(remote_digest "$REG/same:1")" = "$digest" ]
}

@test "pull prints podman's progress lines to stderr and the full image ID to stdout" {
  skopeo_push lines:1 --seed 13 --layers 2
  out=$(s pull --tls-verify=false "$REG/lines:1" 2>"$WORK/err")
  id=$(s inspect --format '{{.Id}}' "$REG/lines:1")
  [ "$out" = "$id" ]
  run cat "$WORK/err"
  [ "${lines[0]}" = "Trying to pull $REG/lines:1..." ]
  [ "${lines[1]}" = "Getting image source signatures" ]
  [[ "${lines[2]}" == "Copying blob sha256:"* ]]
  [[ "${lines[3]}" == "Copying blob sha256:"* ]]
  [ "${lines[4]}" = "Copying config sha256:$id" ]
  [ "${lines[5]}" = "Writing manifest to image destination" ]
  [ "${lines[6]}" = "Storing signatures" ]
  run sp pull -q "$REG/lines:1"
  [ "$output" = "$id" ]
}

@test "images pushed by skopeo pull with podman's image ID and digest (gzip, zstd, none)" {
  have_podman || skip "podman is not installed"
  for compression in gzip zstd none; do
    skopeo_push "c-$compression:1" --seed 14 --layers 2 --compression $compression
    # The three share an image ID; fresh stores compare each manifest digest on its own.
    rm -rf "$STORE" "$WORK/podman" "$WORK/podman-run"
    run sp pull -q "$REG/c-$compression:1"
    expect_success
    p pull -q --tls-verify=false "$REG/c-$compression:1" >/dev/null
    want=$(p inspect --format '{{.Id}} {{.Digest}}' "$REG/c-$compression:1")
    got=$(s inspect --format '{{.Id}} {{.Digest}}' "$REG/c-$compression:1")
    echo "$compression: podman '$want' schicht '$got'"
    [ "$got" = "$want" ]
  done
}

@test "a Docker v2s2 image pulls with podman's image ID and digest" {
  have_podman || skip "podman is not installed"
  fixture --out "$WORK/d.tar" --format docker-archive --name app:1 --seed 15
  skopeo copy -q --dest-tls-verify=false --format v2s2 "docker-archive:$WORK/d.tar" \
    "docker://$REG/v2s2:1" >/dev/null
  run sp pull -q "$REG/v2s2:1"
  expect_success
  p pull -q --tls-verify=false "$REG/v2s2:1" >/dev/null
  [ "$(s images --no-trunc --digests --format '{{.ID}} {{.Digest}}')" = \
    "$(p images --no-trunc --digests --format '{{.ID}} {{.Digest}}')" ]
}

@test "pull by digest stores repo@digest, as podman does" {
  skopeo_push bydigest:1 --seed 16
  digest=$(remote_digest "$REG/bydigest:1")
  run sp pull -q "docker://$REG/bydigest@$digest"
  expect_success
  [ "$(s images --format '{{.Repository}} {{.Tag}} {{.Digest}}')" = \
    "$REG/bydigest <none> $digest" ]
  if have_podman; then
    p pull -q --tls-verify=false "$REG/bydigest@$digest" >/dev/null
    [ "$(p images --format '{{.Repository}} {{.Tag}} {{.Digest}}')" = \
      "$REG/bydigest <none> $digest" ]
  fi
}

@test "a multi-platform index: --arch, --platform, and a platform it lacks" {
  fixture --out "$WORK/m.tar" --format oci-archive --name multi:1 --seed 17 \
    --platforms linux/amd64,linux/arm64,linux/arm/v7
  skopeo copy -q --all --dest-tls-verify=false "oci-archive:$WORK/m.tar" "docker://$REG/multi:1" \
    >/dev/null
  run sp pull -q --arch arm64 "$REG/multi:1"
  expect_success
  [ "$(s inspect --format '{{.Os}}/{{.Architecture}}' "$REG/multi:1")" = "linux/arm64" ]
  if have_podman; then
    want=$(p pull -q --tls-verify=false --arch arm64 "$REG/multi:1")
    [ "$output" = "$want" ]
  fi
  run sp pull -q --platform linux/arm/v7 "$REG/multi:1"
  expect_success
  [ "$(s inspect --format '{{.Architecture}} {{.Variant}}' "$REG/multi:1")" = "arm v7" ]
  BEFORE=$(store_state)
  run sp pull --arch s390x "$REG/multi:1"
  expect_failure 125 "no image found in image index for architecture s390x" "linux/arm64"
  unchanged
}

@test "layers download in parallel and serially alike; blobs the store has are not fetched" {
  skopeo_push many:1 --seed 18 --layers 8 --layer-kb 256
  run sp pull -q --jobs 1 "$REG/many:1"
  expect_success
  serial=$output
  rm -rf "$STORE"
  run sp pull -q --jobs 8 "$REG/many:1"
  expect_success
  [ "$output" = "$serial" ]
  # With the registry's copy of every layer corrupted, a re-pull still works: none is fetched.
  for layer in $(skopeo inspect --tls-verify=false --format '{{range .Layers}}{{.}} {{end}}' \
    "docker://$REG/many:1"); do
    chmod u+w "$(registry_blob_file "$REG_DIR" "$layer")"
    printf 'X' | dd of="$(registry_blob_file "$REG_DIR" "$layer")" bs=1 seek=50 conv=notrunc \
      2>/dev/null
  done
  run sp pull -q "$REG/many:1"
  expect_success
  [ "$output" = "$serial" ]
}

@test "push converts with --format and recompresses with --compression-format; both pull back" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --seed 19
  s load -i "$WORK/a.tar" >/dev/null
  id=$(s inspect --format '{{.Id}}' app:1)
  sp push -q --format v2s2 app:1 "$REG/conv:v2s2"
  skopeo inspect --raw --tls-verify=false "docker://$REG/conv:v2s2" |
    grep -q '"mediaType":"application/vnd.docker.distribution.manifest.v2+json"'
  sp push -q --compression-format zstd app:1 "$REG/conv:zstd"
  skopeo inspect --raw --tls-verify=false "docker://$REG/conv:zstd" |
    grep -q 'application/vnd.oci.image.layer.v1.tar+zstd'
  for tag in v2s2 zstd; do
    rm -rf "$STORE"
    run sp pull -q "$REG/conv:$tag"
    expect_success
    [ "$output" = "$id" ]
  done
  run sp push --compression-format bzip2 "$REG/conv:zstd" "$REG/conv:x"
  expect_failure 125 'cannot find compressor for "bzip2"'
}

@test "pull --all-tags pulls every tag" {
  skopeo_push tags:a --seed 20
  skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$REG/tags:a" \
    "docker://$REG/tags:b" >/dev/null
  run sp pull -q --all-tags "$REG/tags"
  expect_success
  [ "${#lines[@]}" -eq 2 ]
  [ "$(s images --format '{{.Tag}}' | sort | tr '\n' ' ')" = "a b " ]
}

@test "short names: search registries from registries.conf, or podman's error without any" {
  skopeo_push short:1 --seed 21
  printf 'unqualified-search-registries = ["%s"]\n[[registry]]\nlocation = "%s"\ninsecure = true\n' \
    "$REG" "$REG" >"$WORK/registries.conf"
  CONTAINERS_REGISTRIES_CONF=$WORK/registries.conf run s pull short:1
  expect_success
  [ "${lines[0]}" = "Resolving \"short\" using unqualified-search registries ($WORK/registries.conf)" ]
  [ "${lines[1]}" = "Trying to pull $REG/short:1..." ]
  : >"$WORK/empty.conf"
  CONTAINERS_REGISTRIES_CONF=$WORK/empty.conf run s pull other/short:1
  expect_failure 125 "short-name \"other/short:1\" did not resolve to an alias and no \
unqualified-search registries are defined in \"$WORK/empty.conf\""
}

@test "faults leave the store unchanged: registry down, unknown tag, corrupt blob" {
  fixture --out "$WORK/good.tar" --format oci-archive --name good:1 --seed 22
  s load -i "$WORK/good.tar" >/dev/null
  BEFORE=$(store_state)

  run sp pull "127.0.0.1:$(free_port)/x:1"
  expect_failure 125 "initializing source" "pinging container registry" "onnect"
  unchanged

  run sp pull "$REG/nosuch:1"
  expect_failure 125 "initializing source docker://$REG/nosuch:1: reading manifest 1 in \
$REG/nosuch: manifest unknown"
  unchanged

  push_corrupt_layer corrupt:1 23
  run sp pull "$REG/corrupt:1"
  expect_failure 125 "storing blob $LAYER: Digest did not match, expected $LAYER"
  unchanged
}

@test "a layer whose diffID is not the config's is refused (podman 4.3 accepts it)" {
  push_wrong_diffid baddiff:1 --seed 25
  fixture --out "$WORK/good.tar" --format oci-archive --name good:1 --seed 26
  s load -i "$WORK/good.tar" >/dev/null
  BEFORE=$(store_state)
  run sp pull "$REG/baddiff:1"
  expect_failure 125 "its diffID is sha256:" "but the image config names sha256:"
  unchanged
}

@test "push errors: unknown image, registry down, unknown transport" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --seed 24
  s load -i "$WORK/a.tar" >/dev/null
  run sp push nosuch "$REG/x:1"
  expect_failure 125 "nosuch: image not known"
  run sp push app:1 "127.0.0.1:$(free_port)/x:1"
  expect_failure 125 "trying to reuse blob" "pinging container registry"
  run sp push app:1 "containers-storage:$WORK/out"
  expect_failure 125 "containers-storage"
}

@test "push gzips layers stored uncompressed, as podman does; --compression-format zstd too" {
  mkdir -p "$WORK/root" && head -c 200000 /dev/zero >"$WORK/root/f" && tar -cf "$WORK/root.tar" -C "$WORK/root" .
  layer_types() {
    skopeo inspect --raw --tls-verify=false "docker://$1" |
      python3 -c 'import json, sys; print(" ".join(l["mediaType"] for l in json.load(sys.stdin)["layers"]))'
  }
  s import -q "$WORK/root.tar" imp:1 >/dev/null
  id=$(s inspect --format '{{.Id}}' imp:1)
  sp push -q imp:1 "$REG/imp:s"
  schicht_types=$(layer_types "$REG/imp:s")
  [ "$schicht_types" = "application/vnd.oci.image.layer.v1.tar+gzip" ]
  if have_podman; then
    p import -q "$WORK/root.tar" imp:1 >/dev/null
    p push -q --tls-verify=false imp:1 "docker://$REG/imp:p"
    [ "$(layer_types "$REG/imp:p")" = "$schicht_types" ]
  fi
  # Smaller than the tar, and it pulls back as the same image.
  size=$(skopeo inspect --raw --tls-verify=false "docker://$REG/imp:s" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["layers"][0]["size"])')
  [ "$size" -lt 100000 ]
  sp push -q --compression-format zstd imp:1 "$REG/imp:z"
  [ "$(layer_types "$REG/imp:z")" = "application/vnd.oci.image.layer.v1.tar+zstd" ]
  rm -rf "$STORE"
  run sp pull -q "$REG/imp:s"
  expect_success
  [ "$output" = "$id" ]
}

@test "pulled by tag and by tag@digest: one row, untag of IMG:tag@digest and rmi IMG@digest, as podman" {
  have_podman || skip "podman is not installed"
  skopeo_push twice:1 --seed 19
  digest=$(remote_digest "$REG/twice:1")
  transcript() {
    local tool=$1 pull=$2
    $pull "$REG/twice:1" >/dev/null 2>&1
    $tool images -a
    $pull "$REG/twice:1@$digest" >/dev/null 2>&1
    $tool images -a
    $tool images --format json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'
    $tool inspect --format '{{.RepoTags}}' "$REG/twice:1"
    $tool untag "$REG/twice:1" "$REG/twice:1@$digest" && echo untagged
    $tool images -a --format '{{.Repository}}:{{.Tag}}'
    $pull "$REG/twice@$digest" >/dev/null 2>&1
    $tool rmi "$REG/twice@$digest"
    $tool images -a --format '{{.Repository}}:{{.Tag}}'
    $tool untag "$REG/twice:1" "$REG/twice:1@$digest" 2>&1 || echo "rc $?"
  }
  pp() { p pull --tls-verify=false "$@"; }
  spull() { sp pull "$@"; }
  diff <(transcript p pp | sed 's/ago .*$/ago/') <(transcript s spull | sed 's/ago .*$/ago/')
}
