# What the sigstore tests share: a file registry holding $REG/src:1 (a two-layer image made
# with seed $SIGSTORE_SEED), the python modules their independent signers need, and `sp`:
# schicht with sigstore attachments enabled for the test registry in registries.d, as
# containers/image requires for reading and writing them (schicht reads referrer bundles
# under the same setting).

setup_file() {
  if have_registry; then
    start_file_registry
    local tar=$BATS_FILE_TMPDIR/a.tar
    python3 "$FIXTURE" --out "$tar" --format oci-archive --layers 2 --seed "$SIGSTORE_SEED"
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

enable_attachments() {
  if [ ! -e "$WORK/registries.d/sigstore.yaml" ]; then
    mkdir -p "$WORK/registries.d"
    printf 'docker:\n  %s:\n    use-sigstore-attachments: true\n' "$REG" \
      >"$WORK/registries.d/sigstore.yaml"
  fi
}

sp() {
  enable_attachments
  s --registries.d "$WORK/registries.d" "$@" --tls-verify=false --retry 0
}

# sigstore_keyless.py: the tests' own Fulcio CA, Rekor log and cosign-style signer.
keyless() {
  /usr/bin/python3 "$BATS_TEST_DIRNAME/sigstore_keyless.py" "$@"
}

# keyless_policy REPO [FILE]: a CA and log in $WORK/ca, and in FILE (default
# $WORK/policy.json) a policy requiring a keyless signature for $REG/REPO.
keyless_policy() {
  [ -e "$WORK/ca/ca.pem" ] || keyless init "$WORK/ca"
  cat >"${2:-$WORK/policy.json}" <<EOF
{"default":[{"type":"insecureAcceptAnything"}],
 "transports":{"docker":{"$REG/$1":[{"type":"sigstoreSigned",
   "fulcio":{"caPath":"$WORK/ca/ca.pem","oidcIssuer":"https://issuer.example.com",
             "subjectEmail":"signer@example.com"},
   "rekorPublicKeyPath":"$WORK/ca/rekor.pub","signedIdentity":{"type":"matchRepository"}}]}}}
EOF
}
