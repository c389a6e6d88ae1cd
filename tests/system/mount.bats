#!/usr/bin/env bats
# image mount / unmount: the image's files, read-only, at a path; rmi unmounts first.

load helpers

teardown() {
  # Whatever a failed test left mounted under $WORK, whatever --root it used; mountinfo
  # escapes a space as \040, which printf %b reads as \0040.
  local m
  awk -v w="$WORK/" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$(printf '%b' "${m//\\/\\0}")" || true; done
  remove_work
}

@test "image mount shows the image's files read-only; unmount and rmi clean up" {
  [ "$(id -u)" -eq 0 ] || skip "image mount needs root"
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layers 2
  s load -i "$WORK/a.tar" >/dev/null
  run s image mount app:1
  expect_success
  path=$output
  [ -f "$path/layer0/file0" ] && [ -f "$path/layer1/file0" ]
  run touch "$path/new"
  [ "$status" -ne 0 ]
  run s image mount
  [[ "$output" == "localhost/app:1  $path" ]]
  run s image unmount app:1
  expect_success
  [ "$output" = "$(s inspect --format '{{.Id}}' app:1)" ]
  ! mountpoint -q "$path"
  s image mount app:1 >/dev/null
  run s rmi app:1
  expect_success
  ! mountpoint -q "$path"
  run s image mount nope
  expect_failure 125 "nope: image not known"
}

# mount_roundtrip ROOT: image mount, unmount and rmi -f with --root ROOT leave no mount.
mount_roundtrip() {
  local root=$1
  "$SCHICHT" --root "$root" load -i "$WORK/a.tar" >/dev/null
  run "$SCHICHT" --root "$root" image mount app:1
  expect_success
  local path=$output
  [ "${path:0:1}" = "/" ]
  mountpoint -q "$path"
  [ -f "$path/layer0/file0" ]
  run "$SCHICHT" --root "$root" image unmount app:1
  expect_success
  ! mountpoint -q "$path"
  "$SCHICHT" --root "$root" image mount app:1 >/dev/null
  mountpoint -q "$path"
  run "$SCHICHT" --root "$root" rmi -f app:1
  expect_success
  ! mountpoint -q "$path"
  run "$SCHICHT" --root "$root" system check
  expect_success
}

@test "image unmount and rmi -f find the mount with a relative --root, a space in it, a symlink on the way" {
  [ "$(id -u)" -eq 0 ] || skip "image mount needs root"
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1
  cd "$WORK"
  mount_roundtrip "relative store"
  mount_roundtrip "$WORK/with space"
  mkdir "$WORK/real"
  ln -s "$WORK/real" "$WORK/link"
  mount_roundtrip "$WORK/link/store"
  STORE=$WORK/link/store
}

@test "system check finds mounts left under <root>/mounts, and --repair detaches them" {
  [ "$(id -u)" -eq 0 ] || skip "image mount needs root"
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1
  s load -i "$WORK/a.tar" >/dev/null
  id=$(s inspect --format '{{.Id}}' app:1)
  root=$(realpath "$STORE")
  # A mount whose image is gone, and one whose directory was deleted beneath it.
  gone=$root/mounts/$(printf '%064d' 7)
  mkdir -p "$gone" "$WORK/src1" "$WORK/src2" "$root/mounts/$id"
  mount --bind "$WORK/src1" "$gone"
  mount --bind "$WORK/src2" "$root/mounts/$id"
  rmdir "$WORK/src2"
  run s system check
  expect_failure 125 "stale mount $gone: its image is gone" \
    "stale mount $root/mounts/$id: its snapshot was deleted" "2 problems"
  run s system check --repair
  expect_success
  [[ "$output" == *"unmounted stale mount $gone"* ]]
  ! mountpoint -q "$gone"
  ! mountpoint -q "$root/mounts/$id"
  run s system check
  expect_success
  s image exists app:1
}
