#!/usr/bin/env bats
# A signed image with an SBOM, carried registry -> store -> oci-archive -> store -> another
# repository with --referrers: the Sigstore bundle and the SBOM arrive with their digests
# unchanged, the signature still satisfies a keyless policy, the SBOM's bytes are the same.

load helpers
load registry
load sigstore_registry

SIGSTORE_SEED=13

@test "registry -> store -> oci-archive -> store -> registry: signature and SBOM arrive verifying" {
  need_all
  skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$REG/src:1" \
    "docker://$REG/chain:1" >/dev/null
  local digest
  digest=$(remote_digest "$REG/chain:1")
  keyless_policy chain "$WORK/policy-chain.json"
  keyless_policy chain2 "$WORK/policy-chain2.json"
  keyless attach-bundle "$WORK/ca" "$REG" chain "$digest" message
  echo '{"spdxVersion":"SPDX-2.3","name":"chain"}' >"$WORK/sbom.json"
  run sp artifact attach -q --subject "docker://$REG/chain:1" --type application/spdx+json \
    "$WORK/sbom.json"
  expect_success
  local sbom=$output
  run sp artifact discover --format json "docker://$REG/chain:1"
  expect_success
  local before
  before=$(jq -r '[.manifests[].digest] | sort | join(" ")' <<<"$output")
  [ "$(wc -w <<<"$before")" = 2 ]
  [[ "$before" == *"$sbom"* ]]

  run sp pull -q --referrers --signature-policy "$WORK/policy-chain.json" "$REG/chain:1"
  expect_success
  run s save --referrers --format oci-archive -o "$WORK/chain.tar" "$REG/chain:1"
  expect_success

  STORE=$WORK/store2
  run s load --referrers -q -i "$WORK/chain.tar"
  expect_success
  [ "$(s inspect --format '{{.Digest}}' "$REG/chain:1")" = "$digest" ]
  [ "$(s artifact ls --format '{{.Digest}}' | wc -l)" = 2 ]
  run sp push --referrers "$REG/chain:1" "docker://$REG/chain2:1"
  expect_success

  run sp artifact discover --format json "docker://$REG/chain2:1"
  expect_success
  [ "$(jq -r '[.manifests[].digest] | sort | join(" ")' <<<"$output")" = "$before" ]
  [ "$(remote_digest "$REG/chain2:1")" = "$digest" ]

  STORE=$WORK/store3
  run sp pull -q --referrers --signature-policy "$WORK/policy-chain2.json" "$REG/chain2:1"
  expect_success
  s artifact extract "$sbom" "$WORK/got"
  cmp "$WORK/sbom.json" "$WORK/got"

  # the policy does require the signature: the same image without its referrers is refused
  skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$REG/src:1" \
    "docker://$REG/chain3:1" >/dev/null
  keyless_policy chain3 "$WORK/policy-chain3.json"
  run sp pull -q --signature-policy "$WORK/policy-chain3.json" "$REG/chain3:1"
  expect_failure 125 "A signature was required, but no signature exists"
}

@test "save --referrers to a docker-archive: 125, nothing written, store unchanged" {
  need_all
  run sp pull -q "$REG/src:1"
  expect_success
  BEFORE=$(store_state)
  run s save --referrers -o "$WORK/d.tar" "$REG/src:1"
  expect_failure 125 "--referrers: a docker-archive cannot hold referrers"
  [ ! -e "$WORK/d.tar" ]
  unchanged
}
