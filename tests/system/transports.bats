#!/usr/bin/env bats
# pull and push with the local transports podman names: oci-archive:, docker-archive:, oci:, dir:.

load helpers

@test "push to every local transport, then pull each back with the same image ID" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layers 2
  s load -i "$WORK/a.tar" >/dev/null
  id=$(s inspect --format '{{.Id}}' app:1)
  s push app:1 "oci-archive:$WORK/o.tar"
  s push app:1 "docker-archive:$WORK/d.tar"
  s push app:1 "oci:$WORK/odir"
  s push app:1 "dir:$WORK/ddir"
  [ -f "$WORK/o.tar" ] && [ -f "$WORK/d.tar" ] && [ -f "$WORK/odir/index.json" ] && [ -f "$WORK/ddir/manifest.json" ]
  # oci:DIR names the image localhost/DIR, as typed: $WORK may hold capitals, a name may not.
  cd "$WORK"
  for src in "oci-archive:$WORK/o.tar" "docker-archive:$WORK/d.tar" "oci:odir" "dir:$WORK/ddir"; do
    rm -rf "$STORE"
    run s pull "$src"
    expect_success
    [ "${lines[-1]}" = "$id" ] || { echo "$src: $output"; false; }
    s image exists "$id"
  done
}

@test "skopeo reads what push wrote to oci: and dir:" {
  command -v skopeo >/dev/null || skip "skopeo is not installed"
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1
  s load -i "$WORK/a.tar" >/dev/null
  s push app:1 "oci:$WORK/odir"
  s push app:1 "dir:$WORK/ddir"
  run skopeo inspect "oci:$WORK/odir"
  expect_success
  run skopeo inspect "dir:$WORK/ddir"
  expect_success
  [ "$(skopeo inspect "dir:$WORK/ddir" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')" = "$(s inspect --format '{{.Digest}}' app:1)" ]
}

@test "pull from a missing local path fails and changes nothing" {
  run s pull "oci-archive:$WORK/missing.tar"
  expect_failure 125 "$WORK/missing.tar"
  run s pull "dir:$WORK/nothing"
  expect_failure 125 "nothing"
  run s images -q
  [ -z "$output" ]
}

@test "pull oci: never leaves the layout: a symlink to a host directory is refused" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layers 2
  s load -i "$WORK/a.tar" >/dev/null
  s push app:1 "oci:$WORK/odir"
  s rmi app:1 >/dev/null
  BEFORE=$(store_state)
  cd "$WORK"  # oci:DIR names the image after DIR as typed; $WORK may hold capitals
  # The blobs live outside; the layout only links to them.
  mkdir "$WORK/host"
  mv "$WORK/odir/blobs" "$WORK/host/blobs"
  ln -s "$WORK/host/blobs" "$WORK/odir/blobs"
  run s pull "oci:odir"
  expect_failure 125 "odir/blobs" "refusing a path that leaves the directory"
  same_as_before "$(store_state)"
  # An absolute link to a file, and a relative one climbing out, are refused the same way.
  rm "$WORK/odir/blobs"
  cp -r "$WORK/host/blobs" "$WORK/odir/blobs"
  blob=$(ls "$WORK/odir/blobs/sha256" | head -n 1)
  ln -sf "$WORK/host/blobs/sha256/$blob" "$WORK/odir/blobs/sha256/$blob"
  run s pull "oci:odir"
  expect_failure 125 "odir/blobs/sha256/$blob: refusing a path that leaves the directory"
  ln -sf "../../../host/blobs/sha256/$blob" "$WORK/odir/blobs/sha256/$blob"
  run s pull "oci:odir"
  expect_failure 125 "odir/blobs/sha256/$blob: refusing a path that leaves the directory"
  same_as_before "$(store_state)"
  # A link that stays inside the layout is followed.
  cp "$WORK/host/blobs/sha256/$blob" "$WORK/odir/kept"
  ln -sf "../../kept" "$WORK/odir/blobs/sha256/$blob"
  run s pull "oci:odir"
  expect_success
  s image exists "${lines[-1]}"
}

@test "pull refuses a FIFO or socket in a dir: or oci: layout instead of hanging" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1
  s load -i "$WORK/a.tar" >/dev/null
  s push app:1 "dir:$WORK/ddir"
  s push app:1 "oci:$WORK/odir"
  s rmi app:1 >/dev/null
  BEFORE=$(store_state)
  blob=$(ls "$WORK/ddir" | grep -E '^[0-9a-f]{64}$' | head -n 1)
  rm "$WORK/ddir/$blob"
  mkfifo "$WORK/ddir/$blob"
  run timeout 20 "$SCHICHT" --root "$STORE" pull "dir:$WORK/ddir"
  expect_failure 125 "$WORK/ddir/$blob: a FIFO is not allowed here, only regular files"
  mv "$WORK/ddir/manifest.json" "$WORK/manifest.json"
  mkfifo "$WORK/ddir/manifest.json"
  run timeout 20 "$SCHICHT" --root "$STORE" pull "dir:$WORK/ddir"
  expect_failure 125 "$WORK/ddir/manifest.json: a FIFO is not allowed here"
  cd "$WORK"  # oci:DIR names the image after DIR as typed; $WORK may hold capitals
  # The engine reads a layout in place, only the files the image names: a special file in
  # their place is refused without being opened.
  oblob=$(ls "$WORK/odir/blobs/sha256" | head -n 1)
  mv "$WORK/odir/blobs/sha256/$oblob" "$WORK/oblob"
  mkfifo "$WORK/odir/blobs/sha256/$oblob"
  run timeout 20 "$SCHICHT" --root "$STORE" pull "oci:odir"
  expect_failure 125 "odir/blobs/sha256/$oblob: a FIFO is not allowed here"
  rm "$WORK/odir/blobs/sha256/$oblob"
  python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
    "$WORK/odir/blobs/sha256/$oblob"
  run timeout 20 "$SCHICHT" --root "$STORE" pull "oci:odir"
  expect_failure 125 "odir/blobs/sha256/$oblob: a socket is not allowed here"
  same_as_before "$(store_state)"
  # A stray special file the image does not name is never opened (as in podman): no hang.
  rm "$WORK/odir/blobs/sha256/$oblob"
  mv "$WORK/oblob" "$WORK/odir/blobs/sha256/$oblob"
  mkfifo "$WORK/odir/oci-layout.fifo"
  run timeout 20 "$SCHICHT" --root "$STORE" pull -q "oci:odir"
  expect_success
}

# podman 4.3 fails on these ("loading tar component manifest.json: unexpected EOF"); schicht's
# pull read them before the engine did (through load), and still does.
@test "pull from a gzip-compressed docker-archive or oci-archive reads a decompressed temp copy" {
  fixture --out "$WORK/d.tar" --format docker-archive --name dapp:2 --seed 71
  fixture --out "$WORK/o.tar" --format oci-archive --name app:1 --seed 72
  gzip "$WORK/d.tar" "$WORK/o.tar"
  run s pull -q "docker-archive:$WORK/d.tar.gz"
  expect_success
  run s pull -q "oci-archive:$WORK/o.tar.gz"
  expect_success
  [ "$(s images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ')" = "localhost/app:1 localhost/dapp:2 " ]
  # Nothing is left in the store's ingest directory; a wrong kind names the archive as typed.
  [ -z "$(ls "$STORE/ingest")" ]
  BEFORE=$(store_state)
  run s pull "oci-archive:$WORK/d.tar.gz"
  expect_failure 125 "$WORK/d.tar.gz: loading index"
  unchanged
  [ -z "$(ls "$STORE/ingest")" ]
}
