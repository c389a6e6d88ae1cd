#!/usr/bin/env bats
# image copy --referrers between every pair of transports that can hold referrers (docker://,
# oci:, oci-archive:, containers-storage:), digests unchanged, byte-exact; refused up front
# (naming the transport) where a side cannot hold them; load --referrers of a docker-archive
# refused before anything is stored.

load helpers
load registry
load referrers_registry

cq() {
  s image copy -q --referrers --src-tls-verify=false --dest-tls-verify=false "$@"
}

# app:1 with an SBOM attached, and a signature of the SBOM (a referrer of a referrer).
attach_referrers() {
  fixture --out "$WORK/i.tar" --format oci-archive --name app:1 --seed 51
  s load -q -i "$WORK/i.tar" >/dev/null
  echo '{"spdxVersion":"SPDX-2.3"}' >"$WORK/sbom.json"
  head -c 2000 /dev/urandom >"$WORK/sig.bin"
  SUBJECT=$(s inspect --format '{{.Digest}}' app:1)
  SBOM=sha256:$(s artifact attach -q --subject app:1 --type application/spdx+json "$WORK/sbom.json")
}

# The referrers of $1 (an image in the store $STORE) as "digest" lines.
local_referrers() {
  s artifact discover --format json "$1" | jq -r '.manifests[].digest' | sort
}

@test "image copy --referrers: containers-storage -> oci: -> containers-storage, byte-exact" {
  attach_referrers
  run cq containers-storage:app:1 "oci:$WORK/l:app"
  expect_success
  idx=$WORK/l/index.json
  [ "$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "app") | .digest' "$idx")" = "$SUBJECT" ]
  [ "$(jq -r --arg d "$SBOM" '.manifests[] | select(.digest == $d) | .artifactType' "$idx")" = application/spdx+json ]
  [ "sha256:$(sha256sum "$WORK/l/blobs/sha256/${SBOM#sha256:}" | cut -d' ' -f1)" = "$SBOM" ]
  STORE=$WORK/store2
  run cq "oci:$WORK/l:app" containers-storage:localhost/app:2
  expect_success
  [ "$(s inspect --format '{{.Digest}}' app:2)" = "$SUBJECT" ]
  [ "$(local_referrers app:2)" = "$SBOM" ]
  s artifact extract "$SBOM" "$WORK/sbom.out"
  cmp "$WORK/sbom.json" "$WORK/sbom.out"
}

@test "image copy --referrers: a referrer of a referrer goes along, docker:// -> oci-archive -> store" {
  have_registry || skip "docker-registry is not installed"
  attach_referrers
  sp push -q app:1 "docker://$REG/rr/app:1"
  sbom=$(sp artifact attach -q --subject "docker://$REG/rr/app:1" --type application/spdx+json "$WORK/sbom.json")
  sig=$(sp artifact attach -q --subject "docker://$REG/rr/app@$sbom" --type application/x-sig "$WORK/sig.bin")
  run cq "docker://$REG/rr/app:1" "oci-archive:$WORK/o.tar:app"
  expect_success
  mkdir "$WORK/x" && tar -xf "$WORK/o.tar" -C "$WORK/x"
  [ "$(jq -r --arg d "$sig" '.manifests[] | select(.digest == $d) | .artifactType' "$WORK/x/index.json")" = application/x-sig ]
  [ "$(jq -r .subject.digest "$WORK/x/blobs/sha256/${sig#sha256:}")" = "$sbom" ]
  # and from the archive into another store, both levels
  STORE=$WORK/store2
  run cq "oci-archive:$WORK/o.tar:app" containers-storage:localhost/app:1
  expect_success
  [ "$(local_referrers app:1)" = "$sbom" ]
  [ "$(s artifact ls --no-trunc --format '{{.Digest}}' | sort)" = "$(printf '%s\n' "${sbom#sha256:}" "${sig#sha256:}" | sort)" ]
}

@test "image copy --referrers: containers-storage and oci-archive <-> docker:// (tag schema)" {
  have_registry || skip "docker-registry is not installed"
  attach_referrers
  run cq containers-storage:app:1 "docker://$REG/cr/app:1"
  expect_success
  run sp artifact discover --format json "docker://$REG/cr/app:1"
  expect_success
  [ "$(jq -r .subject <<<"$output")" = "$SUBJECT" ]
  [ "$(jq -r '.manifests[0].digest' <<<"$output")" = "$SBOM" ]
  # registry -> oci-archive -> another repository
  run cq "docker://$REG/cr/app:1" "oci-archive:$WORK/o.tar"
  expect_success
  mkdir "$WORK/x" && tar -xf "$WORK/o.tar" -C "$WORK/x"
  [ "$(jq -r --arg d "$SBOM" '.manifests[] | select(.digest == $d) | .artifactType' "$WORK/x/index.json")" = application/spdx+json ]
  run cq "oci-archive:$WORK/o.tar" "docker://$REG/cr2/app:1"
  expect_success
  run sp artifact discover --format json "docker://$REG/cr2/app:1"
  [ "$(jq -r '.manifests[0].digest' <<<"$output")" = "$SBOM" ]
  # registry -> a fresh store: stored as artifacts with their subject
  STORE=$WORK/store2
  run cq "docker://$REG/cr2/app:1" containers-storage:localhost/app:1
  expect_success
  [ "$(s inspect --format '{{.Digest}}' app:1)" = "$SUBJECT" ]
  [ "$(local_referrers app:1)" = "$SBOM" ]
  s artifact extract "$SBOM" "$WORK/sbom.out"
  cmp "$WORK/sbom.json" "$WORK/sbom.out"
}

@test "image copy --referrers: docker-archive: and dir: refused up front, naming the transport" {
  attach_referrers
  BEFORE=$(store_state)
  run cq containers-storage:app:1 "docker-archive:$WORK/d.tar"
  expect_failure 125 "--referrers: the destination docker-archive:$WORK/d.tar is a docker-archive: transport, which cannot hold referrers"
  [ ! -e "$WORK/d.tar" ]
  run cq containers-storage:app:1 "dir:$WORK/d"
  expect_failure 125 "--referrers: the destination dir:$WORK/d is a dir: transport, which cannot hold referrers"
  [ ! -e "$WORK/d" ]
  fixture --out "$WORK/da.tar" --format docker-archive --name da:1 --seed 52
  run cq "docker-archive:$WORK/da.tar" containers-storage:localhost/da:1
  expect_failure 125 "--referrers: the source docker-archive:$WORK/da.tar is a docker-archive: transport"
  unchanged
}

@test "image copy --referrers: a copy that changes the digest writes no referrer and no layout" {
  attach_referrers
  run cq --format v2s2 containers-storage:app:1 "oci:$WORK/l"
  expect_failure 125 "--referrers cannot be used with --format"
  [ ! -e "$WORK/l" ]
}

@test "load --referrers of a docker-archive is refused before anything is stored" {
  fixture --out "$WORK/d.tar" --format docker-archive --name da:1 --seed 53
  BEFORE=$(store_state)
  run s load --referrers -i "$WORK/d.tar"
  expect_failure 125 "--referrers: $WORK/d.tar is a docker-archive, which cannot hold referrers (only an oci-archive can); load it without --referrers"
  unchanged
  run s load --referrers <"$WORK/d.tar"
  expect_failure 125 "is a docker-archive, which cannot hold referrers"
  unchanged
  run s load -q -i "$WORK/d.tar"
  expect_success
}
