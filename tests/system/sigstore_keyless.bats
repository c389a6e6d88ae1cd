#!/usr/bin/env bats
# Keyless sigstore signatures under sigstoreSigned with fulcio + rekorPublicKeyPath: cosign-style
# `.sig` attachments carrying a Fulcio certificate and a Rekor bundle annotation, and Sigstore
# bundles (v0.3) attached as referrers. cosign is not packaged, so sigstore_keyless.py (python3-
# cryptography) makes a CA, a log key and the signatures; every tampered part fails the pull
# with exit 125, saying which, and leaves the store unchanged.

load helpers
load registry
load sigstore_registry

SIGSTORE_SEED=11

# Copies the test image to $REG/REPO:1 unsigned and prints its manifest digest.
unsigned_copy() {
  skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$REG/src:1" \
    "docker://$REG/$1:1" >/dev/null
  remote_digest "$REG/$1:1"
}

@test "keyless .sig attachment: accepted with fulcio and rekor; trust explain shows the policy" {
  need_all
  local digest
  digest=$(unsigned_copy kl-sig)
  keyless_policy kl-sig
  keyless sign-sig "$WORK/ca" "$REG" kl-sig "$digest" "$REG/kl-sig:1"
  run sp pull -q --signature-policy "$WORK/policy.json" "$REG/kl-sig:1"
  expect_success
  run s images --format '{{.Repository}}:{{.Tag}}'
  [[ "$output" == *"$REG/kl-sig:1"* ]]
  enable_attachments
  run s --registries.d "$WORK/registries.d" image trust explain --tls-verify=false \
    --signature-policy "$WORK/policy.json" "$REG/kl-sig:1"
  expect_success
  [[ "$output" == *"sigstoreSigned (fulcio CA $WORK/ca/ca.pem, issuer https://issuer.example.com, email signer@example.com; rekor key $WORK/ca/rekor.pub)"* ]]
  [[ "$output" == *"accepted by sigstoreSigned"* ]]
}

@test "keyless .sig attachment: each tampered part is rejected, saying which" {
  need_all
  local field digest
  BEFORE=$(store_state)
  for field in payload certificate identity issuer timestamp; do
    digest=$(unsigned_copy "kl-$field")
    keyless_policy "kl-$field"
    keyless sign-sig "$WORK/ca" "$REG" "kl-$field" "$digest" "$REG/kl-$field:1" "$field"
    run sp pull --signature-policy "$WORK/policy.json" "$REG/kl-$field:1"
    expect_failure 125 "invalid signature ($field)"
    unchanged
  done
  digest=$(unsigned_copy kl-none)
  keyless_policy kl-none
  run sp pull --signature-policy "$WORK/policy.json" "$REG/kl-none:1"
  expect_failure 125 "A signature was required, but no signature exists"
  unchanged
}

@test "Sigstore bundles as referrers: messageSignature and DSSE accepted, tampered rejected" {
  need_all
  local kind field digest
  for kind in message dsse; do
    digest=$(unsigned_copy "bundle-$kind")
    keyless_policy "bundle-$kind"
    keyless attach-bundle "$WORK/ca" "$REG" "bundle-$kind" "$digest" "$kind"
    run sp pull -q --signature-policy "$WORK/policy.json" "$REG/bundle-$kind:1"
    expect_success
  done
  run s rmi -a -f
  BEFORE=$(store_state)
  for field in payload certificate identity issuer timestamp; do
    for kind in message dsse; do
      digest=$(unsigned_copy "bt-$kind-$field")
      keyless_policy "bt-$kind-$field"
      keyless attach-bundle "$WORK/ca" "$REG" "bt-$kind-$field" "$digest" "$kind" "$field"
      run sp pull --signature-policy "$WORK/policy.json" "$REG/bt-$kind-$field:1"
      expect_failure 125 "invalid signature ($field)"
      unchanged
    done
  done
}

@test "fulcio policy errors: a missing CA file or an empty issuer fail the pull clearly" {
  need_all
  local digest
  digest=$(unsigned_copy kl-badca)
  keyless_policy kl-badca
  keyless sign-sig "$WORK/ca" "$REG" kl-badca "$digest" "$REG/kl-badca:1"
  BEFORE=$(store_state)
  sed -i "s|$WORK/ca/ca.pem|$WORK/ca/missing.pem|" "$WORK/policy.json"
  run sp pull --signature-policy "$WORK/policy.json" "$REG/kl-badca:1"
  expect_failure 125 "reading the Fulcio CA" "missing.pem"
  unchanged
  keyless_policy kl-badca
  sed -i 's|"oidcIssuer":"https://issuer.example.com"|"oidcIssuer":""|' "$WORK/policy.json"
  run sp pull --signature-policy "$WORK/policy.json" "$REG/kl-badca:1"
  expect_failure 125 "fulcio.oidcIssuer: must not be empty"
  unchanged
}

# image trust explain against the test registry, with the policy of keyless_policy.
explain() {
  enable_attachments
  s --registries.d "$WORK/registries.d" image trust explain --tls-verify=false \
    --signature-policy "$WORK/policy.json" "$@"
}

@test "trust explain lists a keyless .sig, a Sigstore bundle and an SBOM referrer with verdicts" {
  need_all
  local digest
  digest=$(unsigned_copy ex-all)
  keyless_policy ex-all
  keyless sign-sig "$WORK/ca" "$REG" ex-all "$digest" "$REG/ex-all:1"
  keyless attach-bundle "$WORK/ca" "$REG" ex-all "$digest" message
  echo '{"spdxVersion":"SPDX-2.3"}' >"$WORK/sbom.json"
  run sp artifact attach -q --subject "docker://$REG/ex-all:1" --type application/spdx+json \
    "$WORK/sbom.json"
  expect_success
  local sbom=$output
  run explain "$REG/ex-all:1"
  expect_success
  local signer="keyless signer@example.com (issuer https://issuer.example.com)"
  [[ "$output" == *"manifest:     $digest"* ]]
  [[ "$output" == *"found:        sigstore by $signer at sigstore attachment sha256-${digest#sha256:}.sig layer sha256:"*": verified by sigstoreSigned"* ]]
  [[ "$output" == *"found:        sigstore-bundle by $signer at sigstore bundle sha256:"*": verified by sigstoreSigned"* ]]
  [[ "$output" == *"found:        referrer application/spdx+json at referrer $sbom: not judged: the policy does not check attestations"* ]]
  [ "$(grep -c '^found:' <<<"$output")" = 3 ]
  [[ "$output" == *"decision:     accepted"* ]]
  # Under a policy without sigstoreSigned the signatures are listed, not judged.
  echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$WORK/accept.json"
  run s --registries.d "$WORK/registries.d" image trust explain --tls-verify=false \
    --signature-policy "$WORK/accept.json" "$REG/ex-all:1"
  expect_success
  [[ "$output" == *"sigstore by $signer"*": not judged: no sigstoreSigned requirement applies to this image"* ]]
  [ "$(grep -c '^found:' <<<"$output")" = 3 ]
  # --policy-only does not list them.
  run explain --policy-only "$REG/ex-all:1"
  expect_success
  [[ "$output" != *"found:"* ]]
}

@test "trust explain says why a tampered signature fails, and that an unsigned image has none" {
  need_all
  local digest
  digest=$(unsigned_copy ex-bad)
  keyless_policy ex-bad
  keyless sign-sig "$WORK/ca" "$REG" ex-bad "$digest" "$REG/ex-bad:1" identity
  keyless attach-bundle "$WORK/ca" "$REG" ex-bad "$digest" dsse issuer
  run explain "$REG/ex-bad:1"
  expect_failure 1
  [[ "$output" == *"found:        sigstore by keyless mallory@example.com (issuer https://issuer.example.com) at "*": rejected by sigstoreSigned: invalid signature (identity)"* ]]
  [[ "$output" == *"found:        sigstore-bundle by keyless signer@example.com "*": rejected by sigstoreSigned: invalid signature (issuer)"* ]]
  [[ "$output" == *"decision:     rejected by sigstoreSigned"* ]]
  digest=$(unsigned_copy ex-none)
  keyless_policy ex-none
  run explain "$REG/ex-none:1"
  expect_failure 1
  [[ "$output" == *"found:        no signatures or attestations"* ]]
  [[ "$output" == *"unsigned"* ]]
}

@test "trust explain: an unknown image, an unreachable registry, an unknown local image fail with 125" {
  need_all
  keyless_policy ex-missing
  BEFORE=$(store_state)
  run explain "$REG/ex-missing:1"
  expect_failure 125 "ex-missing"
  run explain "127.0.0.1:1/a:1"
  expect_failure 125 "127.0.0.1:1"
  run explain containers-storage:nosuch
  expect_failure 125 "nosuch"
  run explain containers-storage:
  expect_failure 125 "containers-storage: needs an image name or ID"
  unchanged
}

@test "image copy carries a keyless .sig with its certificate, chain and bundle: it verifies there" {
  need_all
  local digest
  digest=$(unsigned_copy kl-from)
  keyless_policy kl-to
  # The payload names the destination: the copy must verify as $REG/kl-to.
  keyless sign-sig "$WORK/ca" "$REG" kl-from "$digest" "$REG/kl-to:1"
  echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$WORK/accept.json"
  enable_attachments
  run s --registries.d "$WORK/registries.d" image copy -q --signature-policy "$WORK/accept.json" \
    --src-tls-verify=false --dest-tls-verify=false "docker://$REG/kl-from:1" "docker://$REG/kl-to:1"
  expect_success
  local tag="sha256-${digest#sha256:}.sig"
  from=$(skopeo inspect --raw --tls-verify=false "docker://$REG/kl-from:$tag" | jq -S -c '.layers[0].annotations')
  to=$(skopeo inspect --raw --tls-verify=false "docker://$REG/kl-to:$tag" | jq -S -c '.layers[0].annotations')
  [ "$from" = "$to" ]
  [[ "$to" == *"dev.sigstore.cosign/certificate"*"dev.sigstore.cosign/chain"* ]]
  run sp pull -q --signature-policy "$WORK/policy.json" "$REG/kl-to:1"
  expect_success
}
