#!/usr/bin/env bats
# Pull and push progress: on a terminal a bar per layer, redrawn in place, as podman draws
# them; plain lines otherwise. `script` gives the command a pseudo-terminal.

load helpers
load registry

setup_file() {
  have_registry || skip "docker-registry is not installed"
  start_file_registry
  local tar=$BATS_FILE_TMPDIR/app.tar
  python3 "$FIXTURE" --out "$tar" --format oci-archive --layers 2 --layer-kb 512 --seed 61
  skopeo copy -q --dest-tls-verify=false "oci-archive:$tar" "docker://$REG/app:1" >/dev/null
}

teardown_file() {
  stop_file_registry
}

# Runs schicht ARGS... on a pseudo-terminal; the terminal's output goes to $WORK/tty.
on_tty() {
  command -v script >/dev/null || skip "script (util-linux) is not installed"
  local cmd
  cmd=$(printf '%q ' "$SCHICHT" --root "$STORE" "$@")
  script -qec "$cmd" /dev/null >"$WORK/tty" </dev/null
}

@test "on a terminal: a bar per layer with sizes, then done; the blobs the store has are skipped" {
  layers=$(skopeo inspect --tls-verify=false --format '{{range .Layers}}{{.}} {{end}}' "docker://$REG/app:1")
  on_tty pull --tls-verify=false "$REG/app:1"
  out=$(tr -d '\r' <"$WORK/tty")
  [[ "$out" == *"Trying to pull $REG/app:1..."* ]]
  [[ "$out" == *"Getting image source signatures"* ]]
  for layer in $layers; do
    hex=${layer#sha256:}
    # Drawn as a bar while it moves, and "done" at the end, in place (cursor moves up).
    [[ "$out" == *"Copying blob ${hex:0:12} ["*"] "*"b / "*"KiB"* ]] || { echo "$out"; false; }
    [[ "$out" == *"Copying blob ${hex:0:12} done"* ]]
  done
  [[ "$out" == *$'\x1b['*A* ]]
  [[ "$out" == *"Writing manifest to image destination"* ]]
  # Again into the same store: every blob is there already.
  s rmi "$REG/app:1" >/dev/null
  s load -i "$BATS_FILE_TMPDIR/app.tar" >/dev/null
  on_tty pull --tls-verify=false "$REG/app:1"
  out=$(tr -d '\r' <"$WORK/tty")
  for layer in $layers; do
    hex=${layer#sha256:}
    [[ "$out" == *"Copying blob ${hex:0:12} skipped: already exists"* ]] || { echo "$out"; false; }
  done
}

@test "not on a terminal: podman's plain lines, no escape sequences" {
  id=$(s pull -q --tls-verify=false "$REG/app:1")
  s rmi "$REG/app:1" >/dev/null
  s pull --tls-verify=false "$REG/app:1" 2>"$WORK/err" >/dev/null
  run cat "$WORK/err"
  [ "${lines[0]}" = "Trying to pull $REG/app:1..." ]
  [ "${lines[1]}" = "Getting image source signatures" ]
  [[ "${lines[2]}" == "Copying blob sha256:"* ]]
  [[ "${lines[3]}" == "Copying blob sha256:"* ]]
  [ "${lines[4]}" = "Copying config sha256:$id" ]
  [ "${lines[5]}" = "Writing manifest to image destination" ]
  [ "${lines[6]}" = "Storing signatures" ]
  [ "${#lines[@]}" -eq 7 ]
  ! grep -q $'\x1b' "$WORK/err"
}

@test "-q on a terminal: only the image ID" {
  on_tty pull -q --tls-verify=false "$REG/app:1"
  id=$(s inspect --format '{{.Id}}' "$REG/app:1")
  [ "$(tr -d '\r' <"$WORK/tty")" = "$id" ]
}

@test "push on a terminal: a bar per layer, then done; blobs the registry has are skipped" {
  s load -i "$BATS_FILE_TMPDIR/app.tar" >/dev/null
  id=$(s images -q --no-trunc | head -1)
  layers=$(s inspect --format '{{range .RootFS.Layers}}{{.}} {{end}}' "$id")
  digests=$(skopeo inspect --tls-verify=false --format '{{range .Layers}}{{.}} {{end}}' "docker://$REG/app:1")
  on_tty push --tls-verify=false "$id" "$REG/pushed:1"
  out=$(tr -d '\r' <"$WORK/tty")
  [[ "$out" == *"Getting image source signatures"* ]]
  for layer in $digests; do
    hex=${layer#sha256:}
    [[ "$out" == *"Copying blob ${hex:0:12} ["*"] "*"b / "*"KiB"* ]] || { echo "$out"; false; }
    [[ "$out" == *"Copying blob ${hex:0:12} done"* ]] || { echo "$out"; false; }
  done
  [[ "$out" == *$'\x1b['*A* ]]
  [[ "$out" == *"Copying config sha256:${id#sha256:}"* ]]
  [[ "$out" == *"Writing manifest to image destination"* ]]
  [[ "$out" == *"Storing signatures"* ]]
  [ "$(remote_digest "$REG/pushed:1")" = "$(remote_digest "$REG/app:1")" ]
  # Again: the repository has every blob.
  on_tty push --tls-verify=false "$id" "$REG/pushed:1"
  out=$(tr -d '\r' <"$WORK/tty")
  for layer in $digests; do
    hex=${layer#sha256:}
    [[ "$out" == *"Copying blob ${hex:0:12} skipped: already exists"* ]] || { echo "$out"; false; }
    [[ "$out" != *"Copying blob ${hex:0:12} ["* ]] || { echo "$out"; false; }
  done
  # Recompressed on the way: the bar follows the stored blob, whose size is known.
  on_tty push --tls-verify=false --compression-format zstd "$id" "$REG/zstd:1"
  out=$(tr -d '\r' <"$WORK/tty")
  for layer in $digests; do
    hex=${layer#sha256:}
    [[ "$out" == *"Copying blob ${hex:0:12} ["*"] "*"b / "*"KiB"* ]] || { echo "$out"; false; }
    [[ "$out" == *"Copying blob ${hex:0:12} done"* ]] || { echo "$out"; false; }
  done
  s rmi -f "$id" >/dev/null
  run s pull -q --tls-verify=false "$REG/zstd:1"
  expect_success
  [ "$(s inspect --format '{{range .RootFS.Layers}}{{.}} {{end}}' "$REG/zstd:1")" = "$layers" ]
}

@test "push not on a terminal: podman's plain lines, no escape sequences" {
  s load -i "$BATS_FILE_TMPDIR/app.tar" >/dev/null
  id=$(s images -q --no-trunc | head -1)
  s push --tls-verify=false "$id" "$REG/plain:1" 2>"$WORK/err" >/dev/null
  run cat "$WORK/err"
  [ "${lines[0]}" = "Getting image source signatures" ]
  [[ "${lines[1]}" == "Copying blob sha256:"* ]]
  [[ "${lines[2]}" == "Copying blob sha256:"* ]]
  [ "${lines[3]}" = "Copying config $id" ]
  [ "${lines[4]}" = "Writing manifest to image destination" ]
  [ "${lines[5]}" = "Storing signatures" ]
  [ "${#lines[@]}" -eq 6 ]
  ! grep -q $'\x1b' "$WORK/err"
}

@test "push -q on a terminal: nothing at all" {
  s load -i "$BATS_FILE_TMPDIR/app.tar" >/dev/null
  id=$(s images -q --no-trunc | head -1)
  on_tty push -q --tls-verify=false "$id" "$REG/quiet:1"
  [ -z "$(tr -d '\r' <"$WORK/tty")" ]
}
