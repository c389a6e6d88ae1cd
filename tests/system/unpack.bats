#!/usr/bin/env bats
# Unpack while pulling (pull --unpack, containers.conf's image_unpack): each layer is extracted
# as its diff snapshot in the pass that downloads and stores it, so that create mounts snapshots
# that exist already; with the option off, or with vfs, pull makes no snapshot; a layer that is
# corrupt, or whose diff depends on the layers below it, leaves no snapshot of its own.

load helpers
load registry

setup_file() {
  have_registry || skip "docker-registry is not installed"
  start_file_registry
}

teardown_file() {
  stop_file_registry
}

overlay_or_skip() {
  [ "$(id -u)" -eq 0 ] || skip "overlay mounts need root"
  [ "$(s info --format '{{.Store.GraphDriverName}}')" = overlay ] || skip "no overlayfs here"
}

# The complete snapshots of store DIR (chain ID hex names), one a line.
snapshots_of() {
  ls "$1/snapshots" 2>/dev/null | grep -E '^[0-9a-f]{64}$' || true
}

# Snapshots being built or left by a killed process.
temp_snapshots() {
  ls -A "$STORE/snapshots" 2>/dev/null | grep '^\.tmp-' || true
}

# Inode and change time of every snapshot: a rebuilt snapshot has new ones.
snapshot_stamps() {
  local hex
  for hex in $(snapshots_of "$STORE"); do stat -c '%n %i %Z' "$STORE/snapshots/$hex"; done
}

# What a snapshot holds, its top directory left out (made when it was built).
tree_of() {
  (cd "$1" && find . -mindepth 1 -printf '%p %y %m %U:%G %s %T@ %l\n' | sort)
}

@test "pull --unpack: every layer is a snapshot once pulled; create mounts them as they are" {
  overlay_or_skip
  skopeo_push app:1 --seed 71 --layers 3 --layer-kb 256
  run sp pull -q --unpack "$REG/app:1"
  expect_success
  [ "$(snapshots_of "$STORE" | wc -l)" -eq 3 ]
  [ -z "$(temp_snapshots)" ]
  before=$(snapshot_stamps)
  run s --storage-driver overlay create --name c1 "$REG/app:1"
  expect_success
  [ "$(snapshot_stamps)" = "$before" ]
  [ -f "$STORE/containers/$output/rootfs/layer2/file0" ]
  run s system check
  expect_success
  # The same snapshots as create builds from the blobs of a pull without --unpack.
  local other=$WORK/other
  "$SCHICHT" --root "$other" pull -q --unpack=false --tls-verify=false "$REG/app:1" >/dev/null
  [ -z "$(snapshots_of "$other")" ]
  "$SCHICHT" --root "$other" --storage-driver overlay create --name c2 "$REG/app:1" >/dev/null
  [ "$(snapshots_of "$other")" = "$(snapshots_of "$STORE")" ]
  for hex in $(snapshots_of "$STORE"); do
    diff <(tree_of "$STORE/snapshots/$hex") <(tree_of "$other/snapshots/$hex")
    cmp "$STORE/snapshots/.size-$hex" "$other/snapshots/.size-$hex"
  done
  "$SCHICHT" --root "$other" rm -f c2 >/dev/null
  run s rmi -f "$REG/app:1"
  expect_success
  [ -z "$(snapshots_of "$STORE")" ]
}

@test "pull unpacks by default with overlay; --unpack=false and image_unpack = false keep to blobs" {
  overlay_or_skip
  skopeo_push def:1 --seed 72 --layers 2 --layer-kb 64
  run sp pull -q "$REG/def:1"
  expect_success
  [ "$(snapshots_of "$STORE" | wc -l)" -eq 2 ]
  rm -rf "$STORE"
  run sp pull -q --unpack=false "$REG/def:1"
  expect_success
  [ -z "$(snapshots_of "$STORE")" ]
  # create builds them then, as it always did.
  run s --storage-driver overlay create "$REG/def:1"
  expect_success
  [ "$(snapshots_of "$STORE" | wc -l)" -eq 2 ]
  s rm -f "$output" >/dev/null
  rm -rf "$STORE"
  printf '[engine]\nimage_unpack = false\n' >"$WORK/containers.conf"
  CONTAINERS_CONF=$WORK/containers.conf run sp pull -q "$REG/def:1"
  expect_success
  [ -z "$(snapshots_of "$STORE")" ]
  # The flag wins over the file.
  rm -rf "$STORE"
  CONTAINERS_CONF=$WORK/containers.conf run sp pull -q --unpack "$REG/def:1"
  expect_success
  [ "$(snapshots_of "$STORE" | wc -l)" -eq 2 ]
}

@test "pull from a local transport unpacks too, and not with --unpack=false" {
  overlay_or_skip
  fixture --out "$WORK/local.tar" --format oci-archive --name local:1 --seed 79 --layers 2
  run s pull -q --unpack "oci-archive:$WORK/local.tar"
  expect_success
  [ "$(snapshots_of "$STORE" | wc -l)" -eq 2 ]
  [ -z "$(temp_snapshots)" ]
  before=$(snapshot_stamps)
  run s --storage-driver overlay create "$output"
  expect_success
  [ "$(snapshot_stamps)" = "$before" ]
  s rm -f "$output" >/dev/null
  rm -rf "$STORE"
  run s pull -q --unpack=false "oci-archive:$WORK/local.tar"
  expect_success
  [ -z "$(snapshots_of "$STORE")" ]
}

@test "image_unpack that is not a boolean is refused, naming the file; nothing is pulled" {
  skopeo_push bad:1 --seed 73 --layers 1 --layer-kb 16
  printf '[engine]\nimage_unpack = "yes"\n' >"$WORK/containers.conf"
  CONTAINERS_CONF=$WORK/containers.conf run sp pull -q "$REG/bad:1"
  expect_failure 125 "$WORK/containers.conf" "image_unpack" "must be true or false"
  [ -z "$(s images -q)" ]
}

@test "vfs: pull makes no snapshot (create flattens from the blobs' snapshots as before)" {
  skopeo_push vfs:1 --seed 74 --layers 2 --layer-kb 64
  run sp --storage-driver vfs pull -q "$REG/vfs:1"
  expect_success
  [ -z "$(snapshots_of "$STORE")" ]
  run s --storage-driver vfs create --name v "$REG/vfs:1"
  expect_success
  [ -f "$STORE/containers/$output/rootfs/layer1/file0" ]
}

@test "a corrupt layer or a wrong diffID fails the pull and leaves no snapshot" {
  overlay_or_skip
  push_corrupt_layer corrupt:1 75
  run sp pull --unpack "$REG/corrupt:1"
  expect_failure 125 "storing blob $LAYER: Digest did not match, expected $LAYER"
  [ -z "$(snapshots_of "$STORE")" ]
  [ -z "$(temp_snapshots)" ]
  run s system check
  expect_success

  # Every layer intact, but the config names another diffID for the first.
  push_wrong_diffid baddiff:1 --seed 76 --layers 2
  run sp pull --unpack "$REG/baddiff:1"
  expect_failure 125 "its diffID is sha256:" "but the image config names sha256:"
  [ -z "$(snapshots_of "$STORE")" ]
  [ -z "$(temp_snapshots)" ]
}

@test "layers that need the layers below: implied directories take theirs; a lower hardlink is left to create" {
  overlay_or_skip
  # Layer 2 puts a file in d/ without an entry for d/ (d keeps layer 1's mode and time); layer 3
  # hard-links to a file of layer 1, which its diff holds as a copy made from layer 1's.
  python3 - "$WORK" <<'EOF'
import io, sys, tarfile
def layer(path, members):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, extra in members:
            info = tarfile.TarInfo(name)
            info.mtime = 1000
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, extra
                tar.addfile(info)
            elif kind == "link":
                info.type, info.linkname = tarfile.LNKTYPE, extra
                tar.addfile(info)
            else:
                info.size, info.mode = len(extra), 0o644
                tar.addfile(info, io.BytesIO(extra))
layer(sys.argv[1] + "/l1.tar", [("d", "dir", 0o750), ("d/a", "file", b"a\n")])
layer(sys.argv[1] + "/l2.tar", [("d/b", "file", b"b\n")])
layer(sys.argv[1] + "/l3.tar", [("c", "link", "d/a")])
EOF
  fixture --out "$WORK/low.tar" --format oci-archive --layer-tar "$WORK/l1.tar" \
    --layer-tar "$WORK/l2.tar" --layer-tar "$WORK/l3.tar"
  skopeo copy -q --dest-tls-verify=false "oci-archive:$WORK/low.tar" "docker://$REG/low:1" >/dev/null
  run sp pull -q --unpack "$REG/low:1"
  expect_success
  [ "$(snapshots_of "$STORE" | wc -l)" -eq 2 ]
  [ -z "$(temp_snapshots)" ]
  # As create builds them from the blobs.
  local other=$WORK/other
  "$SCHICHT" --root "$other" pull -q --unpack=false --tls-verify=false "$REG/low:1" >/dev/null
  "$SCHICHT" --root "$other" --storage-driver overlay create "$REG/low:1" >/dev/null
  for hex in $(snapshots_of "$STORE"); do
    diff <(tree_of "$STORE/snapshots/$hex") <(tree_of "$other/snapshots/$hex")
  done
  run s --storage-driver overlay create --name l "$REG/low:1"
  expect_success
  root=$STORE/containers/$output/rootfs
  [ "$(snapshots_of "$STORE" | wc -l)" -eq 3 ]
  [ "$(stat -c %a "$root/d")" = 750 ]
  [ "$(cat "$root/d/b")" = b ]
  [ "$(cat "$root/c")" = a ]
}

@test "pull --unpack killed before a snapshot is renamed: no snapshot; check, repair, create work" {
  overlay_or_skip
  skopeo_push kill:1 --seed 77 --layers 3 --layer-kb 128
  SCHICHT_KILL_AT=snapshot-before-rename run sp pull -q --unpack "$REG/kill:1"
  [ "$status" -eq 137 ] || { echo "status $status: $output"; false; }
  [ -z "$(snapshots_of "$STORE")" ]
  run s system check
  expect_failure 125 "stale snapshot build"
  ! grep -q "unreferenced snapshot" <<<"$output"
  run s system check --repair
  run s system check
  expect_success
  [ -z "$(temp_snapshots)" ]
  run s --storage-driver overlay create "$REG/kill:1"
  expect_success
  [ "$(snapshots_of "$STORE" | wc -l)" -eq 3 ]
  s rm -f "$output" >/dev/null
  # Killed again; a later pull --unpack removes what the killed one left.
  rm -rf "$STORE"
  SCHICHT_KILL_AT=snapshot-before-rename run sp pull -q --unpack "$REG/kill:1"
  [ "$status" -eq 137 ]
  skopeo_push kill:2 --seed 78 --layers 1 --layer-kb 16
  run sp pull -q --unpack "$REG/kill:2"
  expect_success
  [ -z "$(temp_snapshots)" ]
  # (The killed pull's lease on its blobs is another matter, for --repair.)
  run s system check
  ! grep -q "snapshot" <<<"$output"
}
