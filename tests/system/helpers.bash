# Shared setup for the system tests: a fresh store per test, fixtures from the project's own
# generator, and helpers to prove that a failed command left the store as it was.

SCHICHT=${SCHICHT:-$BATS_TEST_DIRNAME/../../build/schicht}
FIXTURE=$BATS_TEST_DIRNAME/../fixtures/mkfixture.py

# A test's own directory ($WORK) and store ($STORE); a file with a setup() of its own calls it.
make_work() {
  WORK=$(mktemp -d "${BATS_TMPDIR:-/tmp}/schicht-test.XXXXXX")
  STORE=$WORK/store
}

setup() {
  make_work
}

# Detaches every mount under $1 (image mounts, overlay containers' root filesystems), deepest
# first; rm cannot remove a mount point. mountinfo escapes a space as \040.
unmount_under() {
  local m
  awk -v w="$1/" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$(printf '%b' "${m//\\/\\0}")" 2>/dev/null || true; done
}

# Removes $WORK; a file with a teardown() of its own calls it.
remove_work() {
  unmount_under "$WORK"
  rm -rf "$WORK"
}

teardown() {
  remove_work
}

# schicht on the test's store.
s() {
  "$SCHICHT" --root "$STORE" "$@"
}

fixture() {
  python3 "$FIXTURE" "$@"
}

# podman on a temp store of its own (vfs: no kernel features needed).
have_podman() { command -v podman >/dev/null 2>&1; }
p() {
  podman --root "$WORK/podman" --runroot "$WORK/podman-run" --storage-driver vfs "$@"
}

# A fingerprint of the store: the listing, every blob, anything left in ingest/.
store_state() {
  # No relative times here: "1 second ago" would change under a slow (sanitized) build.
  s images --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}} {{.Digest}} {{.Size}}' 2>&1
  ls "$STORE/blobs/sha256" 2>/dev/null
  ls -A "$STORE/ingest" 2>/dev/null | sed 's/^/ingest: /'
}

# same_as_before STATE: whether STATE is what $BEFORE holds; shows the difference when not.
same_as_before() {
  if [ "$1" != "$BEFORE" ]; then
    diff <(echo "$BEFORE") <(echo "$1")
    return 1
  fi
}

# Asserts that the store is as it was when BEFORE=$(store_state) was taken.
unchanged() {
  same_as_before "$(store_state)"
}

# Every blob a row references exists and hashes to its name.
consistent() {
  local digest
  for digest in $(sqlite3 "$STORE/db.sqlite" "SELECT id FROM images UNION SELECT digest FROM image_manifests UNION SELECT layer_digest FROM manifest_layers"); do
    local hex=${digest#sha256:}
    [ -f "$STORE/blobs/sha256/$hex" ] || { echo "missing blob $digest"; return 1; }
  done
  for f in "$STORE"/blobs/sha256/*; do
    [ -e "$f" ] || continue
    [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$(basename "$f")" ] || { echo "corrupt $f"; return 1; }
  done
}

# Asserts $status and that $output contains every further argument.
expect_failure() {
  local code=$1
  shift
  if [ "$status" -ne "$code" ]; then
    echo "expected exit $code, got $status: $output"
    return 1
  fi
  for want in "$@"; do
    if [[ "$output" != *"$want"* ]]; then
      echo "expected output to contain: $want"
      echo "got: $output"
      return 1
    fi
  done
}

expect_success() {
  if [ "$status" -ne 0 ]; then
    echo "expected success, got $status: $output"
    return 1
  fi
}
