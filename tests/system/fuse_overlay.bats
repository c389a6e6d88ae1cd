#!/usr/bin/env bats
# overlay.mount_program: containers' and mounted images' overlays made by fuse-overlayfs in
# user space (what rootless podman does where the kernel's overlayfs cannot be mounted), asked
# for with --storage-opt or storage.conf. The trees equal the vfs copies, whiteouts and opaque
# directories included.

load helpers
load whiteout_image

FUSE=/usr/bin/fuse-overlayfs

fuse_or_skip() {
  [ -x "$FUSE" ] || skip "fuse-overlayfs is not installed"
  [ -w /dev/fuse ] || skip "/dev/fuse is not usable"
  [ "$(id -u)" -eq 0 ] || skip "these tests unmount as root"
}

fs() {
  s --storage-opt "overlay.mount_program=$FUSE" "$@"
}

# The file system type of the mount on $1.
fstype() {
  awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++); print $(i + 1) }' /proc/self/mountinfo
}

no_mounts_left() {
  [ -z "$(awk -v w="$STORE/" 'index($5, w) == 1' /proc/self/mountinfo)" ]
}

@test "fuse-overlayfs: a container's root is its overlay, the vfs copy's tree; writes go to its upper dir; rm unmounts" {
  fuse_or_skip
  load_whiteouts
  run fs create --name c1 wh:1
  expect_success
  id=$output
  dir=$STORE/containers/$id
  [ "$(fstype "$dir/rootfs")" = fuse.fuse-overlayfs ]
  [ "$(cat "$dir/mount_program")" = "$FUSE" ]
  [ "$(s container inspect --format '{{.GraphDriver.Name}}' c1)" = overlay ]
  vfs=$(s --storage-driver vfs create wh:1)
  # Whiteouts (etc/a, keep, s), opaque directories (opt) and replaced entries read alike.
  diff <(listing "$dir/rootfs") <(listing "$STORE/containers/$vfs/rootfs")
  [ ! -e "$dir/rootfs/etc/a" ] && [ ! -e "$dir/rootfs/opt/x" ] && [ ! -e "$dir/rootfs/keep/k" ]
  echo changed >"$dir/rootfs/etc/b"
  rm "$dir/rootfs/opt/new"
  [ "$(cat "$dir/upper/etc/b")" = changed ]
  [ ! -e "$dir/rootfs/opt/new" ]
  # The shared snapshots are untouched: a second container sees the image's files.
  id2=$(fs create wh:1)
  [ "$(cat "$STORE/containers/$id2/rootfs/etc/b")" = b ]
  [ "$(cat "$STORE/containers/$id2/rootfs/opt/new")" = new ]
  run s rm -a
  expect_success
  no_mounts_left
  [ -z "$(ls "$STORE/containers")" ]
}

@test "fuse-overlayfs: image mount shows the vfs tree read-only; unmount detaches it" {
  fuse_or_skip
  load_whiteouts
  run fs image mount wh:1
  expect_success
  mounted=$output
  [ "$(fstype "$mounted")" = fuse.fuse-overlayfs ]
  want=$(listing "$(s --storage-driver vfs create wh:1 | sed "s|^|$STORE/containers/|")/rootfs")
  [ "$(listing "$mounted")" = "$want" ]
  ! touch "$mounted/new-file" 2>/dev/null
  run s image unmount wh:1
  expect_success
  run s rm -a
  no_mounts_left
}

@test "fuse-overlayfs from storage.conf; info shows the mount program as podman does" {
  fuse_or_skip
  load_whiteouts
  printf '[storage]\ndriver = "overlay"\n[storage.options.overlay]\nmount_program = "%s"\n' \
    "$FUSE" >"$WORK/storage.conf"
  export CONTAINERS_STORAGE_CONF=$WORK/storage.conf
  run s info --format json
  expect_success
  echo "$output" | python3 -c '
import json, sys
store = json.load(sys.stdin)["store"]
assert store["graphDriverName"] == "overlay", store
program = store["graphOptions"]["overlay.mount_program"]
assert program["Executable"] == sys.argv[1], program
assert program["Package"].startswith("fuse-overlayfs_"), program
assert store["graphStatus"]["Native Overlay Diff"] == "false", store["graphStatus"]
assert program["Version"].startswith("fusermount3 version") and "fuse-overlayfs: version" in program["Version"], program
' "$FUSE"
  id=$(s create wh:1)
  [ "$(fstype "$STORE/containers/$id/rootfs")" = fuse.fuse-overlayfs ]
  # --storage-opt replaces storage.conf's options, as with podman.
  id2=$(s --storage-opt "overlay.size=" create wh:1)
  [ "$(fstype "$STORE/containers/$id2/rootfs")" != fuse.fuse-overlayfs ]
  # vfs ignores the overlay's options.
  [ "$(s --storage-driver vfs info --format '{{.Store.GraphDriverName}} {{len .Store.GraphOptions}}')" = "vfs 0" ]
  s rm -a >/dev/null
  no_mounts_left
}

@test "a missing mount program is refused before anything is created or mounted" {
  load_whiteouts
  BEFORE=$(store_state)
  for cmd in "create wh:1" "image mount wh:1" "info"; do
    run s --storage-opt overlay.mount_program=/nonexistent/fuse-overlayfs $cmd
    expect_failure 125 'overlay.mount_program "/nonexistent/fuse-overlayfs": no executable file there'
  done
  run s --storage-opt overlay.mount_program=/etc create wh:1
  expect_failure 125 'overlay.mount_program "/etc": no executable file there'
  run s --storage-opt overlay.mount_program create wh:1
  expect_failure 125 'invalid storage option "overlay.mount_program": expected KEY=VALUE'
  unchanged
  [ -z "$(ls "$STORE/containers" 2>/dev/null)" ]
  no_mounts_left
}

@test "a mount program that fails leaves no container, directory or mount behind" {
  load_whiteouts
  printf '#!/bin/sh\necho "fuse: device not found" >&2\nexit 1\n' >"$WORK/failing-mount"
  chmod +x "$WORK/failing-mount"
  BEFORE=$(store_state)
  run s --storage-opt "overlay.mount_program=$WORK/failing-mount" create wh:1
  expect_failure 125 "failing-mount failed: fuse: device not found"
  unchanged
  [ -z "$(ls "$STORE/containers" 2>/dev/null)" ]
  [ -z "$(s ps -aq)" ]
  no_mounts_left
}

@test "system check: an unmounted fuse-overlayfs root; --repair mounts it again with the program" {
  fuse_or_skip
  load_whiteouts
  id=$(fs create wh:1)
  dir=$STORE/containers/$id
  echo mine >"$dir/rootfs/mine"
  umount "$dir/rootfs"
  run s system check
  expect_failure 125 "its root filesystem is not mounted"
  run s system check --repair
  expect_success
  [ "$(fstype "$dir/rootfs")" = fuse.fuse-overlayfs ]
  [ "$(cat "$dir/rootfs/mine")" = mine ]
  run s system check
  expect_success
  s rm -a >/dev/null
  no_mounts_left
}

@test "fuse-overlayfs takes an image of 120 layers, its options on the command line" {
  fuse_or_skip
  fixture --out "$WORK/many.tar" --format oci-archive --name many:1 --layers 120 --tiny-layers
  s load -i "$WORK/many.tar" >/dev/null
  run fs create many:1
  expect_success
  overlay=$output
  [ "$(fstype "$STORE/containers/$overlay/rootfs")" = fuse.fuse-overlayfs ]
  vfs=$(s --storage-driver vfs create many:1)
  diff <(listing "$STORE/containers/$overlay/rootfs") <(listing "$STORE/containers/$vfs/rootfs")
  s rm -a >/dev/null
  no_mounts_left
}

@test "system check finds a fuse-overlayfs image mount whose layer snapshot was deleted; --repair detaches it" {
  fuse_or_skip
  load_whiteouts
  path=$(fs image mount wh:1)
  [ "$(fstype "$path")" = fuse.fuse-overlayfs ]
  snap=$(ls "$STORE/snapshots" | head -1)
  rm -rf "${STORE:?}/snapshots/$snap"
  run s system check
  expect_failure 125 "stale mount $(realpath "$STORE")/mounts/$(s inspect --format '{{.Id}}' wh:1 | cut -d: -f2): its snapshot was deleted"
  run s system check --repair
  expect_success
  ! mountpoint -q "$path"
  no_mounts_left
}
