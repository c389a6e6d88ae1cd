#!/usr/bin/env bats
# image sbom --attach: the document pushed to a docker-registry on loopback as an OCI 1.1
# referrer of the image, listed in the referrers tag schema's fallback index.

load helpers
load registry
load sbom
bats_require_minimum_version 1.5.0

setup_file() {
  have_registry || skip "docker-registry is not installed"
  start_file_registry
}

teardown_file() {
  stop_file_registry
}

# get PATH [ACCEPT]: a GET of the registry's PATH.
get() {
  curl -sf -H "Accept: ${2:-application/vnd.oci.image.index.v1+json}" "http://$REG/v2/$1"
}

@test "image sbom --attach pushes the document as a referrer of the pushed image" {
  sbom_image apk sbom/alpine:1
  # The push compresses the layers: the registry's manifest is not the stored one, the config is.
  s push --tls-verify=false sbom/alpine:1 "docker://$REG/sbom/alpine:1" >/dev/null 2>&1
  remote=$(curl -sf -o /dev/null -w '%header{docker-content-digest}' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REG/v2/sbom/alpine/manifests/1")
  [[ "$remote" == sha256:* ]]

  run --separate-stderr s image sbom --attach "docker://$REG/sbom/alpine" --tls-verify=false \
    -o "$WORK/spdx.json" sbom/alpine:1
  expect_success
  [[ "$stderr" == *"sbom: attached to $REG/sbom/alpine@$remote as sha256:"* ]]
  get "sbom/alpine/manifests/sha256-${remote#sha256:}" >"$WORK/index.json"
  jq -e '.mediaType == "application/vnd.oci.image.index.v1+json" and (.manifests | length) == 1
         and .manifests[0].artifactType == "application/spdx+json"' "$WORK/index.json"
  artifact=$(jq -r '.manifests[0].digest' "$WORK/index.json")
  get "sbom/alpine/manifests/$artifact" application/vnd.oci.image.manifest.v1+json >"$WORK/artifact.json"
  jq -e --arg subject "$remote" '.artifactType == "application/spdx+json"
         and .config.mediaType == "application/vnd.oci.empty.v1+json" and .config.size == 2
         and (.layers | length) == 1 and .layers[0].mediaType == "application/spdx+json"
         and .subject.digest == $subject' "$WORK/artifact.json"
  layer=$(jq -r '.layers[0].digest' "$WORK/artifact.json")
  cmp <(get "sbom/alpine/blobs/$layer") "$WORK/spdx.json"

  # A second document (CycloneDX, through the tag) is added to the same index.
  s image sbom --format cyclonedx-json --attach "$REG/sbom/alpine:1" --tls-verify=false \
    sbom/alpine:1 >/dev/null 2>&1
  get "sbom/alpine/manifests/sha256-${remote#sha256:}" >"$WORK/index.json"
  jq -e '[.manifests[].artifactType] == ["application/spdx+json", "application/vnd.cyclonedx+json"]' \
    "$WORK/index.json"
}

@test "image sbom --attach refuses a repository without the image, and a bad destination" {
  sbom_image apk sbom/alpine:1
  run s image sbom --attach "docker://$REG/sbom/elsewhere" --tls-verify=false sbom/alpine:1
  expect_failure 125 "sbom/elsewhere: no manifest of image" "push the image there first"
  run s image sbom --attach "not a reference" sbom/alpine:1
  expect_failure 125 'Error: --attach "not a reference": expected a registry repository'
  run s image sbom --attach "docker://$REG/sbom/alpine" --creds nopassword sbom/alpine:1
  expect_failure 125 "Error: --creds: expected USERNAME:PASSWORD"
  run s image sbom --attach "shortname" sbom/alpine:1
  expect_failure 125 'Error: --attach "shortname": expected a registry repository'
  [ -z "$(curl -s "http://$REG/v2/sbom/elsewhere/tags/list" | jq -r '.tags // empty | .[]')" ]
}

@test "image sbom docker://REF reads the layers from the registry, storing nothing" {
  sbom_image apk sbom/alpine:2
  s push --tls-verify=false sbom/alpine:2 "docker://$REG/sbom/remote:2" >/dev/null 2>&1
  export SOURCE_DATE_EPOCH=1700000000
  s image sbom -o "$WORK/local.json" sbom/alpine:2 2>/dev/null
  # a fresh store: nothing pulled, nothing stored
  STORE=$WORK/store2
  run --separate-stderr s image sbom --tls-verify=false -o "$WORK/remote.json" \
    "docker://$REG/sbom/remote:2"
  expect_success
  [[ "$stderr" == *"sbom: package database read: /lib/apk/db/installed"* ]]
  # the same packages as from the stored image
  packages='[.packages[] | select(.versionInfo | startswith("sha256:") | not) | [.name, .versionInfo]] | sort'
  [ "$(jq -c "$packages" "$WORK/remote.json")" = "$(jq -c "$packages" "$WORK/local.json")" ]
  [ "$(jq -c "$packages | length" "$WORK/remote.json")" = 3 ]
  [ "$(s images -q)" = "" ]
  [ ! -d "$STORE/blobs/sha256" ] || [ -z "$(ls "$STORE/blobs/sha256")" ]
  # --attach to the image it read
  run --separate-stderr s image sbom --tls-verify=false --attach "docker://$REG/sbom/remote" \
    -o /dev/null "docker://$REG/sbom/remote:2"
  expect_success
  [[ "$stderr" == *"sbom: attached to $REG/sbom/remote@sha256:"* ]]
}

@test "image sbom docker://REF: a tampered layer fails, naming it; a missing image fails" {
  sbom_image apk sbom/alpine:3
  s push --tls-verify=false sbom/alpine:3 "docker://$REG/sbom/bad:3" >/dev/null 2>&1
  layer=$(curl -sf -H 'Accept: application/vnd.docker.distribution.manifest.v2+json,application/vnd.oci.image.manifest.v1+json' \
    "http://$REG/v2/sbom/bad/manifests/3" | jq -r '.layers[-1].digest')
  file=$(registry_blob_file "$REG_DIR" "$layer")
  chmod u+w "$file" 2>/dev/null || true
  printf 'X' | dd of="$file" bs=1 seek=100 conv=notrunc 2>/dev/null
  STORE=$WORK/store2
  run s image sbom --tls-verify=false -o "$WORK/bad.json" "docker://$REG/sbom/bad:3"
  expect_failure 125 "$layer"
  [ ! -e "$WORK/bad.json" ]
  run s image sbom --tls-verify=false "docker://$REG/sbom/nosuch:1"
  expect_failure 125
}
