#!/usr/bin/env bats
# --storage-driver: containers and image mounts as overlays of the layers' diff snapshots, or
# (vfs) as copies; both show the tree podman shows for an image full of whiteouts, opaque
# directories, files turned into directories and back, and hardlinks.

load helpers
load whiteout_image

overlay_or_skip() {
  [ "$(id -u)" -eq 0 ] || skip "overlay mounts need root"
  [ "$(s info --format '{{.Store.GraphDriverName}}')" = overlay ] || skip "no overlayfs here"
}

@test "overlay: create mounts the layers with the container's own upper dir; rm unmounts" {
  overlay_or_skip
  load_whiteouts
  run s --storage-driver overlay create --name c1 wh:1
  expect_success
  id=$output
  dir=$STORE/containers/$id
  mountpoint -q "$dir/rootfs"
  [ -d "$dir/upper" ] && [ -d "$dir/work" ]
  [ "$(s container inspect --format '{{.GraphDriver.Name}}' c1)" = overlay ]
  [ "$(cat "$dir/rootfs/f2d/again")" = again ]
  # The container's changes land in its upper dir, never in the shared snapshots.
  echo changed >"$dir/rootfs/etc/b"
  rm "$dir/rootfs/opt/new"
  [ "$(cat "$dir/upper/etc/b")" = changed ]
  [ -c "$dir/upper/opt/new" ]
  run s --storage-driver overlay create --name c2 wh:1
  expect_success
  [ "$(cat "$STORE/containers/$output/rootfs/etc/b")" = b ]
  [ -f "$STORE/containers/$output/rootfs/opt/new" ]
  run s rm c1
  expect_success
  ! mountpoint -q "$dir/rootfs"
  [ ! -e "$dir" ]
  # rmi -f removes the other container, unmounting it, and then the snapshots.
  run s rmi -f wh:1
  expect_success
  [ -z "$(ls "$STORE/containers")" ]
  [ -z "$(ls "$STORE/snapshots")" ]
  [ -z "$(awk -v w="$STORE/" 'index($5, w) == 1' /proc/self/mountinfo)" ]
  run s system check
  expect_success
}

@test "overlay and vfs containers and image mounts hold the same tree, podman's tree" {
  overlay_or_skip
  load_whiteouts
  overlay=$(s --storage-driver overlay create wh:1)
  vfs=$(s --storage-driver vfs create wh:1)
  [ "$(s container inspect --format '{{.GraphDriver.Name}}' "$vfs")" = vfs ]
  ! mountpoint -q "$STORE/containers/$vfs/rootfs"
  [ ! -e "$STORE/containers/$vfs/upper" ]
  want=$(listing "$STORE/containers/$vfs/rootfs")
  echo "$want"
  with_links=$(listing "$STORE/containers/$vfs/rootfs" links)
  [[ "$want" == *"f2d/again f 644"* && "$want" != *"f2d/in"* && "$want" != *"etc/a"* ]]
  [[ "$want" == *"opt d 700"* && "$want" != *"opt/x"* && "$want" != *"keep/k"* ]]
  diff <(listing "$STORE/containers/$overlay/rootfs") <(echo "$want")
  mounted=$(s image mount wh:1)
  [ "$(listing "$mounted")" = "$want" ]
  s image unmount wh:1 >/dev/null
  mounted=$(s --storage-driver vfs image mount wh:1)
  [ "$(listing "$mounted" links)" = "$with_links" ]
  [ -d "$STORE/mounts/.trees" ] && [ -n "$(ls "$STORE/mounts/.trees")" ]
  s image unmount wh:1 >/dev/null
  [ -z "$(ls "$STORE/mounts/.trees")" ]
  if have_podman; then
    p load -i "$WORK/w.tar" >/dev/null
    p create --name pc wh:1 >/dev/null
    diff <(listing "$(p mount pc)" links) <(echo "$with_links")
    p umount pc >/dev/null
    echo "# compared with podman" >&3
  fi
}

@test "snapshots are diffs: each holds its own layer; disk use grows with the layers alone" {
  load_whiteouts
  s --storage-driver vfs create wh:1 >/dev/null
  n=$(ls "$STORE/snapshots" | wc -l)
  [ "$n" -eq 3 ]
  # The top layer's snapshot holds what that layer adds and its whiteout, nothing below.
  found=0
  for snap in "$STORE"/snapshots/*; do
    if [ -f "$snap/f2d/again" ]; then
      [ "$(ls "$snap" | sort | tr '\n' ' ')" = "f2d keep s " ]
      [ -c "$snap/s" ]
      found=1
    fi
  done
  [ "$found" -eq 1 ]
  run s system check
  expect_success
}

@test "snapshots of an older version (full trees, no format marker) are rebuilt as diffs" {
  load_whiteouts
  s --storage-driver vfs create --name c1 wh:1 >/dev/null
  s rm c1 >/dev/null
  rm "$STORE/snapshots/.format"
  for snap in "$STORE"/snapshots/*; do echo old >"$snap/left-by-an-old-version"; done
  run s --storage-driver vfs create --name c2 wh:1
  expect_success
  [ -f "$STORE/snapshots/.format" ]
  [ -z "$(find "$STORE/snapshots" -name left-by-an-old-version)" ]
  [ ! -e "$STORE/containers/$output/rootfs/left-by-an-old-version" ]
  [ "$(cat "$STORE/containers/$output/rootfs/f2d/again")" = again ]
  run s system check
  expect_success
}

@test "an unknown storage driver is refused before anything is written" {
  load_whiteouts
  BEFORE=$(store_state)
  run s --storage-driver btrfs create wh:1
  expect_failure 125 'unknown storage driver "btrfs": schicht offers "overlay" and "vfs"'
  unchanged
  [ -z "$(ls "$STORE/containers" 2>/dev/null)" ]
}

@test "prune keeps the snapshots an overlay container's image needs" {
  overlay_or_skip
  load_whiteouts
  id=$(s --storage-driver overlay create wh:1)
  s image prune -a -f >/dev/null
  [ "$(cat "$STORE/containers/$id/rootfs/f2d/again")" = again ]
  run s system check
  expect_success
  [ "$(ls "$STORE/snapshots" | wc -l)" -eq 3 ]
}

@test "system check: missing layer snapshots or an unmounted root of an overlay container; --repair mounts it again" {
  overlay_or_skip
  load_whiteouts
  id=$(s --storage-driver overlay create wh:1)
  echo mine >"$STORE/containers/$id/rootfs/added"
  run s system check
  expect_success
  # As after a reboot: the mount is gone.
  umount "$STORE/containers/$id/rootfs"
  run s system check
  expect_failure 125 "container ${id:0:12}: its root filesystem is not mounted" "1 problems"
  run s system check --repair
  expect_success
  [[ "$output" == *"mounted the root filesystem of container ${id:0:12}"* ]]
  [ "$(cat "$STORE/containers/$id/rootfs/added")" = mine ]
  [ "$(cat "$STORE/containers/$id/rootfs/f2d/again")" = again ]
  # A snapshot deleted behind schicht's back is rebuilt from the blobs.
  snap=$(ls "$STORE/snapshots" | head -1)
  rm -rf "${STORE:?}/snapshots/$snap"
  run s system check
  expect_failure 125 "container ${id:0:12}: snapshot sha256:$snap of its layers is missing"
  run s system check --repair
  expect_success
  [ -d "$STORE/snapshots/$snap" ]
  [ "$(cat "$STORE/containers/$id/rootfs/added")" = mine ]
  run s system check
  expect_success
}

@test "system check reports snapshots of an older version; --repair removes them" {
  load_whiteouts
  s --storage-driver vfs create --name c1 wh:1 >/dev/null
  rm "$STORE/snapshots/.format"
  run s system check
  expect_failure 125 "3 snapshots of an older version (full trees, not diffs)"
  run s system check --repair
  expect_success
  [[ "$output" == *"removed 3 snapshots of an older version"* ]]
  [ -z "$(ls "$STORE/snapshots")" ]
  # The container, a copy, does not need them.
  [ "$(cat "$STORE/containers/$(s ps -aq --no-trunc)/rootfs/f2d/again")" = again ]
}

@test "system df counts the snapshots' disk use exactly, as images' size" {
  load_whiteouts
  blobs=$(s system df --format '{{.Type}} {{.RawSize}}' | awk '/^Images/ { print $2 }')
  s --storage-driver vfs create --name c1 wh:1 >/dev/null
  # du counts blocks, each hardlinked inode once, as st_blocks * 512; each snapshot's size
  # record takes a block of its own.
  snaps=$(du -s -B1 "$STORE"/snapshots/* "$STORE"/snapshots/.size-* | awk '{ s += $1 } END { print s }')
  [ "$snaps" -gt 0 ]
  run s system df --format '{{.Type}} {{.RawSize}} {{.RawReclaimable}}'
  expect_success
  echo "blobs $blobs snapshots $snaps: $output"
  [ "${lines[0]}" = "Images $((blobs + snaps)) 0" ]
  s rm c1 >/dev/null
  run s system df --format '{{.Type}} {{.RawSize}} {{.RawReclaimable}}'
  [ "${lines[0]}" = "Images $((blobs + snaps)) $((blobs + snaps))" ]
}

@test "an image of 120 layers is an overlay too, beyond one page of mount options" {
  overlay_or_skip
  fixture --out "$WORK/many.tar" --format oci-archive --name many:1 --layers 120 --tiny-layers
  s load -i "$WORK/many.tar" >/dev/null
  run s --storage-driver overlay create many:1
  expect_success
  overlay=$output
  mountpoint -q "$STORE/containers/$overlay/rootfs"
  vfs=$(s --storage-driver vfs create many:1)
  diff <(listing "$STORE/containers/$overlay/rootfs") <(listing "$STORE/containers/$vfs/rootfs")
  [ "$(find "$STORE/containers/$vfs/rootfs" -type f | wc -l)" -ge 120 ]
  run s rm -a
  expect_success
  [ -z "$(awk -v w="$STORE/" 'index($5, w) == 1' /proc/self/mountinfo)" ]
}

@test "snapshots take space linear in the layers: 40 layers of 256 KiB, about 10 MiB" {
  fixture --out "$WORK/deep.tar" --format oci-archive --name deep:1 --layers 40 --layer-kb 256 \
    --compression none
  s load -i "$WORK/deep.tar" >/dev/null
  s --storage-driver vfs create deep:1 >/dev/null
  kib=$(du -s -k "$STORE/snapshots" | cut -f1)
  echo "# 40 layers of 256 KiB: snapshots take $kib KiB" >&3
  # Full trees per prefix took 1 + 2 + ... + 40 layers: 205 MiB.
  [ "$kib" -lt $((40 * 256 * 3 / 2)) ]
}

@test "system check finds an overlay image mount whose layer snapshot was deleted" {
  overlay_or_skip
  load_whiteouts
  path=$(s --storage-driver overlay image mount wh:1)
  mountpoint -q "$path"
  snap=$(ls "$STORE/snapshots" | head -1)
  rm -rf "${STORE:?}/snapshots/$snap"
  run s system check
  expect_failure 125 "stale mount $(realpath "$STORE")/mounts/$(s inspect --format '{{.Id}}' wh:1 | cut -d: -f2): its snapshot was deleted"
  run s system check --repair
  expect_success
  ! mountpoint -q "$path"
}
