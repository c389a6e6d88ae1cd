#!/usr/bin/env bats
# policy.json decides what enters the store: pull and load refuse what the policy rejects and
# leave the store unchanged; a missing or invalid policy fails closed; `image trust show/set`
# match podman's output on the same files.

load helpers
load registry

bats_require_minimum_version 1.5.0

setup_file() {
  if have_registry; then
    start_file_registry
    local tar=$BATS_FILE_TMPDIR/a.tar
    python3 "$FIXTURE" --out "$tar" --format oci-archive --layers 2 --seed 5
    skopeo copy -q --dest-tls-verify=false "oci-archive:$tar" "docker://$REG/a:1" >/dev/null
    skopeo copy -q --dest-tls-verify=false "oci-archive:$tar" "docker://$REG/b:1" >/dev/null
  fi
}

teardown_file() {
  stop_file_registry
}

need_registry() {
  have_registry || skip "docker-registry is not installed"
}

# policy FILE JSON
policy() {
  printf '%s\n' "$2" >"$1"
}

ACCEPT='{"default":[{"type":"insecureAcceptAnything"}]}'

@test "pull: a reject scope blocks the image before anything is fetched" {
  need_registry
  policy "$WORK/p.json" "{\"default\":[{\"type\":\"insecureAcceptAnything\"}],
    \"transports\":{\"docker\":{\"$REG/a\":[{\"type\":\"reject\"}]}}}"
  BEFORE=$(store_state)
  run sp pull --signature-policy "$WORK/p.json" "$REG/a:1"
  expect_failure 125 "Source image rejected: Running image docker://$REG/a:1 is rejected by policy." \
    "docker scope \"$REG/a\" requires reject"
  unchanged
  # Another repository of the same registry is not in that scope.
  run sp pull --signature-policy "$WORK/p.json" "$REG/b:1"
  expect_success
  if have_podman; then
    run p pull --tls-verify=false --signature-policy "$WORK/p.json" "$REG/a:1"
    expect_failure 125 "Source image rejected: Running image docker://$REG/a:1 is rejected by policy."
  fi
}

@test "pull: the global --policy applies; --signature-policy wins over it" {
  need_registry
  policy "$WORK/reject.json" '{"default":[{"type":"reject"}]}'
  policy "$WORK/accept.json" "$ACCEPT"
  BEFORE=$(store_state)
  run sp --policy "$WORK/reject.json" pull "$REG/a:1"
  expect_failure 125 "is rejected by policy" "the global default requires reject"
  unchanged
  run sp --policy "$WORK/reject.json" pull --signature-policy "$WORK/accept.json" "$REG/a:1"
  expect_success
}

@test "pull: signedBy rejects an unsigned image" {
  need_registry
  policy "$WORK/p.json" "{\"default\":[{\"type\":\"insecureAcceptAnything\"}],
    \"transports\":{\"docker\":{\"$REG\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/nonexistent.gpg\"}]}}}"
  BEFORE=$(store_state)
  run sp pull --signature-policy "$WORK/p.json" "$REG/a:1"
  expect_failure 125 "A signature was required, but no signature exists" "unsigned" \
    "docker scope \"$REG\" requires signedBy"
  unchanged
}

@test "pull: a missing or invalid policy fails closed, naming the file" {
  need_registry
  BEFORE=$(store_state)
  run sp pull --signature-policy "$WORK/none.json" "$REG/a:1"
  expect_failure 125 "$WORK/none.json"
  policy "$WORK/bad.json" '{"default":[{"type":"insecureAcceptAnything","x":1}]}'
  run sp pull --signature-policy "$WORK/bad.json" "$REG/a:1"
  expect_failure 125 "$WORK/bad.json" 'unknown key "x"'
  policy "$WORK/bad.json" '{"default":[{"type":"insecureAcceptAnything"}]'
  run sp pull --signature-policy "$WORK/bad.json" "$REG/a:1"
  expect_failure 125 "invalid policy in \"$WORK/bad.json\": unexpected end of JSON input"
  unchanged
}

@test "--insecure-policy skips the policy with a warning" {
  need_registry
  run sp --insecure-policy --policy "$WORK/none.json" pull "$REG/a:1"
  expect_success
  [[ "$output" == *"WARNING: --insecure-policy"* ]]
}

@test "load: docker-archive and oci-archive rejections leave the store unchanged" {
  fixture --out "$WORK/d.tar" --format docker-archive --name d:1 --seed 3
  mkdir -p "$WORK/bad"
  fixture --out "$WORK/bad/o.tar" --format oci-archive --name o:1 --seed 4
  policy "$WORK/p.json" "{\"default\":[{\"type\":\"insecureAcceptAnything\"}],
    \"transports\":{\"docker-archive\":{\"\":[{\"type\":\"reject\"}]},
                    \"oci-archive\":{\"$WORK/bad\":[{\"type\":\"reject\"}]}}}"
  BEFORE=$(store_state)
  run s load --signature-policy "$WORK/p.json" -i "$WORK/d.tar"
  expect_failure 125 "Source image rejected: Running image docker-archive:$WORK/d.tar is rejected by policy." \
    "docker-archive transport's default scope"
  unchanged
  run s load --signature-policy "$WORK/p.json" <"$WORK/d.tar"
  expect_failure 125 "rejected by policy"
  unchanged
  run s load --signature-policy "$WORK/p.json" -i "$WORK/bad/o.tar"
  expect_failure 125 "oci-archive scope \"$WORK/bad\" requires reject"
  unchanged
  cp "$WORK/bad/o.tar" "$WORK/o.tar"
  run s load --signature-policy "$WORK/p.json" -i "$WORK/o.tar"
  expect_success
  [[ "$output" == *"Loaded image: localhost/o:1"* ]]
}

@test "load: insecureAcceptAnything loads; a missing policy fails naming the file" {
  fixture --out "$WORK/d.tar" --format docker-archive --name d:1 --seed 3
  policy "$WORK/p.json" "$ACCEPT"
  run s load --signature-policy "$WORK/none.json" -i "$WORK/d.tar"
  expect_failure 125 "$WORK/none.json"
  run s load --signature-policy "$WORK/p.json" -i "$WORK/d.tar"
  expect_success
  run s --policy "$WORK/p.json" load -i "$WORK/d.tar"
  expect_success
}

TRUST_POLICY='{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker":{"127.0.0.1:5000/a":[{"type":"reject"}],"quay.io":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/tmp/k.gpg"}],"docker.io/library/x":[{"type":"sigstoreSigned","keyPath":"/tmp/c.pub"}]},"docker-archive":{"":[{"type":"reject"}]}}}'

@test "image trust show: table, --json, --raw and -n as podman prints them" {
  policy "$WORK/p.json" "$TRUST_POLICY"
  # Its key file does not exist: a warning on stderr, as podman logs an error.
  run --separate-stderr s --registries.d "$WORK/none" image trust show --policypath "$WORK/p.json"
  expect_success
  [[ "$stderr" == *"/tmp/k.gpg"* ]]
  [ "${lines[0]}" = "TRANSPORT       NAME                 TYPE            ID          STORE" ]
  [[ "${lines[3]}" == "repository      docker.io/library/x  sigstoreSigned  N/A "* ]]
  have_podman || skip "podman is not installed"
  for flags in "" "--json" "--raw" "-n"; do
    # shellcheck disable=SC2086
    diff <(s image trust show --policypath "$WORK/p.json" $flags) \
      <(p image trust show --policypath "$WORK/p.json" $flags 2>/dev/null)
  done
}

@test "image trust set: writes the policy file as podman does" {
  have_podman || skip "podman is not installed"
  policy "$WORK/s.json" "$TRUST_POLICY"
  policy "$WORK/p.json" "$TRUST_POLICY"
  echo key >"$WORK/k1"
  for args in "-t reject quay.io/ns" "-t accept default" "-f $WORK/k1 docker.io" \
    "-t sigstoreSigned -f $WORK/k1 ghcr.io"; do
    # shellcheck disable=SC2086
    s image trust set --policypath "$WORK/s.json" $args
    # shellcheck disable=SC2086
    p image trust set --policypath "$WORK/p.json" $args
    cmp "$WORK/s.json" "$WORK/p.json"
  done
  s image trust set --policypath "$WORK/new-s.json" -t reject default
  p image trust set --policypath "$WORK/new-p.json" -t reject default
  cmp "$WORK/new-s.json" "$WORK/new-p.json"
  run s image trust set --policypath "$WORK/none.json" -t reject quay.io
  expect_failure 125 "default trust policy must be set"
  run s image trust set --policypath "$WORK/s.json" quay.io
  expect_failure 125 "at least one public key must be defined for type 'signedBy'"
  [ ! -e "$WORK/none.json" ]
}

@test "image trust explain: the scope, its requirements and the decision" {
  policy "$WORK/p.json" "$TRUST_POLICY"
  # --policy-only: the decision alone, without contacting the registry to list signatures.
  run s image trust explain --policy-only --signature-policy "$WORK/p.json" 127.0.0.1:5000/a:1
  expect_failure 1 'applies:      docker scope "127.0.0.1:5000/a"' "decision:     rejected by reject"
  # A scope that rejects outright is judged without contacting the registry.
  run s image trust explain --signature-policy "$WORK/p.json" 127.0.0.1:5000/a:1
  expect_failure 1 "decision:     rejected by reject"
  [[ "$output" != *"found:"* ]]
  if have_registry; then
    # Signatures are looked for (the lookaside of an empty registries.d has none).
    policy "$WORK/s.json" "{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/tmp/k.gpg\"}]}"
    run s --registries.d "$WORK/empty" image trust explain --tls-verify=false \
      --signature-policy "$WORK/s.json" "$REG/a:1"
    expect_failure 1 "requirement:  signedBy (/tmp/k.gpg)" "unsigned"
    [[ "$output" == *"found:        no signatures or attestations"* ]]
  fi
  run s --policy "$WORK/p.json" image trust explain --policy-only busybox
  expect_success
  [[ "$output" == *"applies:      the global default"* ]]
  [[ "$output" == *"decision:     accepted"* ]]
}

@test "image trust explain containers-storage: lists a local image's stored referrers" {
  fixture --out "$WORK/i.tar" --format oci-archive --name app:1 --seed 12
  s load -q -i "$WORK/i.tar" >/dev/null
  digest=$(s inspect --format '{{.Digest}}' app:1)
  run s image trust explain containers-storage:app:1
  expect_success
  [[ "$output" == *"manifest:     $digest"* ]]
  [[ "$output" == *"found:        no signatures or attestations"* ]]
  echo '{"spdxVersion":"SPDX-2.3"}' >"$WORK/sbom.json"
  echo '{"bomFormat":"CycloneDX"}' >"$WORK/bom.json"
  s artifact attach --subject app:1 --type application/spdx+json "$WORK/sbom.json" >/dev/null
  s artifact attach --subject app:1 --type application/vnd.cyclonedx+json "$WORK/bom.json" >/dev/null
  run s image trust explain containers-storage:app:1
  expect_success
  [[ "$output" == *"found:        referrer application/spdx+json at artifact "*": not judged: "* ]]
  [[ "$output" == *"found:        referrer application/vnd.cyclonedx+json at artifact "* ]]
  [ "$(grep -c '^found:' <<<"$output")" = 2 ]
  # inspect keeps podman's keys: no referrers there.
  run s inspect app:1
  expect_success
  [[ "$output" != *"spdx"* ]]
  BEFORE=$(store_state)
  run s image trust explain containers-storage:nosuch
  expect_failure 125 "nosuch"
  unchanged
}
