#!/usr/bin/env bats
# Additional read-only image stores (--storage-opt additionalimagestore=DIR, storage.conf's
# additionalimagestores): another schicht store's images are listed, read, saved, pushed and
# run from, and that store is never written.

load helpers

setup() {
  make_work
  B=$WORK/shared
  fixture --out "$WORK/shared.tar" --format oci-archive --name shared:1 --seed 1
  fixture --out "$WORK/own.tar" --format oci-archive --name own:1 --seed 2
  fixture --out "$WORK/late.tar" --format oci-archive --name late:1 --seed 3
  "$SCHICHT" --root "$B" load -i "$WORK/shared.tar" >/dev/null
  s load -i "$WORK/own.tar" >/dev/null
}

# schicht on the primary store with the shared store as an additional one.
sa() {
  s --storage-opt "additionalimagestore=$B" "$@"
}

# The shared store's fingerprint (helpers' store_state, on that store), with its files.
shared_state() {
  STORE=$B store_state
  (cd "$B" && find . -path ./db.sqlite-shm -prune -o -path ./db.sqlite-wal -prune -o -print | sort)
  sqlite3 "$B/db.sqlite" 'SELECT id, last_used FROM images ORDER BY id' 2>&1
}

@test "images lists the additional store's images after the primary's, read-only" {
  run sa images --format '{{.Repository}}:{{.Tag}} {{.IsReadOnly}} {{.ReadOnly}}'
  expect_success
  [ "$output" = "localhost/own:1 false false
localhost/shared:1 true true" ]
  run sa images --filter readonly=true --format '{{.Repository}}'
  [ "$output" = "localhost/shared" ]
  run sa images --filter readonly=false --format '{{.Repository}}'
  [ "$output" = "localhost/own" ]
  run sa images --format json
  expect_success
  [ "$(echo "$output" | jq -c '[.[] | [.Names[0], (.ReadOnly // false)]]')" = \
    '[["localhost/own:1",false],["localhost/shared:1",true]]' ]
  # Without the option the primary store alone.
  run s images --format '{{.Repository}}'
  [ "$output" = "localhost/own" ]
}

@test "an image in both stores is listed once, as the primary store's" {
  s load -i "$WORK/shared.tar" >/dev/null
  run sa images --format '{{.Repository}}:{{.Tag}} {{.IsReadOnly}}'
  [ "$output" = "localhost/own:1 false
localhost/shared:1 false" ]
  run sa images --filter readonly=true -q
  [ -z "$output" ]
}

@test "inspect, history, image tree, image diff, image analyze, image exists, save and push read the additional store" {
  BEFORE=$(shared_state)
  id=$("$SCHICHT" --root "$B" images -q --no-trunc)
  run sa inspect --format '{{.Id}} {{.RepoTags}}' shared:1
  expect_success
  [ "$output" = "${id#sha256:} [localhost/shared:1]" ]
  run sa inspect --type image --format '{{.Id}}' "${id:7:12}"
  [ "$output" = "${id#sha256:}" ]
  run sa history --format '{{.ID}}' shared:1
  expect_success
  [[ "$output" == "${id:7:12}"* ]]
  run sa image tree shared:1
  expect_success
  [[ "$output" == *"Image ID: ${id:7:12}"* ]]
  run sa image diff shared:1
  expect_success
  [ -n "$output" ]
  run sa image diff own:1 shared:1
  expect_success
  run sa image analyze shared:1
  expect_success
  run sa image exists shared:1
  expect_success
  run s image exists shared:1
  [ "$status" -eq 1 ]
  sa save -o "$WORK/saved.tar" shared:1
  "$SCHICHT" --root "$WORK/third" load -i "$WORK/saved.tar" >/dev/null
  [ "$("$SCHICHT" --root "$WORK/third" images -q --no-trunc)" = "$id" ]
  sa push shared:1 "oci:$WORK/pushed:shared"
  [ -f "$WORK/pushed/index.json" ]
  # An archive comes from one store.
  run sa save -m -o "$WORK/both.tar" shared:1 own:1
  expect_failure 125 "shared:1 and own:1 are in different stores"
  same_as_before "$(shared_state)"
}

@test "rmi refuses an image of the additional store, which stays unchanged" {
  BEFORE=$(shared_state)
  id=$("$SCHICHT" --root "$B" images -q --no-trunc)
  primary=$(store_state)
  run sa rmi shared:1
  expect_failure 125 "cannot remove read-only image \"${id#sha256:}\""
  run sa rmi -f shared:1
  expect_failure 125 "cannot remove read-only image"
  [ "$(store_state)" = "$primary" ]
  # The other arguments of an rmi still go.
  run sa rmi own:1 shared:1
  expect_failure 125 "cannot remove read-only image"
  [[ "$output" == *"Untagged: localhost/own:1"* ]]
  same_as_before "$(shared_state)"
  [ "$(s images -q)" = "" ]
  # rmi --all and prune remove the primary store's images only.
  s load -i "$WORK/own.tar" >/dev/null
  sa rmi -a
  sa image prune -a -f
  same_as_before "$(shared_state)"
  run sa images --format '{{.Repository}} {{.IsReadOnly}}'
  [ "$output" = "localhost/shared true" ]
}

@test "tag and untag pull the image up into the primary store; bad arguments change nothing" {
  BEFORE=$(shared_state)
  primary=$(store_state)
  run sa tag shared:1 'Bad Name'
  expect_failure 125
  run sa untag shared:1 nothere:1
  expect_failure 125
  [ "$(store_state)" = "$primary" ]
  same_as_before "$(shared_state)"
  run sa tag shared:1 other:1
  expect_success
  run sa images --format '{{.Repository}}:{{.Tag}} {{.IsReadOnly}}' --sort repository
  [ "$output" = "localhost/other:1 false
localhost/own:1 false
localhost/shared:1 false" ]
  consistent
  same_as_before "$(shared_state)"
  # untag of an image still only in the shared store: pulled up, then its name goes there.
  "$SCHICHT" --root "$B" load -i "$WORK/late.tar" >/dev/null
  BEFORE=$(shared_state)
  run sa untag late:1
  expect_success
  late=$("$SCHICHT" --root "$B" images -q --filter reference=late)
  run sa images -a --format '{{.ID}} {{.Repository}} {{.IsReadOnly}}' --filter "id=$late"
  [ "$output" = "$late <none> false" ]
  same_as_before "$(shared_state)"
}

@test "create from an image of the additional store pulls it up into the primary store" {
  BEFORE=$(shared_state)
  run sa create --name c1 shared:1 true
  expect_success
  run s ps -a --format '{{.Names}} {{.Image}}'
  [ "$output" = "c1 localhost/shared:1" ]
  # The primary store now holds the image (and its names); the shared store is as it was.
  run sa images --format '{{.Repository}}:{{.Tag}} {{.IsReadOnly}}'
  [ "$output" = "localhost/own:1 false
localhost/shared:1 false" ]
  consistent
  same_as_before "$(shared_state)"
}

@test "image mount of an image of the additional store pulls it up and mounts it" {
  [ "$(id -u)" -eq 0 ] || skip "image mount needs root"
  BEFORE=$(shared_state)
  run sa image mount shared:1
  expect_success
  [ -d "$output" ]
  [ "$(s image mount)" != "" ]
  sa image unmount shared:1 >/dev/null
  run sa images --filter readonly=false --format '{{.Repository}}' --sort repository
  [ "$output" = "localhost/own
localhost/shared" ]
  same_as_before "$(shared_state)"
}

@test "a read-only additional store (read-only mount or no write permission) still works" {
  if [ "$(id -u)" -eq 0 ]; then
    mkdir "$WORK/ro"
    mount --bind "$B" "$WORK/ro"
    mount -o remount,bind,ro "$WORK/ro"
    B=$WORK/ro
  else
    chmod -R a-w "$B"
  fi
  run sa images --format '{{.Repository}} {{.IsReadOnly}}'
  expect_success
  [ "$output" = "localhost/own false
localhost/shared true" ]
  sa save -o "$WORK/saved.tar" shared:1
  run sa rmi shared:1
  expect_failure 125 "cannot remove read-only image"
  run sa create --name c1 shared:1 true
  expect_success
  [ "$(id -u)" -eq 0 ] || chmod -R u+w "$WORK/shared"
}

@test "an image a writer adds to the shared store shows on the next command" {
  run sa images --format '{{.Repository}}'
  [ "$output" = "localhost/own
localhost/shared" ]
  "$SCHICHT" --root "$B" load -i "$WORK/late.tar" >/dev/null
  run sa images --format '{{.Repository}}' --sort repository
  [ "$output" = "localhost/late
localhost/own
localhost/shared" ]
  # A reader and a writer at once: the reader sees the shared store before or after the load.
  "$SCHICHT" --root "$B" rmi late:1 >/dev/null
  "$SCHICHT" --root "$B" load -i "$WORK/late.tar" >/dev/null &
  writer=$!
  for _ in 1 2 3 4 5; do
    run sa images --format '{{.Repository}}'
    expect_success
  done
  wait "$writer"
  run sa image exists late:1
  expect_success
}

@test "storage.conf's additionalimagestores, and --storage-opt replacing it" {
  printf '[storage]\ndriver = "overlay"\n[storage.options]\nadditionalimagestores = ["%s"]\n' \
    "$B" >"$WORK/storage.conf"
  CONTAINERS_STORAGE_CONF=$WORK/storage.conf run s images --format '{{.Repository}} {{.IsReadOnly}}'
  expect_success
  [ "$output" = "localhost/own false
localhost/shared true" ]
  # Any --storage-opt replaces the file's options, as in podman.
  CONTAINERS_STORAGE_CONF=$WORK/storage.conf run s --storage-opt overlay.mountopt=nodev images \
    --format '{{.Repository}}'
  [ "$output" = "localhost/own" ]
  # The primary store named as an additional one adds nothing.
  run s --storage-opt "additionalimagestore=$STORE" images --format '{{.Repository}} {{.IsReadOnly}}'
  [ "$output" = "localhost/own false" ]
  # Several stores, comma-separated; the same image twice shows once.
  "$SCHICHT" --root "$WORK/third" load -i "$WORK/late.tar" >/dev/null
  run s --storage-opt "additionalimagestore=$B,$WORK/third" images --format '{{.Repository}}'
  [ "$output" = "localhost/own
localhost/shared
localhost/late" ]
}

@test "a missing directory, one without a store, a relative path or a bad storage.conf fail" {
  BEFORE=$(store_state)
  run s --storage-opt "additionalimagestore=$WORK/missing" images
  expect_failure 125 "additional image store $WORK/missing: no such file or directory"
  [ ! -e "$WORK/missing" ]
  mkdir "$WORK/empty"
  run s --storage-opt "additionalimagestore=$WORK/empty" images
  expect_failure 125 "additional image store $WORK/empty: not a schicht store"
  [ -z "$(ls -A "$WORK/empty")" ]
  # Every command that opens the store opens its additional stores.
  run s --storage-opt "additionalimagestore=$WORK/missing" load -i "$WORK/late.tar"
  expect_failure 125 "additional image store $WORK/missing: no such file or directory"
  run s --storage-opt additionalimagestore=relative/dir images
  expect_failure 125 'image store path "relative/dir" is not absolute'
  # A store of another schema version is not read (a reader never migrates it).
  "$SCHICHT" --root "$WORK/other" load -i "$WORK/late.tar" >/dev/null
  sqlite3 "$WORK/other/db.sqlite" 'PRAGMA user_version = 999'
  run s --storage-opt "additionalimagestore=$WORK/other" images
  expect_failure 125 "additional image store $WORK/other: its database has another schema version"
  CONTAINERS_STORAGE_CONF=$WORK/none.conf run s images
  expect_failure 125 "$WORK/none.conf: no such file"
  printf '[storage.options]\nadditionalimagestores = "%s"\n' "$B" >"$WORK/bad.conf"
  CONTAINERS_STORAGE_CONF=$WORK/bad.conf run s images
  expect_failure 125 '"additionalimagestores" must be a list of strings'
  printf '[storage.options\n' >"$WORK/broken.conf"
  CONTAINERS_STORAGE_CONF=$WORK/broken.conf run s images
  expect_failure 125 "$WORK/broken.conf:"
  unchanged
}

@test "image copy reads a containers-storage: image only the additional store has" {
  BEFORE=$(shared_state)
  run sa image copy -q containers-storage:shared:1 "oci:$WORK/layout:shared"
  expect_success
  digest=$("$SCHICHT" --root "$B" images --format '{{.Digest}}' shared:1)
  [ "$(jq -r '.manifests[0].digest' "$WORK/layout/index.json")" = "$digest" ]
  # Into the primary store: a copy there, under the new name; the shared store is as it was.
  run sa image copy -q containers-storage:shared:1 containers-storage:copied:1
  expect_success
  run s images --format '{{.Repository}}:{{.Tag}} {{.Digest}}' --sort repository
  [ "$output" = "docker.io/library/copied:1 $digest
localhost/own:1 $(s images --format '{{.Digest}}' own:1)" ]
  consistent
  same_as_before "$(shared_state)"
  # Without the additional store the image is not known, and nothing is written.
  primary=$(store_state)
  run s image copy -q containers-storage:shared:1 "oci:$WORK/other"
  expect_failure 125 "shared"
  [ ! -e "$WORK/other" ]
  [ "$(store_state)" = "$primary" ]
}

@test "manifest add and manifest create take an image only the additional store has" {
  BEFORE=$(shared_state)
  digest=$("$SCHICHT" --root "$B" images --format '{{.Digest}}' shared:1)
  s manifest create list:1 >/dev/null
  run sa manifest add list:1 shared:1
  expect_success
  run s manifest inspect list:1
  [ "$(echo "$output" | jq -r '.manifests[0].digest')" = "$digest" ]
  # The list's instance lives in the list's store: the image was pulled up.
  run sa images --format '{{.Repository}}:{{.Tag}} {{.IsReadOnly}}' --filter reference=shared
  [ "$output" = "localhost/shared:1 false" ]
  consistent
  same_as_before "$(shared_state)"
  # create resolves every image before writing: with a missing one, nothing is pulled up.
  "$SCHICHT" --root "$B" load -i "$WORK/late.tar" >/dev/null
  BEFORE=$(shared_state)
  primary=$(store_state)
  run sa manifest create list:2 late:1 missing:1
  expect_failure 125 "missing"
  [ "$(store_state)" = "$primary" ]
  run sa manifest create list:2 late:1
  expect_success
  run sa images --format '{{.Repository}}:{{.Tag}} {{.IsReadOnly}}' --filter reference=late
  [ "$output" = "localhost/late:1 false" ]
  same_as_before "$(shared_state)"
}

@test "info shows the additional stores under store.graphOptions, as podman does" {
  run sa info --format json
  expect_success
  [ "$(echo "$output" | jq -c '.store.graphOptions')" = "{\"additionalimagestore\":\"$B\"}" ]
  # YAML: the same key in the same place.
  run sa info
  echo "$output" | grep -A1 '^  graphOptions:$' | grep -qx "    additionalimagestore: $B"
  [ "$(sa info --format '{{.Store.GraphOptions}}')" = "map[additionalimagestore:$B]" ]
  # As typed, and a repeated key's last value wins (podman's map).
  "$SCHICHT" --root "$WORK/third" load -i "$WORK/late.tar" >/dev/null
  run s --storage-opt "overlay.imagestore=$B" --storage-opt "overlay.imagestore=$WORK/third" \
    info --format json
  [ "$(echo "$output" | jq -c '.store.graphOptions')" = "{\"overlay.imagestore\":\"$WORK/third\"}" ]
  # storage.conf's list: as DRIVER.imagestore, as containers/storage passes it to the driver.
  printf '[storage]\ndriver = "overlay"\n[storage.options]\nadditionalimagestores = ["%s"]\n' \
    "$B" >"$WORK/storage.conf"
  driver=$(CONTAINERS_STORAGE_CONF=$WORK/storage.conf s info --format '{{.Store.GraphDriverName}}')
  CONTAINERS_STORAGE_CONF=$WORK/storage.conf run s info --format json
  [ "$(echo "$output" | jq -r ".store.graphOptions[\"$driver.imagestore\"]")" = "$B" ]
  # None: an empty map.
  [ "$(s info --format '{{len .Store.GraphOptions}}')" = 0 ]
}
