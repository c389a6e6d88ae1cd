#!/usr/bin/env bats
# docs/distribution.md as written: a docker-registry in distribution's proxy mode (a
# pull-through cache of an upstream registry) named as the registries.conf mirror of that
# upstream. Pulls (schicht's and podman's) go through the cache, which keeps the blobs, with
# the upstream's digests; with the cache down they come from the upstream itself.
# pull-from-mirror = "digest-only": a pull by tag skips the mirror, a pull by digest uses it.
# A mirror location with a path (Harbor's project form), and the air-gap recipe (image sync
# to a directory and into the site's registry, pulled by the old name through a rewrite).

load helpers
load registry

setup_file() {
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$BATS_FILE_TMPDIR/app.tar" \
    --format oci-archive --layers 2 --name app:1 --seed 61 --compression gzip
}

teardown() {
  stop_registry "$WORK/cache"
  stop_registry "$WORK/upstream"
  remove_work
}

# The upstream with app:1 as $UPSTREAM, its cache (proxy mode) as $CACHE, and
# $WORK/registries.conf naming example.test the upstream with the cache as its mirror, as in
# docs/distribution.md; MIRROR_EXTRA is added to the mirror's table.
start_upstream_and_cache() {
  have_registry || skip "docker-registry is not installed"
  UPSTREAM=$(start_registry "$WORK/upstream")
  skopeo copy -q --dest-tls-verify=false "oci-archive:$BATS_FILE_TMPDIR/app.tar" \
    "docker://$UPSTREAM/app:1"
  CACHE=$(PROXY_REMOTEURL=http://$UPSTREAM start_registry "$WORK/cache")
  cat >"$WORK/registries.conf" <<EOF
[[registry]]
prefix = "example.test"
location = "$UPSTREAM"
insecure = true

[[registry.mirror]]
location = "$CACHE"
insecure = true
${MIRROR_EXTRA:-}
EOF
  export CONTAINERS_REGISTRIES_CONF=$WORK/registries.conf
}

stored_digest() {
  s images --no-trunc --format '{{.Digest}}' --filter "reference=$1" | head -1
}

# Waits until the cache holds blob DIGEST: distribution stores what it proxies in the
# background, while it streams the blob to the client.
cache_has_blob() {
  local file
  file=$(registry_blob_file "$WORK/cache" "$1")
  for _ in $(seq 100); do
    [ -s "$file" ] && return 0
    sleep 0.1
  done
  echo "the cache did not keep $1" >&2
  return 1
}

@test "pull through a distribution proxy cache: the cache keeps the blobs, digests are the upstream's" {
  start_upstream_and_cache
  want=$(remote_digest "$UPSTREAM/app:1")
  run s pull -q example.test/app:1
  expect_success
  [ "$(stored_digest example.test/app:1)" = "$want" ]
  # The cache answered, and kept the manifest and every layer.
  [ "$(remote_digest "$CACHE/app:1")" = "$want" ]
  skopeo inspect --raw --tls-verify=false "docker://$UPSTREAM/app:1" >"$WORK/manifest.json"
  for digest in $(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(m["config"]["digest"])
for l in m["layers"]:
    print(l["digest"])' "$WORK/manifest.json"); do
    cache_has_blob "$digest"
  done
  [ -d "$WORK/cache/data/docker/registry/v2/repositories/app/_manifests" ]

  # The cache down: the same pull comes from the upstream.
  stop_registry "$WORK/cache"
  s rmi example.test/app:1 >/dev/null
  run s pull -q example.test/app:1
  expect_success
  [ "$(stored_digest example.test/app:1)" = "$want" ]

  have_podman || skip "podman is not installed"
  p pull -q example.test/app:1 >/dev/null
  run p images --no-trunc --format '{{.Digest}}' example.test/app:1
  [ "$output" = "$want" ]
}

@test "pull through a distribution proxy cache: podman with the same registries.conf" {
  have_podman || skip "podman is not installed"
  start_upstream_and_cache
  want=$(remote_digest "$UPSTREAM/app:1")
  run p pull -q example.test/app:1
  expect_success
  run p images --no-trunc --format '{{.Digest}}' example.test/app:1
  [ "$output" = "$want" ]
  [ -d "$WORK/cache/data/docker/registry/v2/repositories/app/_manifests" ]
}

@test "pull-from-mirror = \"digest-only\": by tag the mirror is skipped, by digest it is used" {
  MIRROR_EXTRA='pull-from-mirror = "digest-only"' start_upstream_and_cache
  want=$(remote_digest "$UPSTREAM/app:1")
  run s pull -q example.test/app:1
  expect_success
  [ "$(stored_digest example.test/app:1)" = "$want" ]
  # Nothing asked of the cache: it holds no repository.
  [ ! -e "$WORK/cache/data/docker/registry/v2/repositories" ]

  s rmi example.test/app:1 >/dev/null
  run s pull -q "example.test/app@$want"
  expect_success
  [ -d "$WORK/cache/data/docker/registry/v2/repositories/app/_manifests" ]
  run s images --no-trunc --format '{{.Digest}}'
  [ "$output" = "$want" ]
}

@test "a mirror with a path (a Harbor proxy-cache project): REPO is asked as MIRROR/PROJECT/REPO" {
  have_registry || skip "docker-registry is not installed"
  # A registry holding the image under a project path, as Harbor's proxy-cache project does;
  # the upstream itself answers nothing (a closed port), so only the mirror can serve it.
  HARBOR=$(start_registry "$WORK/upstream")
  skopeo copy -q --dest-tls-verify=false "oci-archive:$BATS_FILE_TMPDIR/app.tar" \
    "docker://$HARBOR/dockerhub/library/app:1"
  cat >"$WORK/registries.conf" <<EOF
[[registry]]
prefix = "example.test"
location = "127.0.0.1:$(free_port)"
insecure = true

[[registry.mirror]]
location = "$HARBOR/dockerhub"
insecure = true
EOF
  export CONTAINERS_REGISTRIES_CONF=$WORK/registries.conf
  run s pull -q --retry 0 example.test/library/app:1
  expect_success
  [ "$(stored_digest example.test/library/app:1)" = "$(remote_digest "$HARBOR/dockerhub/library/app:1")" ]
}

@test "an air gap as documented: image sync to a directory, into the site's registry, pulled by the old name" {
  have_registry || skip "docker-registry is not installed"
  OUTSIDE=$(start_registry "$WORK/upstream")
  skopeo copy -q --dest-tls-verify=false "oci-archive:$BATS_FILE_TMPDIR/app.tar" \
    "docker://$OUTSIDE/library/app:1"
  want=$(remote_digest "$OUTSIDE/library/app:1")
  printf '%s\n' '{"default":[{"type":"insecureAcceptAnything"}]}' >"$WORK/accept.json"
  cat >"$WORK/images.yaml" <<EOF
$OUTSIDE:
  tls-verify: false
  images:
    library/app: ["1"]
EOF
  run s image sync --signature-policy "$WORK/accept.json" --src yaml --dest dir \
    "$WORK/images.yaml" "$WORK/transfer"
  expect_success
  stop_registry "$WORK/upstream"
  SITE=$(start_registry "$WORK/cache")
  run s image sync --signature-policy "$WORK/accept.json" --dest-tls-verify=false \
    --src dir --dest docker "$WORK/transfer" "$SITE/library"
  expect_success
  cat >"$WORK/registries.conf" <<EOF
[[registry]]
prefix = "docker.io"
location = "$SITE"
insecure = true
EOF
  export CONTAINERS_REGISTRIES_CONF=$WORK/registries.conf
  run s pull -q --retry 0 docker.io/library/app:1
  expect_success
  [ "$(stored_digest docker.io/library/app:1)" = "$want" ]
}
