#!/usr/bin/env bats
# image mount / unmount: the image's files, read-only, at a path; rmi unmounts first.

load helpers

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
