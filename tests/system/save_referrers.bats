#!/usr/bin/env bats
# save --referrers: the stored artifacts referring to an image go into its OCI layout
# byte-exact, listed in index.json with their artifactType; a plain load passes over them.

load helpers

# app:1 with an SBOM attached to it.
attach_referrers() {
  fixture --out "$WORK/i.tar" --format oci-archive --name app:1 --seed 31
  s load -q -i "$WORK/i.tar" >/dev/null
  echo '{"spdxVersion":"SPDX-2.3"}' >"$WORK/sbom.json"
  SUBJECT=$(s inspect --format '{{.Digest}}' app:1)
  SBOM=sha256:$(s artifact attach -q --subject app:1 --type application/spdx+json "$WORK/sbom.json")
}

@test "save --referrers oci-archive: referrers in blobs/ and index.json, byte-exact; image entry unchanged" {
  attach_referrers
  run s save --referrers --format oci-archive -o "$WORK/o.tar" app:1
  expect_success
  mkdir "$WORK/x" && tar -xf "$WORK/o.tar" -C "$WORK/x"
  idx=$WORK/x/index.json
  [ "$(jq -r '.manifests[0].digest' "$idx")" = "$SUBJECT" ]
  [ "$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$idx")" = localhost/app:1 ]
  [ "$(jq -r --arg d "$SBOM" '.manifests[] | select(.digest == $d) | .artifactType' "$idx")" = application/spdx+json ]
  [ "$(jq -r --arg d "$SBOM" '.manifests[] | select(.digest == $d) | .annotations["org.opencontainers.image.ref.name"] // "none"' "$idx")" = none ]
  # the manifest is stored byte-exact: its file hashes to its digest, and it names the image
  [ "sha256:$(sha256sum "$WORK/x/blobs/sha256/${SBOM#sha256:}" | cut -d' ' -f1)" = "$SBOM" ]
  [ "$(jq -r .subject.digest "$WORK/x/blobs/sha256/${SBOM#sha256:}")" = "$SUBJECT" ]
  layer=$(jq -r '.layers[0].digest' "$WORK/x/blobs/sha256/${SBOM#sha256:}")
  cmp "$WORK/sbom.json" "$WORK/x/blobs/sha256/${layer#sha256:}"
}

@test "save --referrers oci-dir: the same layout in a directory; a plain save lists none" {
  attach_referrers
  run s save --referrers --format oci-dir -o "$WORK/d" app:1
  expect_success
  [ "$(jq -r --arg d "$SBOM" '[.manifests[] | select(.digest == $d)] | length' "$WORK/d/index.json")" = 1 ]
  [ -f "$WORK/d/blobs/sha256/${SBOM#sha256:}" ]
  s save --format oci-dir -o "$WORK/p" app:1
  [ "$(jq '.manifests | length' "$WORK/p/index.json")" = 1 ]
}

@test "a layout with referrer entries still loads and pulls the image alone" {
  attach_referrers
  s save --referrers --format oci-archive -o "$WORK/o.tar" app:1
  STORE=$WORK/store2
  run s load -i "$WORK/o.tar"
  expect_success
  [[ "$output" == *"Loaded image: localhost/app:1"* ]]
  [ "$(s inspect --format '{{.Digest}}' app:1)" = "$SUBJECT" ]
  [ "$(s artifact ls --format '{{.Digest}}')" = "" ]
  run s pull "oci-archive:$WORK/o.tar"
  expect_success
}

@test "save --referrers: docker formats refused with 125, nothing written, store unchanged" {
  attach_referrers
  BEFORE=$(store_state)
  run s save --referrers -o "$WORK/d.tar" app:1
  expect_failure 125 "--referrers: a docker-archive cannot hold referrers"
  [ ! -e "$WORK/d.tar" ]
  run s save --referrers --format docker-dir -o "$WORK/dd" app:1
  expect_failure 125 "--referrers: a docker-dir cannot hold referrers"
  [ ! -e "$WORK/dd" ]
  unchanged
}

@test "load --referrers stores the referrers as artifacts with their subject, byte-exact" {
  attach_referrers
  s save --referrers --format oci-archive -o "$WORK/o.tar" app:1
  STORE=$WORK/store2
  run s load --referrers -i "$WORK/o.tar"
  expect_success
  [[ "$output" == *"Loaded image: localhost/app:1"* ]]
  [ "$(s inspect --format '{{.Digest}}' app:1)" = "$SUBJECT" ]
  [ "sha256:$(s artifact ls --no-trunc --format '{{.Digest}}')" = "$SBOM" ] ||
    [ "$(s artifact ls --format '{{.Digest}}')" = "${SBOM:7:12}" ]
  run s artifact discover --format json app:1
  expect_success
  [ "$(jq -r '.manifests[0].digest' <<<"$output")" = "$SBOM" ]
  [ "$(jq -r '.manifests[0].artifactType' <<<"$output")" = application/spdx+json ]
  s artifact extract "$SBOM" "$WORK/got"
  cmp "$WORK/sbom.json" "$WORK/got"
  # a second load stores nothing new
  run s load --referrers -q -i "$WORK/o.tar"
  expect_success
  [ "$(s artifact ls --format '{{.Digest}}' | wc -l)" = 1 ]
}

@test "pull --referrers oci-archive: and oci: stores the layout's referrers; docker-archive: refused" {
  attach_referrers
  s save --referrers --format oci-archive -o "$WORK/o.tar" app:1
  s save --referrers --format oci-dir -o "$WORK/d" app:1
  s save -o "$WORK/docker.tar" app:1
  STORE=$WORK/store2
  run s pull --referrers "oci-archive:$WORK/o.tar"
  expect_success
  run s artifact discover --format json app:1
  expect_success
  [ "$(jq -r '.manifests[0].digest' <<<"$output")" = "$SBOM" ]
  STORE=$WORK/store3
  run bash -c "cd '$WORK' && '$SCHICHT' --root '$STORE' pull --referrers oci:d"
  expect_success
  run s artifact discover --format json localhost/d:latest
  expect_success
  [ "$(jq -r '.manifests[0].digest' <<<"$output")" = "$SBOM" ]
  STORE=$WORK/store4
  BEFORE=$(store_state)
  run s pull --referrers "docker-archive:$WORK/docker.tar"
  expect_failure 125 "--referrers"
  unchanged
}

@test "save --referrers of a Docker image: converting it would orphan its referrers, 125, nothing written" {
  fixture --out "$WORK/d.tar" --format docker-archive --name dock:1 --seed 32
  s load -q -i "$WORK/d.tar" >/dev/null
  echo sbom >"$WORK/sbom.json"
  s artifact attach -q --subject dock:1 --type application/spdx+json "$WORK/sbom.json" >/dev/null
  BEFORE=$(store_state)
  run s save --referrers --format oci-archive -o "$WORK/o.tar" dock:1
  expect_failure 125 "--referrers: the save changed the image's manifest digest"
  [ ! -e "$WORK/o.tar" ]
  run s save --referrers --format oci-dir -o "$WORK/od" dock:1
  expect_failure 125 "--referrers: the save changed the image's manifest digest"
  [ ! -e "$WORK/od" ]
  unchanged
}
