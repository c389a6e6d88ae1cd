#!/usr/bin/env bats
# pull --referrers and push --referrers: an image's referrers (SBOMs, signatures, and theirs)
# travel with it between registries and the store, their digests unchanged, through the
# referrers tag schema (docker-registry) and the referrers API (tests/fixtures/referrers_registry.py).

load helpers
load registry
load referrers_registry

art_state() {
  store_state
  s artifact ls --no-trunc --format '{{.Repository}}:{{.Tag}} {{.Digest}}' 2>&1
}

make_files() {
  printf '{"spdxVersion":"SPDX-2.3"}\n' >"$WORK/sbom.json"
  head -c 3000 /dev/urandom >"$WORK/sig.bin"
  printf 'sbom signature\n' >"$WORK/sbom.sig"
}

# registry_digest REF: the sha256 of the manifest bytes the registry serves for REF.
registry_digest() {
  echo "sha256:$(skopeo inspect --raw --tls-verify=false "docker://$1" | sha256sum | cut -d' ' -f1)"
}

# The digests `artifact discover` lists for docker://REF, sorted, one a line.
discovered() {
  sp artifact discover --format json "docker://$1" | jq -r '.manifests[].digest' | sort
}

# signed_image HOST/REPO SEED: pushes a fixture image as HOST/REPO:1 and attaches an SBOM, a
# signature, and a signature of the SBOM there; sets SUBJECT, SBOM, SIG, SBOMSIG.
signed_image() {
  make_files
  fixture --out "$WORK/i.tar" --format oci-archive --name app:1 --seed "$2"
  s load -q -i "$WORK/i.tar" >/dev/null
  sp push -q app:1 "docker://$1:1"
  SUBJECT=$(s inspect --format '{{.Digest}}' app:1)
  SBOM=$(sp artifact attach -q --subject "docker://$1:1" --type application/spdx+json "$WORK/sbom.json")
  SIG=$(sp artifact attach -q --subject "docker://$1:1" --type application/x-sig "$WORK/sig.bin")
  SBOMSIG=$(sp artifact attach -q --subject "docker://$1@$SBOM" --type application/x-sig "$WORK/sbom.sig")
  [ "$(registry_digest "$1@$SBOM")" = "$SBOM" ]
  [ "$(registry_digest "$1@$SIG")" = "$SIG" ]
  s rmi -a -f >/dev/null
}

# check_travel FROM TO: pull --referrers FROM:1 into a fresh store, then push --referrers to TO:1.
check_travel() {
  rm -rf "$STORE"
  run sp pull -q --referrers "$1:1"
  expect_success
  # three artifacts, digests as in the registry, subjects kept
  [ "$(s artifact ls --noheading | wc -l)" = 3 ]
  for d in "$SBOM" "$SIG" "$SBOMSIG"; do
    [ "$(s artifact inspect "$d" | jq -r .Digest)" = "$d" ]
    [ "$(registry_digest "$1@$d")" = "$d" ]
  done
  [ "$(s artifact inspect "$SBOM" | jq -r .Manifest.subject.digest)" = "$SUBJECT" ]
  [ "$(s artifact inspect "$SBOMSIG" | jq -r .Manifest.subject.digest)" = "$SBOM" ]
  run s image tree --referrers "$1:1"
  expect_success
  [[ "$output" == *"$SBOM"* ]]
  [[ "$output" == *"$SIG"* ]]
  # on to another repository
  run sp push -q --referrers "$1:1" "docker://$2:1"
  expect_success
  [ "$(discovered "$2:1")" = "$(printf '%s\n' "$SBOM" "$SIG" | sort)" ]
  [ "$(discovered "$2@$SBOM")" = "$SBOMSIG" ]
  for d in "$SBOM" "$SIG" "$SBOMSIG"; do
    [ "$(registry_digest "$2@$d")" = "$d" ]
  done
  # pulled referrers are artifacts of their own: rmi of the image leaves them
  run s rmi "$1:1"
  expect_success
  [ "$(s artifact ls --noheading | wc -l)" = 3 ]
  s artifact extract "$SBOM" "$WORK/sbom.out"
  cmp "$WORK/sbom.json" "$WORK/sbom.out"
  s artifact extract "$SIG" "$WORK/sig.out"
  cmp "$WORK/sig.bin" "$WORK/sig.out"
}

@test "pull/push --referrers: tag schema -> store -> tag schema and referrers API" {
  have_registry || skip "docker-registry is not installed"
  start_referrers_registry
  signed_image "$REG/tr/app" 30
  check_travel "$REG/tr/app" "$REG/tr2/app"
  # once more from the store to the referrers-API registry
  sp pull -q "$REG/tr/app:1" >/dev/null
  run sp push -q --referrers "$REG/tr/app:1" "docker://$RREG/tr/app:1"
  expect_success
  [ "$(discovered "$RREG/tr/app:1")" = "$(printf '%s\n' "$SBOM" "$SIG" | sort)" ]
  [ "$(http_status "http://$RREG/v2/tr/app/manifests/sha256-${SUBJECT#sha256:}")" = 404 ]
}

@test "pull/push --referrers: referrers API -> store -> tag schema" {
  have_registry || skip "docker-registry is not installed"
  start_referrers_registry
  signed_image "$RREG/tr/app" 31
  check_travel "$RREG/tr/app" "$REG/tr3/app"
}

@test "pull --referrers twice stores each referrer once" {
  have_registry || skip "docker-registry is not installed"
  signed_image "$REG/twice/app" 32
  rm -rf "$STORE"
  sp pull -q --referrers "$REG/twice/app:1" >/dev/null
  BEFORE=$(art_state)
  run sp pull -q --referrers "$REG/twice/app:1"
  expect_success
  same_as_before "$(art_state)"
}

@test "pull --referrers of an image without referrers just pulls it" {
  have_registry || skip "docker-registry is not installed"
  fixture --out "$WORK/i.tar" --format oci-archive --name app:1 --seed 33
  s load -q -i "$WORK/i.tar" >/dev/null
  sp push -q app:1 "docker://$REG/plain/app:1"
  rm -rf "$STORE"
  run sp pull -q --referrers "$REG/plain/app:1"
  expect_success
  [ "$(s images --noheading | wc -l)" = 1 ]
  [ -z "$(s artifact ls --noheading)" ]
}

@test "push --referrers: refused with --format, --compression-format, a local destination" {
  have_registry || skip "docker-registry is not installed"
  make_files
  fixture --out "$WORK/i.tar" --format oci-archive --name app:1 --seed 34
  s load -q -i "$WORK/i.tar" >/dev/null
  s artifact attach --subject app:1 --type application/x-sig "$WORK/sig.bin" >/dev/null
  BEFORE=$(art_state)
  run sp push --referrers --format v2s2 app:1 "docker://$REG/bad/app:1"
  expect_failure 125 "--referrers cannot be used with --format or --compression-format"
  run sp push --referrers --compression-format zstd app:1 "docker://$REG/bad/app:1"
  expect_failure 125 "--referrers cannot be used with --format or --compression-format"
  run sp push --referrers app:1 "oci-archive:$WORK/out.tar"
  expect_failure 125 "--referrers: the destination must be a registry"
  [ "$(http_status "http://$REG/v2/bad/app/manifests/1")" = 404 ]
  [ ! -e "$WORK/out.tar" ]
  # an OCI layout carries referrers (save_referrers.bats); a docker-archive cannot
  s save -o "$WORK/d.tar" app:1
  run sp pull --referrers "docker-archive:$WORK/d.tar"
  expect_failure 125 "is not in a registry"
  same_as_before "$(art_state)"
}

@test "push --referrers: a push that changes the digest pushes no referrers" {
  have_registry || skip "docker-registry is not installed"
  make_files
  # docker-archive layers are stored uncompressed and pushed gzipped: a new manifest digest
  fixture --out "$WORK/i.tar" --format docker-archive --name app:1 --seed 35
  s load -q -i "$WORK/i.tar" >/dev/null
  s artifact attach --subject app:1 --type application/x-sig "$WORK/sig.bin" >/dev/null
  run sp push -q --referrers app:1 "docker://$REG/changed/app:1"
  expect_failure 125 "the push changed the image's manifest digest"
  [ -z "$(discovered "$REG/changed/app:1")" ]
}
