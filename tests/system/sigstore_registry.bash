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
