#!/usr/bin/env bats
# Keyless sigstore signatures under sigstoreSigned with fulcio + rekorPublicKeyPath: cosign-style
# `.sig` attachments carrying a Fulcio certificate and a Rekor bundle annotation, and Sigstore
# bundles (v0.3) attached as referrers. cosign is not packaged, so sigstore_keyless.py (python3-
# cryptography) makes a CA, a log key and the signatures; every tampered part fails the pull
# with exit 125, saying which, and leaves the store unchanged.

load helpers
load registry

KEYLESS=$BATS_TEST_DIRNAME/sigstore_keyless.py

setup_file() {
  if have_registry; then
    start_file_registry
    local tar=$BATS_FILE_TMPDIR/a.tar
    python3 "$FIXTURE" --out "$tar" --format oci-archive --layers 2 --seed 11
    skopeo copy -q --dest-tls-verify=false "oci-archive:$tar" "docker://$REG/src:1" >/dev/null
  fi
}

teardown_file() {
  stop_file_registry
}

need_all() {
  have_registry || skip "docker-registry is not installed"
  /usr/bin/python3 -c 'import nacl.secret, cryptography' 2>/dev/null ||
    skip "python3-nacl and python3-cryptography are not installed"
}

keyless() {
  /usr/bin/python3 "$KEYLESS" "$@"
}

# registries.d enabling attachments for the test registry (containers/image reads them only
# where enabled; schicht reads referrer bundles under the same setting).
registries_d() {
  if [ ! -e "$WORK/registries.d/sigstore.yaml" ]; then
    mkdir -p "$WORK/registries.d"
    printf 'docker:\n  %s:\n    use-sigstore-attachments: true\n' "$REG" \
      >"$WORK/registries.d/sigstore.yaml"
  fi
}
sp() {
  registries_d
  s --registries.d "$WORK/registries.d" "$@" --tls-verify=false --retry 0
}

# A CA and log in $WORK/ca, and a policy requiring a keyless signature for $REG/REPO.
keyless_policy() {
  [ -e "$WORK/ca/ca.pem" ] || keyless init "$WORK/ca"
  cat >"$WORK/policy.json" <<EOF
{"default":[{"type":"insecureAcceptAnything"}],
 "transports":{"docker":{"$REG/$1":[{"type":"sigstoreSigned",
   "fulcio":{"caPath":"$WORK/ca/ca.pem","oidcIssuer":"https://issuer.example.com",
             "subjectEmail":"signer@example.com"},
   "rekorPublicKeyPath":"$WORK/ca/rekor.pub","signedIdentity":{"type":"matchRepository"}}]}}}
EOF
}

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
  registries_d
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
