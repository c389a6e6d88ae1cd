#!/usr/bin/env bats
# Sigstore signatures: keys from generate-sigstore-key, signatures attached by push
# --sign-by-sigstore-private-key, and sigstoreSigned requirements checked on pull before any
# layer is fetched. Debian's skopeo and podman have sigstore disabled, so sigstore_oracle.py (an
# independent implementation on PyNaCl and python3-cryptography) stands in for them; skopeo
# still shows that it reads the attachments schicht writes.

load helpers
load registry
load sigstore_registry

SIGSTORE_SEED=7

ORACLE=$BATS_TEST_DIRNAME/sigstore_oracle.py

oracle() {
  /usr/bin/python3 "$ORACLE" "$@"
}

# A key pair made here: $WORK/k.private, $WORK/k.pub, passphrase in $WORK/pass.
make_key() {
  printf 'correct horse\n' >"$WORK/pass"
  s generate-sigstore-key --output-prefix "$WORK/k" --passphrase-file "$WORK/pass" >/dev/null
}

# policy_for REPO KEY [SIGNED_IDENTITY_JSON]: sigstoreSigned for $REG/REPO, anything else goes.
policy_for() {
  local identity=""
  [ -n "${3:-}" ] && identity=",\"signedIdentity\":$3"
  cat >"$WORK/policy.json" <<EOF
{"default":[{"type":"insecureAcceptAnything"}],
 "transports":{"docker":{"$REG/$1":[{"type":"sigstoreSigned","keyPath":"$2"$identity}]}}}
EOF
}

# image copy with sigstore attachments as enable_attachments sets them, any image accepted.
sc() {
  printf '%s\n' '{"default":[{"type":"insecureAcceptAnything"}]}' >"$WORK/accept.json"
  s --registries.d "$WORK/registries.d" image copy -q --signature-policy "$WORK/accept.json" \
    --src-tls-verify=false --dest-tls-verify=false "$@"
}

# Copies the test image to $REG/REPO:1 unsigned and prints its manifest digest.
unsigned_copy() {
  skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$REG/src:1" \
    "docker://$REG/$1:1" >/dev/null
  remote_digest "$REG/$1:1"
}

@test "generate-sigstore-key: cosign's encrypted format, readable by another implementation" {
  need_all
  make_key
  [ "$(stat -c %a "$WORK/k.private")" = 600 ]
  [ "$(stat -c %a "$WORK/k.pub")" = 644 ]
  head -1 "$WORK/k.private" | grep -qx -- '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----'
  head -1 "$WORK/k.pub" | grep -qx -- '-----BEGIN PUBLIC KEY-----'
  run oracle check-key "$WORK/k.private" "$WORK/pass" "$WORK/k.pub"
  expect_success
  # skopeo's rules: never overwrite, and without a file the passphrase needs a terminal.
  run s generate-sigstore-key --output-prefix "$WORK/k" --passphrase-file "$WORK/pass"
  expect_failure 125 "refusing to overwrite existing \"$WORK/k.pub\""
  run s generate-sigstore-key --output-prefix "$WORK/new" </dev/null
  expect_failure 125 "standard input is not a TTY; use --passphrase-file"
  [ ! -e "$WORK/new.private" ] && [ ! -e "$WORK/new.pub" ]
  run s generate-sigstore-key
  expect_failure 125 "--output-prefix must be specified"
  : >"$WORK/empty"
  run s generate-sigstore-key --output-prefix "$WORK/e" --passphrase-file "$WORK/empty"
  expect_failure 125 "empty passphrase"
}

@test "push --sign-by-sigstore-private-key: the signature verifies in the oracle and in pull" {
  need_all
  make_key
  run sp pull -q "$REG/src:1"
  expect_success
  run sp push --sign-by-sigstore-private-key "$WORK/k.private" \
    --sign-passphrase-file "$WORK/pass" "$REG/src:1" "$REG/signed:1"
  expect_success
  [[ "$output" == *"Signing manifest using a sigstore signature"* ]]
  local digest
  digest=$(remote_digest "$REG/signed:1")
  run oracle verify "$WORK/k.pub" "$REG" signed "$digest" "$REG/signed:1"
  expect_success
  [[ "$output" == *"verified 1 signature(s)"* ]]

  # A second push signs again: the attachment keeps both signatures.
  run sp push --sign-by-sigstore-private-key "$WORK/k.private" \
    --sign-passphrase-file "$WORK/pass" "$REG/src:1" "$REG/signed:1"
  expect_success
  run oracle verify "$WORK/k.pub" "$REG" signed "$digest" "$REG/signed:1"
  [[ "$output" == *"verified 2 signature(s)"* ]]

  STORE=$WORK/store2
  policy_for signed "$WORK/k.pub"
  run sp pull --signature-policy "$WORK/policy.json" "$REG/signed:1"
  expect_success
  run s images --format '{{.Repository}}:{{.Tag}}'
  [[ "$output" == *"$REG/signed:1"* ]]
  # By digest, the default matchRepoDigestOrExact needs only the repository to match; keyPaths
  # trusts each of its keys.
  STORE=$WORK/store3
  printf 'pw\n' >"$WORK/pass2"
  oracle genkey "$WORK/other" "$WORK/pass2"
  cat >"$WORK/policy.json" <<EOF
{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker":{"$REG/signed":[
 {"type":"sigstoreSigned","keyPaths":["$WORK/other.pub","$WORK/k.pub"]}]}}}
EOF
  run sp pull -q --signature-policy "$WORK/policy.json" "$REG/signed@$digest"
  expect_success

  # skopeo 1.9 knows keyPath only.
  policy_for signed "$WORK/k.pub"
  # skopeo finds and fetches the attachment schicht wrote (Debian's build then refuses to
  # verify it; a build with sigstore enabled must accept it).
  enable_attachments
  run skopeo --debug --policy "$WORK/policy.json" --registries.d "$WORK/registries.d" copy \
    --src-tls-verify=false "docker://$REG/signed:1" "oci:$WORK/oci:x"
  if [[ "$output" == *"sigstore disabled"* ]]; then
    [[ "$output" == *"Found a sigstore attachment manifest with 2 layers"* ]]
    [[ "$output" == *"Fetching sigstore attachment 2/2"* ]]
  else
    expect_success
  fi
}

@test "a signature made by another implementation (either PEM type) verifies in pull" {
  need_all
  printf 'pw\n' >"$WORK/pass"
  oracle genkey "$WORK/o" "$WORK/pass"
  oracle genkey "$WORK/c" "$WORK/pass" "ENCRYPTED COSIGN PRIVATE KEY"
  local digest
  digest=$(unsigned_copy theirs)
  oracle sign "$WORK/o.private" "$WORK/pass" "$REG" theirs "$digest" "$REG/theirs:1"
  policy_for theirs "$WORK/o.pub"
  run sp pull -q --signature-policy "$WORK/policy.json" "$REG/theirs:1"
  expect_success
  # Keys from either format sign pushes here, and the oracle verifies those.
  for key in o c; do
    run sp push --sign-by-sigstore-private-key "$WORK/$key.private" \
      --sign-passphrase-file "$WORK/pass" "$REG/theirs:1" "$REG/mine-$key:1"
    expect_success
    run oracle verify "$WORK/$key.pub" "$REG" "mine-$key" "$digest" "$REG/mine-$key:1"
    expect_success
  done
}

@test "skopeo and podman sign with a key generated here (when their build has sigstore)" {
  need_all
  make_key
  run skopeo copy --src-tls-verify=false --dest-tls-verify=false \
    --sign-by-sigstore-private-key "$WORK/k.private" --sign-passphrase-file "$WORK/pass" \
    "docker://$REG/src:1" "docker://$REG/by-skopeo:1"
  if [[ "$output" == *"sigstore disabled"* ]]; then
    skip "this skopeo is built without sigstore (Debian-local change)"
  fi
  expect_success
  policy_for by-skopeo "$WORK/k.pub"
  run sp pull -q --signature-policy "$WORK/policy.json" "$REG/by-skopeo:1"
  expect_success
}

@test "unsigned, wrong key, another digest, another identity, tampered: distinct failures" {
  need_all
  make_key
  local digest other
  digest=$(unsigned_copy victim)
  other="sha256:$(printf 'another image' | sha256sum | cut -d' ' -f1)"
  policy_for victim "$WORK/k.pub"
  BEFORE=$(store_state)

  run sp pull --signature-policy "$WORK/policy.json" "$REG/victim:1"
  expect_failure 125 "A signature was required, but no signature exists" \
    "docker scope \"$REG/victim\" requires sigstoreSigned"
  unchanged

  printf 'pw\n' >"$WORK/pass2"
  oracle genkey "$WORK/stranger" "$WORK/pass2"
  oracle sign "$WORK/stranger.private" "$WORK/pass2" "$REG" victim "$digest" "$REG/victim:1"
  run sp pull --signature-policy "$WORK/policy.json" "$REG/victim:1"
  expect_failure 125 "not signed by a trusted key"
  unchanged

  oracle sign "$WORK/k.private" "$WORK/pass" "$REG" victim "$digest" "$REG/victim:1" "$other"
  run sp pull --signature-policy "$WORK/policy.json" "$REG/victim:1"
  expect_failure 125 "signature for another digest: it signs manifest $other"
  unchanged

  # cosign-style: the repository without a tag. The default matchRepoDigestOrExact refuses it;
  # matchRepository accepts it.
  oracle sign "$WORK/k.private" "$WORK/pass" "$REG" victim "$digest" "$REG/victim"
  run sp pull --signature-policy "$WORK/policy.json" "$REG/victim:1"
  expect_failure 125 "signature for another identity: it is for \"$REG/victim\""
  unchanged
  policy_for victim "$WORK/k.pub" '{"type":"matchRepository"}'
  run sp pull -q --signature-policy "$WORK/policy.json" "$REG/victim:1"
  expect_success

  # The payload blob altered in the registry's storage.
  run s rmi -a -f
  local payload
  payload=$(skopeo inspect --raw --tls-verify=false "docker://$REG/victim:${digest/:/-}.sig" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["layers"][0]["digest"])')
  local file
  file=$(registry_blob_file "$REG_DIR" "$payload")
  sed -i 's/victim/victin/' "$file"
  run sp pull --signature-policy "$WORK/policy.json" "$REG/victim:1"
  expect_failure 125 "invalid signature: the sigstore payload $payload in the registry was" \
    "tampered with"
  unchanged
}

@test "push: a wrong or missing passphrase fails before anything is pushed" {
  need_all
  make_key
  run sp pull -q "$REG/src:1"
  expect_success
  printf 'wrong\n' >"$WORK/wrong"
  run sp push --sign-by-sigstore-private-key "$WORK/k.private" --sign-passphrase-file \
    "$WORK/wrong" "$REG/src:1" "$REG/never:1"
  expect_failure 125 "decrypting sigstore private key $WORK/k.private: wrong passphrase"
  run sp push --sign-by-sigstore-private-key "$WORK/k.private" "$REG/src:1" "$REG/never:1" \
    </dev/null
  expect_failure 125 "standard input is not a TTY; use --sign-passphrase-file"
  run sp push --sign-by-sigstore-private-key "$WORK/k.pub" --sign-passphrase-file \
    "$WORK/pass" "$REG/src:1" "$REG/never:1"
  expect_failure 125 "unsupported PEM type \"PUBLIC KEY\""
  run sp push --sign-by-sigstore-private-key "$WORK/k.private" --sign-passphrase-file \
    "$WORK/pass" "$REG/src:1" "oci:$WORK/layout"
  expect_failure 125 "sigstore signatures are attached in a registry; oci destinations cannot"
  [ ! -e "$WORK/layout" ]
  run skopeo list-tags --tls-verify=false "docker://$REG/never"
  [ "$status" -ne 0 ]
}

@test "manifest push signs every instance and the list; pulls of either platform verify" {
  need_all
  make_key
  fixture --out "$WORK/multi.tar" --format oci-archive --platforms linux/amd64,linux/arm64 --seed 9
  skopeo copy -q --all --dest-tls-verify=false "oci-archive:$WORK/multi.tar" \
    "docker://$REG/multi:1" >/dev/null
  sp pull -q --arch amd64 "$REG/multi:1" >/dev/null
  run s --registries.d "$WORK/registries.d" manifest push -q --tls-verify=false \
    --sign-by-sigstore-private-key "$WORK/k.private" \
    --sign-passphrase-file "$WORK/pass" "$REG/multi:1" "docker://$REG/msigned:1"
  expect_success
  local list
  list=$(remote_digest "$REG/msigned:1")
  run oracle verify "$WORK/k.pub" "$REG" msigned "$list" "$REG/msigned:1"
  expect_success
  policy_for msigned "$WORK/k.pub"
  STORE=$WORK/store2
  for arch in amd64 arm64; do
    run sp pull -q --arch "$arch" --signature-policy "$WORK/policy.json" "$REG/msigned:1"
    expect_success
  done
  run s images --format '{{.Repository}}:{{.Tag}}'
  [[ "$output" == *"$REG/msigned:1"* ]]
}

@test "without use-sigstore-attachments nothing is signed, and a signed image reads as unsigned" {
  need_all
  make_key
  mkdir -p "$WORK/off.d"
  sp pull -q "$REG/src:1" >/dev/null
  run s --registries.d "$WORK/off.d" push --tls-verify=false --retry 0 \
    --sign-by-sigstore-private-key "$WORK/k.private" --sign-passphrase-file "$WORK/pass" \
    "$REG/src:1" "docker://$REG/off:1"
  expect_failure 125 "writing sigstore attachments to $REG/off is disabled by configuration"
  run skopeo inspect --raw --tls-verify=false "docker://$REG/off:1"
  [ "$status" -ne 0 ]
  policy_for signedoff "$WORK/k.pub"
  sp push -q --sign-by-sigstore-private-key "$WORK/k.private" --sign-passphrase-file "$WORK/pass" \
    "$REG/src:1" "docker://$REG/signedoff:1"
  BEFORE=$(store_state)
  run s --registries.d "$WORK/off.d" --policy "$WORK/policy.json" pull --tls-verify=false \
    --retry 0 "$REG/signedoff:1"
  expect_failure 125 "does not set use-sigstore-attachments"
  unchanged
  run sp --policy "$WORK/policy.json" pull -q "$REG/signedoff:1"
  expect_success
}

@test "dir: holds sigstore signatures as skopeo does, byte for byte both ways; they still verify" {
  need_all
  make_key
  enable_attachments
  run sp pull -q "$REG/src:1"
  expect_success
  run sp push -q --sign-by-sigstore-private-key "$WORK/k.private" \
    --sign-passphrase-file "$WORK/pass" "$REG/src:1" "$REG/indir:1"
  expect_success
  local digest
  digest=$(remote_digest "$REG/indir:1")
  # Registry -> dir: here and with skopeo: the same signature file.
  run sc "docker://$REG/indir:1" "dir:$WORK/ours"
  expect_success
  skopeo --registries.d "$WORK/registries.d" copy -q --src-tls-verify=false \
    "docker://$REG/indir:1" "dir:$WORK/theirs"
  [ "$(head -c 15 "$WORK/ours/signature-1" | tr '\0' '@')" = "@sigstore-json" ]
  cmp "$WORK/ours/signature-1" "$WORK/theirs/signature-1"
  [ ! -e "$WORK/ours/signature-2" ]
  # skopeo reads ours and writes it back unchanged.
  skopeo copy -q "dir:$WORK/ours" "dir:$WORK/through-skopeo"
  cmp "$WORK/ours/signature-1" "$WORK/through-skopeo/signature-1"
  # dir: -> registry, from our layout and from skopeo's: the attachment verifies in pull.
  run sc "dir:$WORK/theirs" "docker://$REG/fromdir:1"
  expect_success
  [ "$(remote_digest "$REG/fromdir:1")" = "$digest" ]
  run oracle verify "$WORK/k.pub" "$REG" fromdir "$digest" "$REG/indir:1"
  expect_success
  policy_for fromdir "$WORK/k.pub" "{\"type\":\"exactReference\",\"dockerReference\":\"$REG/indir:1\"}"
  STORE=$WORK/store2
  run sp pull -q --signature-policy "$WORK/policy.json" "$REG/fromdir:1"
  expect_success
  # Into an oci: layout they cannot go: refused unless removed.
  run sc "dir:$WORK/ours" "oci:$WORK/oci:x"
  expect_failure 125 "has 1 signature(s), which oci:$WORK/oci:x cannot store"
  [ ! -e "$WORK/oci" ]
}

@test "copy --all --format of a signed list, or of a list with a signed instance: refused unless --remove-signatures" {
  need_all
  make_key
  enable_attachments
  fixture --out "$WORK/multi.tar" --format oci-archive --platforms linux/amd64,linux/arm64 --seed 11
  skopeo copy -q --all --dest-tls-verify=false "oci-archive:$WORK/multi.tar" \
    "docker://$REG/lsigned:1" >/dev/null
  skopeo copy -q --all --dest-tls-verify=false "oci-archive:$WORK/multi.tar" \
    "docker://$REG/isigned:1" >/dev/null
  # The list signed (skopeo refuses this with the same words).
  run sc --all --sign-by-sigstore-private-key "$WORK/k.private" \
    --sign-passphrase-file "$WORK/pass" "docker://$REG/lsigned:1" "docker://$REG/lsigned:1"
  expect_success
  run sc --all --format v2s2 "docker://$REG/lsigned:1" "docker://$REG/lconv:1"
  expect_failure 125 "Manifest list must be converted to type \"application/vnd.docker.distribution.manifest.list.v2+json\" to be written to destination, but we cannot modify it: \"Would invalidate signatures\""
  run skopeo inspect --raw --tls-verify=false "docker://$REG/lconv:1"
  [ "$status" -ne 0 ]
  # Copied as it is, its signature goes along; left behind, the conversion goes ahead.
  run sc --all "docker://$REG/lsigned:1" "docker://$REG/lkept:1"
  expect_success
  run sc --all --format v2s2 --remove-signatures "docker://$REG/lsigned:1" "docker://$REG/lconv:1"
  expect_success
  [[ "$(skopeo inspect --raw --tls-verify=false "docker://$REG/lconv:1")" == *"manifest.list.v2+json"* ]]
  # One instance signed, the list not.
  local instance
  instance=$(skopeo inspect --raw --tls-verify=false "docker://$REG/isigned:1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["manifests"][1]["digest"])')
  run sc --sign-by-sigstore-private-key "$WORK/k.private" --sign-passphrase-file "$WORK/pass" \
    "docker://$REG/isigned@$instance" "docker://$REG/isigned:one"
  expect_success
  run sc --all --format v2s2 "docker://$REG/isigned:1" "docker://$REG/iconv:1"
  expect_failure 125 "copying image $instance of docker://$REG/isigned:1: it has 1 signature(s), and converting it would invalidate them (\"Would invalidate signatures\")"
  run skopeo inspect --raw --tls-verify=false "docker://$REG/iconv:1"
  [ "$status" -ne 0 ]
  run sc --all --format v2s2 --remove-signatures "docker://$REG/isigned:1" "docker://$REG/iconv:1"
  expect_success
}
