#!/usr/bin/env bats
# GPG simple signing with lookaside storage (registries.d): push --sign-by writes signatures,
# pull verifies them against signedBy before any layer is fetched, and each way a signature
# can be wrong is rejected with its own message, the store unchanged. Signatures made here
# verify in skopeo and podman, and theirs verify here.

load helpers
load registry

setup_file() {
  have_registry || return 0
  command -v gpg >/dev/null || return 0
  start_file_registry
  # A short home: gpg-agent's socket path has a length limit.
  GNUPGHOME=$(mktemp -d /tmp/sgpg.XXXXXX)
  export GNUPGHOME
  gpg --batch --passphrase '' --quick-gen-key "Trusted <trusted@example.com>" default default never 2>/dev/null
  gpg --batch --passphrase '' --quick-gen-key "Other <other@example.com>" default default never 2>/dev/null
  TRUSTED=$(gpg --with-colons --list-keys trusted@example.com | awk -F: '/^fpr/ {print $10; exit}')
  OTHER=$(gpg --with-colons --list-keys other@example.com | awk -F: '/^fpr/ {print $10; exit}')
  export TRUSTED OTHER
  export KEYS=$BATS_FILE_TMPDIR/keys
  mkdir -p "$KEYS"
  gpg --export trusted@example.com >"$KEYS/trusted.gpg"
  gpg --export --armor other@example.com >"$KEYS/other.asc"
  local tar=$BATS_FILE_TMPDIR/a.tar
  python3 "$FIXTURE" --out "$tar" --format oci-archive --layers 2 --seed 11
  skopeo copy -q --dest-tls-verify=false --digestfile "$BATS_FILE_TMPDIR/digest" \
    "oci-archive:$tar" "docker://$REG/unsigned:1" >/dev/null
  DIGEST=$(cat "$BATS_FILE_TMPDIR/digest")
  export DIGEST
}

teardown_file() {
  if [ -n "${GNUPGHOME:-}" ]; then
    gpgconf --kill gpg-agent 2>/dev/null || true
    rm -rf "$GNUPGHOME"
  fi
  stop_file_registry
}

setup() {
  make_work
  have_registry || skip "docker-registry is not installed"
  command -v gpg >/dev/null || skip "gpg is not installed"
  SIGS=$WORK/sigs
  mkdir -p "$WORK/registries.d" "$SIGS"
  printf 'docker:\n  %s:\n    lookaside: file://%s\n' "$REG" "$SIGS" >"$WORK/registries.d/test.yaml"
  # policy.json: signedBy the trusted key for the test registry, anything else accepted.
  signed_by "\"keyPath\":\"$KEYS/trusted.gpg\""
}

# signed_by KEY-SOURCE-JSON [SIGNED-IDENTITY-JSON]: writes $WORK/policy.json.
signed_by() {
  local identity=""
  [ -n "${2:-}" ] && identity=",\"signedIdentity\":$2"
  printf '{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker":{"%s":[{"type":"signedBy","keyType":"GPGKeys",%s%s}]}}}\n' \
    "$REG" "$1" "$identity" >"$WORK/policy.json"
}

sp() {
  s --registries.d "$WORK/registries.d" "$@" --tls-verify=false --retry 0
}

pull() {
  sp pull -q --signature-policy "$WORK/policy.json" "$@"
}

# payload REFERENCE DIGEST: the simple-signing JSON.
payload() {
  printf '{"critical":{"identity":{"docker-reference":"%s"},"image":{"docker-manifest-digest":"%s"},"type":"atomic container signature"},"optional":{"creator":"test"}}' "$1" "$2"
}

# place REPO N < SIGNATURE: stores signature-N of the fixture image in REPO's lookaside.
place() {
  mkdir -p "$SIGS/$1@sha256=${DIGEST#sha256:}"
  cat >"$SIGS/$1@sha256=${DIGEST#sha256:}/signature-$2"
}

# gpg_sign FPR: signs stdin as a binary, uncompressed signed message.
gpg_sign() {
  gpg --batch -q -u "$1" -z 0 --sign
}

@test "push --sign-by writes signature-1 to lookaside storage; pull verifies it" {
  run sp pull -q --signature-policy "$WORK/policy.json" "$REG/unsigned:1"
  [ "$status" -ne 0 ] # the unsigned test covers the message
  s --policy /dev/null --insecure-policy load -i "$BATS_FILE_TMPDIR/a.tar" >/dev/null 2>&1
  id=$(s images -q | head -1)
  run sp push --sign-by "$TRUSTED" "$id" "$REG/signed:1"
  expect_success
  [[ "$output" == *"Signing manifest using simple signing"* ]]
  [ -f "$SIGS/signed@sha256=${DIGEST#sha256:}/signature-1" ]
  # Signing again adds signature-2.
  sp push -q --sign-by "$TRUSTED" "$id" "$REG/signed:1"
  [ -f "$SIGS/signed@sha256=${DIGEST#sha256:}/signature-2" ]
  gpg --decrypt "$SIGS/signed@sha256=${DIGEST#sha256:}/signature-1" 2>/dev/null |
    python3 -c 'import json,sys; d=json.load(sys.stdin)["critical"]; print(d["identity"]["docker-reference"], d["image"]["docker-manifest-digest"], d["type"])' \
      >"$WORK/claims"
  [ "$(cat "$WORK/claims")" = "$REG/signed:1 $DIGEST atomic container signature" ]

  STORE=$WORK/store2
  run pull "$REG/signed:1"
  expect_success
  [ "$(s images -q --no-trunc | head -1)" = "sha256:$id" ] || [ "$(s images -q | head -1)" = "$id" ]
  # keyData and an armoured keyring with both keys verify too.
  signed_by "\"keyData\":\"$(base64 -w0 "$KEYS/trusted.gpg")\""
  run pull "$REG/signed:1"
  expect_success
  cat "$KEYS/trusted.gpg" >"$WORK/both.gpg"
  gpg --dearmor <"$KEYS/other.asc" >>"$WORK/both.gpg"
  signed_by "\"keyPaths\":[\"$KEYS/other.asc\",\"$WORK/both.gpg\"]"
  run pull "$REG/signed:1"
  expect_success
  # Verification's temporary GnuPG homes leave no gpg-agent behind.
  ! pgrep -f "gpg-agent --homedir .*schicht-gpg"
}

@test "pull: an unsigned image is rejected as unsigned, store unchanged" {
  BEFORE=$(store_state)
  run pull "$REG/unsigned:1"
  expect_failure 125 "A signature was required, but no signature exists" \
    "image docker://$REG/unsigned:1 is unsigned" "docker scope \"$REG\" requires signedBy"
  unchanged
}

@test "pull: a signature by another key is rejected as the wrong key" {
  payload "$REG/unsigned:1" "$DIGEST" | gpg_sign "$OTHER" | place unsigned 1
  BEFORE=$(store_state)
  run pull "$REG/unsigned:1"
  expect_failure 125 "signed by the wrong key" "$OTHER" "$KEYS/trusted.gpg"
  unchanged
  # The same signature passes once that key is trusted.
  signed_by "\"keyPath\":\"$KEYS/other.asc\""
  run pull "$REG/unsigned:1"
  expect_success
}

@test "pull: a signature for another manifest digest is rejected" {
  payload "$REG/unsigned:1" "sha256:$(printf other | sha256sum | cut -d' ' -f1)" |
    gpg_sign "$TRUSTED" | place unsigned 1
  BEFORE=$(store_state)
  run pull "$REG/unsigned:1"
  expect_failure 125 "signature for another digest" "$DIGEST"
  unchanged
}

@test "pull: a signature for another identity is rejected; signedIdentity decides" {
  payload "$REG/other:1" "$DIGEST" | gpg_sign "$TRUSTED" | place unsigned 1
  BEFORE=$(store_state)
  run pull "$REG/unsigned:1"
  expect_failure 125 "signature for another identity" "\"$REG/other:1\"" "matchRepoDigestOrExact"
  unchanged
  signed_by "\"keyPath\":\"$KEYS/trusted.gpg\"" '{"type":"matchRepository"}'
  run pull "$REG/unsigned:1"
  expect_failure 125 "signature for another identity" "matchRepository"
  signed_by "\"keyPath\":\"$KEYS/trusted.gpg\"" "{\"type\":\"exactRepository\",\"dockerRepository\":\"$REG/other\"}"
  run pull "$REG/unsigned:1"
  expect_success
  signed_by "\"keyPath\":\"$KEYS/trusted.gpg\"" "{\"type\":\"remapIdentity\",\"prefix\":\"$REG/unsigned\",\"signedPrefix\":\"$REG/other\"}"
  run pull "$REG/unsigned:1"
  expect_success
}

@test "pull: a tampered payload or a corrupt signature is rejected as invalid" {
  payload "$REG/unsigned:1" "$DIGEST" | gpg_sign "$TRUSTED" >"$WORK/good"
  # The literal data is stored uncompressed (-z 0): change one byte of the payload.
  python3 -c 'import sys; b=open(sys.argv[1],"rb").read(); open(sys.argv[2],"wb").write(b.replace(b"\"creator\":\"test\"", b"\"creator\":\"tesT\""))' \
    "$WORK/good" "$WORK/tampered"
  ! cmp -s "$WORK/good" "$WORK/tampered"
  place unsigned 1 <"$WORK/tampered"
  BEFORE=$(store_state)
  run pull "$REG/unsigned:1"
  expect_failure 125 "invalid signature" "payload was altered"
  unchanged
  echo "not a signature" | place unsigned 1
  run pull "$REG/unsigned:1"
  expect_failure 125 "invalid signature: not a valid OpenPGP signed message"
  unchanged
}

@test "pull: a bad signature beside a good one does not matter; http:// lookaside is read" {
  echo "garbage" | place unsigned 1
  payload "$REG/unsigned:1" "$DIGEST" | gpg_sign "$TRUSTED" | place unsigned 2
  port=$(free_port)
  python3 -m http.server --bind 127.0.0.1 --directory "$SIGS" "$port" >"$WORK/http.log" 2>&1 3>&- &
  echo $! >"$WORK/http.pid"
  for _ in $(seq 50); do
    [ "$(http_status "http://127.0.0.1:$port/")" = 200 ] && break
    sleep 0.1
  done
  printf 'docker:\n  %s:\n    lookaside: http://127.0.0.1:%s\n' "$REG" "$port" \
    >"$WORK/registries.d/test.yaml"
  run pull "$REG/unsigned:1"
  kill "$(cat "$WORK/http.pid")"
  expect_success
  grep -q "GET /unsigned@sha256=${DIGEST#sha256:}/signature-3 HTTP/1.[01]\" 404" "$WORK/http.log"
}

@test "pull: a missing key file or a broken registries.d fails closed" {
  payload "$REG/unsigned:1" "$DIGEST" | gpg_sign "$TRUSTED" | place unsigned 1
  signed_by "\"keyPath\":\"$WORK/missing.gpg\""
  BEFORE=$(store_state)
  run pull "$REG/unsigned:1"
  expect_failure 125 "$WORK/missing.gpg"
  unchanged
  signed_by "\"keyPath\":\"$KEYS/trusted.gpg\""
  printf 'docker:\n  %s:\n    lookasid: file:///x\n' "$REG" >"$WORK/registries.d/test.yaml"
  run pull "$REG/unsigned:1"
  expect_failure 125 "$WORK/registries.d/test.yaml" 'unknown key "lookasid"'
  unchanged
}

@test "push --sign-by: an unknown key or a non-file staging URL fails before pushing" {
  s --insecure-policy load -i "$BATS_FILE_TMPDIR/a.tar" >/dev/null 2>&1
  id=$(s images -q | head -1)
  run sp push --sign-by 0000000000000000000000000000000000000000 "$id" "$REG/nokey:1"
  expect_failure 125 "no such secret key"
  run skopeo inspect --tls-verify=false "docker://$REG/nokey:1"
  [ "$status" -ne 0 ]
  run sp push --sign-by "$TRUSTED" "$id" "oci-archive:$WORK/a.tar"
  expect_failure 125 "--sign-by is only supported for pushes to a registry"
  [ ! -e "$WORK/a.tar" ]
  printf 'docker:\n  %s:\n    lookaside-staging: https://sigs.example.com\n' "$REG" \
    >"$WORK/registries.d/test.yaml"
  run sp push --sign-by "$TRUSTED" "$id" "$REG/nostaging:1"
  expect_failure 125 "lookaside-staging must be a file:// URL"
  run skopeo inspect --tls-verify=false "docker://$REG/nostaging:1"
  [ "$status" -ne 0 ]
}

@test "image trust explain: reports each signature checked" {
  payload "$REG/unsigned:1" "$DIGEST" | gpg_sign "$OTHER" | place unsigned 1
  payload "$REG/unsigned:1" "$DIGEST" | gpg_sign "$TRUSTED" | place unsigned 2
  run s --registries.d "$WORK/registries.d" image trust explain --tls-verify=false \
    --signature-policy "$WORK/policy.json" "$REG/unsigned:1"
  expect_success
  [[ "$output" == *"signature:    file://$SIGS/unsigned@sha256=${DIGEST#sha256:}/signature-1: signed by the wrong key"* ]]
  [[ "$output" == *"signature-2: accepted by signedBy"* ]]
  [[ "$output" == *"decision:     accepted"* ]]
  rm "$SIGS/unsigned@sha256=${DIGEST#sha256:}/signature-2"
  run s --registries.d "$WORK/registries.d" image trust explain --tls-verify=false \
    --signature-policy "$WORK/policy.json" "$REG/unsigned:1"
  expect_failure 1 "decision:     rejected by signedBy" "wrong key"
}

@test "interop: schicht's signatures verify in skopeo and podman" {
  s --insecure-policy load -i "$BATS_FILE_TMPDIR/a.tar" >/dev/null 2>&1
  id=$(s images -q | head -1)
  sp push -q --sign-by "$TRUSTED" "$id" "$REG/ours:1"
  skopeo --registries.d "$WORK/registries.d" --policy "$WORK/policy.json" copy -q \
    --src-tls-verify=false "docker://$REG/ours:1" "dir:$WORK/copy"
  # With the wrong key trusted, skopeo refuses it as well.
  signed_by "\"keyPath\":\"$KEYS/other.asc\""
  run skopeo --registries.d "$WORK/registries.d" --policy "$WORK/policy.json" copy -q \
    --src-tls-verify=false "docker://$REG/ours:1" "dir:$WORK/copy2"
  [ "$status" -ne 0 ]
  signed_by "\"keyPath\":\"$KEYS/trusted.gpg\""
  have_podman || skip "podman is not installed"
  # podman reads registries.d from $HOME/.config/containers.
  mkdir -p "$WORK/home/.config/containers"
  cp -r "$WORK/registries.d" "$WORK/home/.config/containers/registries.d"
  HOME=$WORK/home p pull -q --tls-verify=false --signature-policy "$WORK/policy.json" "$REG/ours:1"
}

@test "interop: skopeo's and podman's signatures verify in schicht" {
  skopeo --registries.d "$WORK/registries.d" --insecure-policy copy -q --src-tls-verify=false \
    --dest-tls-verify=false --remove-signatures --sign-by "$TRUSTED" \
    "docker://$REG/unsigned:1" "docker://$REG/skopeo:1"
  [ -f "$SIGS/skopeo@sha256=${DIGEST#sha256:}/signature-1" ]
  run pull "$REG/skopeo:1"
  expect_success
  # Without the registries.d entry the default lookaside has no signature: unsigned.
  run s --registries.d "$WORK/empty" pull -q --tls-verify=false \
    --signature-policy "$WORK/policy.json" "$REG/skopeo:1"
  expect_failure 125 "unsigned"
  have_podman || skip "podman is not installed"
  mkdir -p "$WORK/home/.config/containers"
  cp -r "$WORK/registries.d" "$WORK/home/.config/containers/registries.d"
  HOME=$WORK/home p pull -q --tls-verify=false --signature-policy "$WORK/policy.json" \
    "$REG/skopeo:1" >/dev/null
  HOME=$WORK/home p push -q --tls-verify=false --remove-signatures --sign-by "$OTHER" \
    --digestfile "$WORK/pushed" "$REG/skopeo:1" "$REG/podman:1"
  pushed=$(cat "$WORK/pushed")
  [ -f "$SIGS/podman@sha256=${pushed#sha256:}/signature-1" ]
  signed_by "\"keyPath\":\"$KEYS/other.asc\""
  STORE=$WORK/store2
  run pull "$REG/podman:1"
  expect_success
}

@test "image sign: signs an image in the registry where podman's image sign does" {
  printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REG" >"$WORK/registries.conf"
  export CONTAINERS_REGISTRIES_CONF=$WORK/registries.conf
  mkdir -p "$WORK/ours" "$WORK/theirs"
  s image sign --sign-by trusted@example.com --directory "$WORK/ours" "docker://$REG/unsigned:1"
  sig="unsigned@sha256=${DIGEST#sha256:}/signature-1"
  [ -f "$WORK/ours/$sig" ]
  # The same path podman writes, and the signature verifies on pull from there.
  if have_podman; then
    p image sign --sign-by trusted@example.com --directory "$WORK/theirs" "docker://$REG/unsigned:1"
    [ -f "$WORK/theirs/$sig" ]
  fi
  cp "$WORK/ours/$sig" "$SIGS/unsigned@sha256=${DIGEST#sha256:}/" 2>/dev/null ||
    { mkdir -p "$SIGS/unsigned@sha256=${DIGEST#sha256:}" && cp "$WORK/ours/$sig" "$SIGS/$sig"; }
  run pull "$REG/unsigned:1"
  expect_success
  # Without --directory it goes to the lookaside staging storage of registries.d.
  printf 'docker:\n  %s:\n    lookaside: file://%s\n    lookaside-staging: file://%s/staging\n' \
    "$REG" "$SIGS" "$WORK" >"$WORK/registries.d/test.yaml"
  s --registries.d "$WORK/registries.d" image sign --sign-by "$TRUSTED" "docker://$REG/unsigned:1"
  [ -f "$WORK/staging/$sig" ]
}

@test "image sign: errors as podman's" {
  printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REG" >"$WORK/registries.conf"
  export CONTAINERS_REGISTRIES_CONF=$WORK/registries.conf
  mkdir -p "$WORK/d"
  run s image sign --directory "$WORK/d" "docker://$REG/unsigned:1"
  expect_failure 125 "please provide an identity"
  run s image sign --sign-by "$TRUSTED" --directory "$WORK/nope" "docker://$REG/unsigned:1"
  expect_failure 125 "stat $WORK/nope: no such file or directory"
  run s image sign --sign-by "$TRUSTED" --directory "$WORK/d" "$REG/unsigned:1"
  expect_failure 125 "unknown transport \"127.0.0.1\""
  run s image sign --sign-by "$TRUSTED" --directory "$WORK/d" -a "docker://$REG/unsigned:1"
  expect_failure 125 "docker://$REG/unsigned:1 is not a multi-architecture image"
  run s image sign --sign-by "$TRUSTED" --directory "$WORK/d" "docker://$REG/missing:1"
  expect_failure 125 "getting image source" "manifest unknown"
  [ -z "$(ls -A "$WORK/d")" ]
}

@test "image trust show: key identities and lookaside storage as podman shows them" {
  mkdir -p "$WORK/home/.config/containers/registries.d" "$WORK/bin"
  printf 'default-docker:\n  lookaside: file:///def\ndocker:\n  %s:\n    lookaside: file:///sigs\n  quay.io:\n    sigstore: https://q.example\n' \
    "$REG" >"$WORK/home/.config/containers/registries.d/a.yaml"
  printf '{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker":{"%s":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"%s"}],"quay.io/x":[{"type":"signedBy","keyType":"GPGKeys","keyPaths":["%s","%s"]}],"quay.io":[{"type":"signedBy","keyType":"GPGKeys","keyData":"%s"}],"docker.io":[{"type":"reject"}]}}}\n' \
    "$REG" "$KEYS/trusted.gpg" "$KEYS/trusted.gpg" "$KEYS/other.asc" "$(base64 -w0 "$KEYS/trusted.gpg")" \
    >"$WORK/show.json"
  HOME=$WORK/home run s image trust show --policypath "$WORK/show.json"
  expect_success
  [[ "${lines[2]}" == "repository  $REG"*"signed      trusted@example.com  "*"file:///sigs" ]]
  [[ "$output" == *"trusted@example.com, other@example.com"* ]]
  have_podman || skip "podman is not installed"
  # podman asks gpg2 for key identities.
  ln -s "$(command -v gpg)" "$WORK/bin/gpg2"
  for flags in "" "--json" "-n"; do
    # shellcheck disable=SC2086
    diff <(HOME=$WORK/home s image trust show --policypath "$WORK/show.json" $flags) \
      <(PATH=$WORK/bin:$PATH HOME=$WORK/home p image trust show --policypath "$WORK/show.json" $flags)
  done
}

@test "manifest push --sign-by signs every instance and the list; a pull of a platform verifies" {
  fixture --out "$WORK/multi.tar" --format oci-archive --platforms linux/amd64,linux/arm64 --seed 12
  skopeo copy -q --all --dest-tls-verify=false "oci-archive:$WORK/multi.tar" \
    "docker://$REG/msrc:1" >/dev/null
  s --registries.d "$WORK/registries.d" manifest create --tls-verify=false --all l \
    "docker://$REG/msrc:1" >/dev/null
  run s --registries.d "$WORK/registries.d" manifest push --tls-verify=false \
    --sign-by "$TRUSTED" l "docker://$REG/mlist:1"
  expect_success
  [ "$(grep -c "Signing manifest using simple signing" <<<"$output")" -eq 3 ]
  [ "$(ls "$SIGS" | grep -c '^mlist@sha256=')" -eq 3 ]
  run pull --arch arm64 "$REG/mlist:1"
  expect_success
  # Signing needs somewhere to write: a staging URL that is not a file is refused up front.
  printf 'docker:\n  %s:\n    lookaside: http://127.0.0.1:1/sigs\n' "$REG" \
    >"$WORK/registries.d/test.yaml"
  run s --registries.d "$WORK/registries.d" manifest push --tls-verify=false \
    --sign-by "$TRUSTED" l "docker://$REG/mlist2:1"
  expect_failure 125
  run skopeo inspect --raw --tls-verify=false "docker://$REG/mlist2:1"
  [ "$status" -ne 0 ]
}
