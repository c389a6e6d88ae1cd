#!/usr/bin/env bats
# Containers hold their images: rmi refuses (exit 2), rmi -f removes them first, prune keeps
# used images; after everything is removed the store holds no blob, snapshot or container.

load helpers

load_app() {
  fixture --out "$WORK/a.tar" --format docker-archive --name app:1 --layers 2 --seed 1
  s load -i "$WORK/a.tar" >/dev/null
}

@test "create prepares a root filesystem from the image's layers" {
  load_app
  run s create --name c1 app:1
  expect_success
  [[ "$output" =~ ^[0-9a-f]{64}$ ]]
  id=$output
  [ -d "$STORE/containers/$id/rootfs/layer0" ] && [ -d "$STORE/containers/$id/rootfs/layer1" ]
  run s ps -a --format '{{.Names}} {{.Image}} {{.Command}} {{.Status}}'
  [ "$output" = "c1 localhost/app:1 /bin/sh Created" ]
  run s ps
  [ "${#lines[@]}" -eq 1 ]  # header only: nothing runs
  s container exists c1
  s container exists "${id:0:12}"
  run s container exists nope
  [ "$status" -eq 1 ]
  run s container inspect --format '{{.Name}} {{.ImageName}}' c1
  [ "$output" = "c1 localhost/app:1" ]
  run s create --name c1 app:1
  expect_failure 125 "already in use"
}

@test "containers created without a name all get distinct podman-style names" {
  load_app
  # 160 containers: more than the 144 plain adjective_name pairs, so names must not repeat.
  for i in $(seq 1 160); do s --storage-driver vfs create app:1 >/dev/null; done
  run s ps -a --format '{{.Names}}'
  expect_success
  [ "${#lines[@]}" -eq 160 ]
  [ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -eq 160 ]
  [[ "${lines[0]}" =~ ^[a-z]+_[a-z]+[0-9]*$ ]]
}

@test "rmi of an image a container uses fails with exit 2; rmi -f removes the container" {
  load_app
  cid=$(s create app:1 echo hi)
  run s rmi app:1
  expect_failure 2 "image used by $cid: image is in use by a container"
  s image exists app:1
  run s rmi -f app:1
  expect_success
  [[ "$output" == *"Deleted: "* ]]
  run s container exists "$cid"
  [ "$status" -eq 1 ]
}

@test "removing a name another name keeps never deletes the image" {
  load_app
  s tag app:1 other:1
  s create app:1 >/dev/null
  run s rmi app:1
  expect_success
  [ "$output" = "Untagged: localhost/app:1" ]
  s image exists other:1
}

@test "prune -a keeps the used image; system df counts it active" {
  load_app
  fixture --out "$WORK/b.tar" --format oci-archive --name unused:1 --seed 7
  s load -i "$WORK/b.tar" >/dev/null
  s create app:1 >/dev/null
  run s image prune -a -f
  expect_success
  [ "$(echo "$output" | wc -l)" -eq 1 ]
  s image exists app:1
  run s system df --format '{{.Type}} {{.Total}} {{.Active}}'
  [ "${lines[0]}" = "Images 1 1" ]
  [ "${lines[1]}" = "Containers 1 0" ]
}

@test "rm: by name and ID, unknown (exit 1), -a; then nothing is left anywhere" {
  load_app
  s create --name c1 app:1 >/dev/null
  cid=$(s create app:1)
  run s rm c1
  expect_success
  [ "$output" = "c1" ]
  run s rm nope
  expect_failure 1 'no container with name or ID "nope" found: no such container'
  run s rm -a
  expect_success
  [ "$output" = "$cid" ]
  s rmi -a >/dev/null
  [ -z "$(ls -A "$STORE/blobs/sha256")" ]
  [ -z "$(ls -A "$STORE/containers")" ]
  [ -z "$(ls "$STORE/snapshots")" ]  # lock files are hidden and hold nothing
}

@test "same answers as podman: create, rmi refused, prune -a keeps the used image, df rows" {
  have_podman || skip "podman is not installed"
  fixture --out "$WORK/b.tar" --format docker-archive --name unused:1 --seed 7
  load_app
  s load -i "$WORK/b.tar" >/dev/null
  p load -i "$WORK/a.tar" >/dev/null 2>&1
  p load -i "$WORK/b.tar" >/dev/null 2>&1
  session() {
    local tool=$1
    $tool create --name c1 app:1 >/dev/null
    if $tool rmi app:1 2>/dev/null; then echo "rmi 0"; else echo "rmi $?"; fi
    $tool image prune -a -f | wc -l
    $tool images --format '{{.Repository}}:{{.Tag}}'
    $tool system df --format '{{.Type}} {{.Total}} {{.Active}}'
    $tool ps -a --format '{{.Names}} {{.Image}} {{.Status}}'
  }
  diff <(session p) <(session s)
}

@test "system prune -a removes containers first, then the images they held" {
  load_app
  cid=$(s create app:1)
  run s system prune -a -f
  expect_success
  [ "${lines[0]}" = "Deleted Containers" ]
  [ "${lines[1]}" = "$cid" ]
  [ "${lines[2]}" = "Deleted Images" ]
  [ -z "$(s images -q)" ]
  [ -z "$(ls -A "$STORE/containers")" ]
}

@test "rm -t and ps --external answer as podman's (its own tests' setup runs them)" {
  have_podman || skip "podman is not installed"
  load_app
  p load -i "$WORK/a.tar" >/dev/null 2>&1
  session() {
    local tool=$1 rc
    $tool create --name c1 app:1 >/dev/null
    $tool ps --external --format '{{.Names}}'
    $tool ps --all --external --format '{{.Names}} {{.Image}}'
    for args in "-t 0 c1" "-t abc c1" "-t -1 c1" "-t 0 --ignore nope"; do
      rc=0
      # shellcheck disable=SC2086
      $tool rm $args >/dev/null 2>"$WORK/err" || rc=$?
      echo "rm $args: $rc $(head -1 "$WORK/err")"
    done
    $tool rm -t 0 --all --force --ignore | wc -l
    $tool ps --all --external --format '{{.Names}}' | wc -l
    $tool rm -t 0 --all --force --ignore | wc -l
  }
  diff <(session p) <(session s)
}
