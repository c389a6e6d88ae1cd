#!/usr/bin/env bats
# push through the copy engine to every destination podman's push accepts: docker://, oci:,
# oci-archive:, docker-archive:, dir:; what each wrote reads back in skopeo (and podman).

load helpers
load registry

setup_file() {
  have_registry || skip "docker-registry is not installed"
  start_file_registry
}

teardown_file() {
  stop_file_registry
}

load_app() {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layers 2 --seed 31
  s load -i "$WORK/a.tar" >/dev/null
  read -r ID DIGEST <<<"$(s inspect --format '{{.Id}} {{.Digest}}' app:1)"
}

@test "push to every destination: the manifest as stored, readable by skopeo" {
  command -v skopeo >/dev/null || skip "skopeo is not installed"
  load_app
  run sp push --digestfile "$WORK/d.reg" app:1 "docker://$REG/app:1"
  expect_success
  [ "$(cat "$WORK/d.reg")" = "$DIGEST" ]
  [ "$(remote_digest "$REG/app:1")" = "$DIGEST" ]
  s push --digestfile "$WORK/d.oci" app:1 "oci:$WORK/odir:one"
  [ "$(cat "$WORK/d.oci")" = "$DIGEST" ]
  [ "$(skopeo inspect --format '{{.Digest}}' "oci:$WORK/odir:one")" = "$DIGEST" ]
  s push app:1 "oci-archive:$WORK/o.tar"
  [ "$(skopeo inspect --format '{{.Digest}}' "oci-archive:$WORK/o.tar")" = "$DIGEST" ]
  tar -xOf "$WORK/o.tar" index.json | grep -q '"org.opencontainers.image.ref.name":"localhost/app:1"'
  s push app:1 "dir:$WORK/ddir"
  [ "$(skopeo inspect --format '{{.Digest}}' "dir:$WORK/ddir")" = "$DIGEST" ]
  s push app:1 "docker-archive:$WORK/d.tar"
  tar -xOf "$WORK/d.tar" manifest.json | grep -q '"RepoTags":\["localhost/app:1"\]'
  run skopeo inspect --config "docker-archive:$WORK/d.tar"
  expect_success
  s push app:1 "docker-archive:$WORK/d2.tar:other/name:2"
  tar -xOf "$WORK/d2.tar" manifest.json | grep -q '"RepoTags":\["docker.io/other/name:2","localhost/app:1"\]'
  if have_podman; then
    run p load -i "$WORK/d.tar"
    expect_success
    [ "$(p inspect --format '{{.Id}}' localhost/app:1)" = "${ID#sha256:}" ]
  fi
}

@test "push --compress to dir: gzips layers stored uncompressed; without it they stay as stored" {
  mkdir -p "$WORK/root" && head -c 100000 /dev/zero >"$WORK/root/f" && tar -cf "$WORK/root.tar" -C "$WORK/root" .
  s import -q "$WORK/root.tar" imp:1 >/dev/null
  s push imp:1 "dir:$WORK/plain"
  s push --compress imp:1 "dir:$WORK/gz"
  layer_type() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["mediaType"])' "$1/manifest.json"; }
  [ "$(layer_type "$WORK/plain")" = "application/vnd.oci.image.layer.v1.tar" ]
  [ "$(layer_type "$WORK/gz")" = "application/vnd.oci.image.layer.v1.tar+gzip" ]
  rm -rf "$STORE"
  run s pull -q "dir:$WORK/gz"
  expect_success
}

@test "push bad input: signing a file destination, a missing image, an unknown transport" {
  load_app
  BEFORE=$(store_state)
  run s push --sign-by someone@example.com app:1 "oci-archive:$WORK/o.tar"
  expect_failure 125 "--sign-by is only supported for pushes to a registry"
  run s push nosuch "oci-archive:$WORK/o.tar"
  expect_failure 125 "nosuch: image not known"
  run s push app:1 "docker-daemon:app:1"
  expect_failure 125 "docker-daemon"
  run s push --format v2s2 --compression-format zstd app:1 "docker://$REG/bad:1"
  expect_failure 125
  [ ! -e "$WORK/o.tar" ]
  [ -z "$(ls -A "$WORK" | grep 'o.tar')" ]
  unchanged
}
