#!/usr/bin/env bats
# import: a tarball becomes a one-layer image, as podman import makes it.

load helpers

rootfs() {
  mkdir -p "$WORK/root/etc" && echo hello > "$WORK/root/etc/hello"
  tar -cf "$WORK/root.tar" -C "$WORK/root" .
}

@test "import with changes and a message prints the ID" {
  rootfs
  run s import -c 'CMD ["/bin/sh"]' -c 'ENV A=b' -c 'LABEL x=y' -c 'EXPOSE 80' -c 'WORKDIR /w' \
    -c 'USER nobody' -m "my msg" "$WORK/root.tar" imp:1
  expect_success
  [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
  id=${output#sha256:}
  cfg=$(cat "$STORE/blobs/sha256/$id")
  [[ "$cfg" == *'"Cmd":["/bin/sh"]'* ]]
  [[ "$cfg" == *'"Env":["A=b"]'* ]]
  [[ "$cfg" == *'"Labels":{"x":"y"}'* ]]
  [[ "$cfg" == *'"ExposedPorts":{"80/tcp":{}}'* ]]
  [[ "$cfg" == *'"WorkingDir":"/w"'* ]]
  [[ "$cfg" == *'"User":"nobody"'* ]]
  [[ "$cfg" == *'"comment":"my msg"'* ]]
  run s images
  [[ "$output" == *"localhost/imp"*"1"* ]]
}

@test "import from stdin, compressed, without a name" {
  rootfs
  gzip -c "$WORK/root.tar" > "$WORK/root.tar.gz"
  run s import - < "$WORK/root.tar.gz"
  expect_success
  # The layer is stored uncompressed, its digest the diffID of the tar.
  diffid=$(sha256sum "$WORK/root.tar" | cut -d' ' -f1)
  [ -f "$STORE/blobs/sha256/$diffid" ]
  run s images
  [[ "$output" == *"<none>"* ]]
  # Without --message, the history comment is podman's.
  id=$(s images -q --no-trunc | sed 's/^sha256://')
  [[ "$(cat "$STORE/blobs/sha256/$id")" == *'"comment":"imported from tarball"'* ]]
}

@test "import errors: not a tar, bad change, missing file; store unchanged" {
  rootfs
  s import "$WORK/root.tar" keep:1 >/dev/null
  before=$(store_state)
  head -c 3000 /dev/urandom > "$WORK/noise"
  run s import "$WORK/noise" bad:1
  expect_failure 125 "$WORK/noise"
  [ "$(store_state)" = "$before" ]
  run s import -c 'FROBNICATE x' "$WORK/root.tar" bad:2
  expect_failure 125 "invalid instruction FROBNICATE"
  [ "$(store_state)" = "$before" ]
  run s import "$WORK/missing.tar"
  expect_failure 125 "$WORK/missing.tar"
  [ "$(store_state)" = "$before" ]
}
