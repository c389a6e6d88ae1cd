#!/usr/bin/env bats
# Interoperability with the reference tools: podman, skopeo and umoci, where installed.

load helpers

# "<image id> <manifest digest>" of the only image, as podman sees it.
podman_identity() {
  p images --no-trunc --digests --format '{{.ID}} {{.Digest}}' | head -1 | sed 's/^sha256://'
}

# The same, as schicht sees it (columns: REPOSITORY TAG DIGEST IMAGE-ID ...).
schicht_identity() {
  s images --no-trunc --digests -n | head -1 | awk '{print $4, $3}' | sed 's/^sha256://'
}

@test "archives written by podman save load here with podman's image ID and manifest digest" {
  have_podman || skip "podman is not installed"
  fixture --out "$WORK/src.tar" --format oci-archive --name app:1 --layers 3
  p load -i "$WORK/src.tar" >/dev/null 2>&1
  for format in docker-archive oci-archive; do
    p save --format $format -o "$WORK/$format.tar" localhost/app:1 >/dev/null 2>&1
    rm -rf "$WORK/podman2"
    want=$(podman --root "$WORK/podman2" --runroot "$WORK/podman2-run" --storage-driver vfs \
      load -i "$WORK/$format.tar" >/dev/null 2>&1 &&
      podman --root "$WORK/podman2" --runroot "$WORK/podman2-run" --storage-driver vfs \
        images --no-trunc --digests --format '{{.ID}} {{.Digest}}' | sed 's/^sha256://')
    rm -rf "$STORE"
    run s load -i "$WORK/$format.tar"
    expect_success
    [ "$output" = "Loaded image: localhost/app:1" ]
    got=$(schicht_identity)
    echo "$format: podman '$want' schicht '$got'"
    [ "$got" = "$want" ]
  done
}

@test "archives written here load in podman with the same image ID" {
  have_podman || skip "podman is not installed"
  fixture --out "$WORK/src.tar" --format oci-archive --name app:1 --layers 2
  s load -i "$WORK/src.tar"
  id=$(s images -q --no-trunc | sed 's/^sha256://')
  for format in docker-archive oci-archive; do
    s save --format $format -o "$WORK/$format.tar" app:1
    rm -rf "$WORK/podman"
    run p load -i "$WORK/$format.tar"
    expect_success
    [[ "$output" == *"Loaded image: localhost/app:1"* ]]
    [ "$(p images -q --no-trunc | sed 's/^sha256://')" = "$id" ]
  done
}

@test "skopeo reads the OCI layouts and archives written here" {
  command -v skopeo >/dev/null || skip "skopeo is not installed"
  fixture --out "$WORK/src.tar" --format oci-archive --name app:1
  s load -i "$WORK/src.tar"
  digest=$(s images --no-trunc --digests -n | awk '{print $3}')
  s save --format oci-archive -o "$WORK/o.tar" app:1
  s save --format oci-dir -o "$WORK/odir" app:1
  s save -o "$WORK/d.tar" app:1
  run skopeo inspect --raw oci-archive:"$WORK/o.tar"
  expect_success
  [ "$(skopeo inspect oci-archive:"$WORK/o.tar" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')" = "$digest" ]
  run skopeo copy oci:"$WORK/odir" dir:"$WORK/copied"
  expect_success
  run skopeo inspect docker-archive:"$WORK/d.tar"
  expect_success
}

@test "umoci unpacks an OCI layout written here" {
  command -v umoci >/dev/null || skip "umoci is not installed"
  fixture --out "$WORK/src.tar" --format oci-archive --name app:1 --layers 2
  s load -i "$WORK/src.tar"
  s save --format oci-dir -o "$WORK/odir" app:1
  run umoci ls --layout "$WORK/odir"
  expect_success
  tag=$output
  run umoci unpack --rootless --image "$WORK/odir:$tag" "$WORK/bundle"
  expect_success
  [ -d "$WORK/bundle/rootfs/layer0" ] && [ -d "$WORK/bundle/rootfs/layer1" ]
}

@test "docker-archive images from podman keep the generated manifest digest" {
  have_podman || skip "podman is not installed"
  fixture --out "$WORK/d.tar" --format docker-archive --name app:2
  p load -i "$WORK/d.tar" >/dev/null 2>&1
  want=$(podman_identity)
  run s load -i "$WORK/d.tar"
  expect_success
  [ "$(schicht_identity)" = "$want" ]
}

@test "podman's global flags are accepted; the last --root wins" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1
  run "$SCHICHT" --root "$WORK/ignored" --storage-driver overlay --storage-opt a=b \
    --runroot "$WORK/run" --log-level debug --tmpdir "$WORK" --cgroup-manager cgroupfs \
    --root "$STORE" load -i "$WORK/a.tar"
  expect_success
  [ ! -e "$WORK/ignored" ]
  run s images --log-level=error
  [[ "$output" == *"localhost/app"* ]]
}
