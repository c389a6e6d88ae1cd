#!/usr/bin/env bats
# An operator's bad days: the disk under the store is full, or the store is mounted read-only.
# Reading commands work on both; deleting ones free space on a full disk; writing ones fail on
# a read-only store saying so, and change nothing. Root only (they mount file systems).

load helpers

teardown() {
  # Mounts stacked by a test, innermost first.
  for m in "$STORE" "$WORK/mnt"; do
    while mountpoint -q "$m" 2>/dev/null; do umount -l "$m" || break; done
  done
  remove_work
}

need_root() {
  [ "$(id -u)" -eq 0 ] || skip "needs root to mount file systems"
}

# Free bytes on the file system holding $1.
avail() {
  df --block-size=1 --output=avail "$1" | tail -n 1 | tr -d ' '
}

@test "a full disk: images, inspect, rmi and image prune work, and free the space" {
  need_root
  mkdir "$WORK/mnt"
  mount -t tmpfs -o size=48m tmpfs "$WORK/mnt" || skip "cannot mount a tmpfs here"
  STORE=$WORK/mnt/store
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layers 2 --layer-kb 1024 --seed 1
  fixture --out "$WORK/b.tar" --format oci-archive --name other:1 --layers 1 --layer-kb 1024 --seed 2
  s load -i "$WORK/a.tar" >/dev/null
  s load -i "$WORK/b.tar" >/dev/null
  s untag other:1
  [ -f "$STORE/space-reserve" ]
  # Fill the file system to the last block.
  dd if=/dev/zero of="$WORK/mnt/fill" bs=64k 2>/dev/null || true
  [ "$(avail "$WORK/mnt")" -eq 0 ]
  run s images --format '{{.Repository}}:{{.Tag}}'
  expect_success
  [[ "$output" == *"localhost/app:1"* ]]
  run s inspect --format '{{.Id}}' app:1
  expect_success
  full=$(avail "$WORK/mnt")
  run s rmi app:1
  expect_success
  run s image prune -f
  expect_success
  [ -n "$output" ]
  [ "$(avail "$WORK/mnt")" -gt $((full + 1024 * 1024)) ]  # the blobs: 3 layers of 512 KiB
  [ -z "$(s images -q)" ]
  run s system check
  expect_success
  # With room again, the reserve comes back.
  rm "$WORK/mnt/fill"
  s images >/dev/null
  [ -f "$STORE/space-reserve" ]
}

@test "a read-only store lists, inspects and saves; load, tag and rmi fail saying so" {
  need_root
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layers 2 --seed 3
  fixture --out "$WORK/b.tar" --format oci-archive --name other:1 --seed 4
  s load -i "$WORK/a.tar" >/dev/null
  BEFORE=$(store_state)
  files_before=$(find "$STORE" | sort)
  mount --bind "$STORE" "$STORE" || skip "cannot bind-mount here"
  mount -o remount,bind,ro "$STORE"
  run s images --format '{{.Repository}}:{{.Tag}}'
  expect_success
  [ "$output" = "localhost/app:1" ]
  run s inspect --format '{{.Id}}' app:1
  expect_success
  id=$output
  run s save -o "$WORK/out.tar" app:1
  expect_success
  tar -tf "$WORK/out.tar" | grep -q manifest.json
  run s image tree app:1
  expect_success
  root=$(realpath "$STORE")
  for cmd in "load -i $WORK/b.tar" "tag app:1 x:1" "rmi app:1" "untag app:1" "image prune -a -f"; do
    run s $cmd
    expect_failure 125 "cannot change the store $root: read-only file system"
  done
  run s pull "oci-archive:$WORK/b.tar"
  expect_failure 125 "cannot change the store $root: read-only file system"
  run s image mount app:1
  expect_failure 125 "cannot change the store $root: read-only file system"
  run s image mount
  expect_success
  [ -z "$output" ]
  umount "$STORE"
  same_as_before "$(store_state)"
  [ "$(find "$STORE" | sort)" = "$files_before" ]
  [ "$(s inspect --format '{{.Id}}' app:1)" = "$id" ]
}
