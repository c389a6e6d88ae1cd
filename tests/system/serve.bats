#!/usr/bin/env bats
# serve: the store over the OCI distribution API, read-only. Real clients (skopeo, podman,
# schicht) pull from it with the stored digests; curl checks the protocol (headers, ranges,
# error bodies, refused writes and paths); --allow, basic auth, TLS; images added or removed
# while serving are seen at once; and two stores on loopback, one the registries.conf mirror
# of the other's pulls, with a fallback to a real registry when the mirror lacks an image.

load helpers
load registry

setup_file() {
  local dir=$BATS_FILE_TMPDIR
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$dir/app.tar" \
    --format oci-archive --layers 2 --name quay.io/org/app:1 --seed 41 --compression gzip
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$dir/other.tar" \
    --format oci-archive --layers 1 --name localhost/other:2 --seed 42 --compression gzip
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$dir/mirror.tar" \
    --format oci-archive --layers 2 --name example.test/app:1 --seed 43 --compression gzip
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$dir/upstream.tar" \
    --format oci-archive --layers 1 --name up:1 --seed 44 --compression gzip
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$dir/multi.tar" \
    --format oci-archive --layers 1 --name multi:1 --seed 45 --platforms linux/amd64,linux/arm64
}

teardown() {
  local pid
  for pid in $(cat "$WORK"/serve-*.pid 2>/dev/null); do
    kill "$pid" 2>/dev/null || true
  done
  stop_registry "$WORK/reg"
  remove_work
}

# start_serve STORE [FLAGS...]: `schicht serve` of STORE on a free loopback port, with FLAGS;
# prints the port once /v2/ answers (200, or 401 behind auth). Log: $WORK/serve-PORT.log.
start_serve() {
  local store=$1 port scheme=http code
  shift
  port=$(free_port)
  [[ " $* " == *" --cert "* ]] && scheme=https
  "$SCHICHT" --root "$store" serve --listen "127.0.0.1:$port" "$@" \
    >"$WORK/serve-$port.log" 2>&1 3>&- &
  echo $! >"$WORK/serve-$port.pid"
  for _ in $(seq 100); do
    code=$(curl -sk -o /dev/null -w '%{http_code}' "$scheme://127.0.0.1:$port/v2/" || true)
    if [ "$code" = 200 ] || [ "$code" = 401 ]; then
      echo "$port"
      return 0
    fi
    sleep 0.1
  done
  echo "schicht serve did not start: $(cat "$WORK/serve-$port.log")" >&2
  return 1
}

# The test store with quay.io/org/app:1 and localhost/other:2.
load_images() {
  s load -i "$BATS_FILE_TMPDIR/app.tar" >/dev/null
  s load -i "$BATS_FILE_TMPDIR/other.tar" >/dev/null
}

stored_digest() {
  s images --no-trunc --format '{{.Digest}}' --filter "reference=$1" | head -1
}

# The digest of layer N (0-based) of the stored image NAME.
layer_digest() {
  s inspect --format "{{index .RootFS.Layers $2}}" "$1" >/dev/null
  local manifest
  manifest=$(stored_digest "$1")
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][int(sys.argv[2])]["digest"])' \
    "$STORE/blobs/sha256/${manifest#sha256:}" "$2"
}

@test "serve: /v2/, catalog and tags with pagination, manifests byte-exact by tag and digest" {
  load_images
  port=$(start_serve "$STORE")
  base=http://127.0.0.1:$port/v2
  run curl -s -D - "$base/"
  expect_success
  [[ $output == *"HTTP/1.1 200"* ]]
  [[ $output == *"Docker-Distribution-API-Version: registry/2.0"* ]]

  run curl -s "$base/_catalog"
  [ "$output" = '{"repositories":["localhost/other","quay.io/org/app"]}' ]
  run curl -s -D - "$base/_catalog?n=1"
  [[ $output == *'Link: </v2/_catalog?last=localhost/other&n=1>; rel="next"'* ]]
  [[ $output == *'{"repositories":["localhost/other"]}'* ]]
  run curl -s "$base/_catalog?n=1&last=localhost/other"
  [ "$output" = '{"repositories":["quay.io/org/app"]}' ]

  s tag quay.io/org/app:1 quay.io/org/app:2 quay.io/org/app:3
  run curl -s "$base/quay.io/org/app/tags/list"
  [ "$output" = '{"name":"quay.io/org/app","tags":["1","2","3"]}' ]
  run curl -s "$base/quay.io/org/app/tags/list?n=2&last=1"
  [ "$output" = '{"name":"quay.io/org/app","tags":["2","3"]}' ]

  digest=$(stored_digest quay.io/org/app:1)
  file=$STORE/blobs/sha256/${digest#sha256:}
  curl -s -D "$WORK/h" -o "$WORK/m" "$base/quay.io/org/app/manifests/1"
  cmp "$WORK/m" "$file"
  grep -qi "^Content-Type: application/vnd.oci.image.manifest.v1+json" "$WORK/h"
  grep -qi "^Docker-Content-Digest: $digest" "$WORK/h"
  grep -qi "^Content-Length: $(stat -c %s "$file")" "$WORK/h"
  curl -s -o "$WORK/m2" "$base/quay.io/org/app/manifests/$digest"
  cmp "$WORK/m2" "$file"
  # HEAD: the headers, no body.
  run curl -s -I "$base/quay.io/org/app/manifests/1"
  [[ $output == *"Docker-Content-Digest: $digest"* ]]
  [[ $output == *"Content-Length: $(stat -c %s "$file")"* ]]
  # A digest of another repository is not this repository's.
  run curl -s -w ' %{http_code}' "$base/localhost/other/manifests/$digest"
  [[ $output == *'"code":"MANIFEST_UNKNOWN"'*' 404' ]]
  run curl -s -w ' %{http_code}' "$base/quay.io/org/app/manifests/nope"
  [[ $output == *'"code":"MANIFEST_UNKNOWN"'*' 404' ]]
  run curl -s -w ' %{http_code}' "$base/quay.io/org/nothing/manifests/1"
  [[ $output == *'"code":"NAME_UNKNOWN"'*' 404' ]]
  run curl -s -w ' %{http_code}' "$base/quay.io/org/nothing/tags/list"
  [[ $output == *'"code":"NAME_UNKNOWN"'*' 404' ]]
  # Referrers: none stored, an empty OCI index.
  run curl -s -D - "$base/quay.io/org/app/referrers/$digest"
  [[ $output == *"Content-Type: application/vnd.oci.image.index.v1+json"* ]]
  [[ $output == *'"manifests":[]'* ]]
}

@test "serve: blobs whole and by range (206, Content-Range), 416 past the end, BLOB_UNKNOWN" {
  load_images
  port=$(start_serve "$STORE")
  base=http://127.0.0.1:$port/v2/quay.io/org/app/blobs
  layer=$(layer_digest quay.io/org/app:1 0)
  file=$STORE/blobs/sha256/${layer#sha256:}
  size=$(stat -c %s "$file")
  curl -s -D "$WORK/h" -o "$WORK/b" "$base/$layer"
  cmp "$WORK/b" "$file"
  grep -qi "^Docker-Content-Digest: $layer" "$WORK/h"
  grep -qi "^Content-Length: $size" "$WORK/h"
  run curl -s -I "$base/$layer"
  [[ $output == *"HTTP/1.1 200"* ]]
  [[ $output == *"Content-Length: $size"* ]]

  curl -s -D "$WORK/h" -o "$WORK/part" -H 'Range: bytes=10-109' "$base/$layer"
  grep -q "^HTTP/1.1 206" "$WORK/h"
  grep -qi "^Content-Range: bytes 10-109/$size" "$WORK/h"
  grep -qi "^Content-Length: 100" "$WORK/h"
  cmp "$WORK/part" <(tail -c +11 "$file" | head -c 100)
  curl -s -o "$WORK/tail" -H 'Range: bytes=-7' "$base/$layer"
  cmp "$WORK/tail" <(tail -c 7 "$file")
  curl -s -o "$WORK/rest" -H "Range: bytes=$((size - 3))-" "$base/$layer"
  cmp "$WORK/rest" <(tail -c 3 "$file")

  run curl -s -D - -o /dev/null -H "Range: bytes=$size-" "$base/$layer"
  [[ $output == *"HTTP/1.1 416"* ]]
  [[ $output == *"Content-Range: bytes */$size"* ]]

  missing=sha256:$(printf x | sha256sum | cut -d' ' -f1)
  run curl -s -w ' %{http_code}' "$base/$missing"
  [[ $output == *'"code":"BLOB_UNKNOWN"'*' 404' ]]
  run curl -s -w ' %{http_code}' "$base/sha256:nothex"
  [[ $output == *'"code":"DIGEST_INVALID"'*' 400' ]]
}

@test "serve: skopeo and podman pull from it with the stored digests" {
  load_images
  port=$(start_serve "$STORE")
  digest=$(stored_digest quay.io/org/app:1)
  run skopeo inspect --tls-verify=false --format '{{.Digest}}' \
    "docker://127.0.0.1:$port/quay.io/org/app:1"
  expect_success
  [ "$output" = "$digest" ]
  run skopeo copy -q --src-tls-verify=false "docker://127.0.0.1:$port/quay.io/org/app:1" \
    "oci:$WORK/layout:x"
  expect_success
  grep -q "$digest" "$WORK/layout/index.json"
  have_podman || skip "podman is not installed"
  run p pull -q --tls-verify=false "127.0.0.1:$port/localhost/other:2"
  expect_success
  run p images --no-trunc --format '{{.Digest}}' "127.0.0.1:$port/localhost/other:2"
  [ "$output" = "$(stored_digest localhost/other:2)" ]
}

@test "serve: a pulled manifest list is served as the index, its instances by digest" {
  have_registry || skip "docker-registry is not installed"
  REG=$(start_registry "$WORK/reg")
  skopeo copy -q --all --dest-tls-verify=false "oci-archive:$BATS_FILE_TMPDIR/multi.tar" \
    "docker://$REG/multi:1"
  s pull -q --tls-verify=false "$REG/multi:1" >/dev/null
  # A name whose registry has a port cannot be a client's repository path (no ':' there):
  # --mirror-of serves it without its registry.
  port=$(start_serve "$STORE" --mirror-of "$REG")
  want=$(skopeo inspect --raw --tls-verify=false "docker://$REG/multi:1" | sha256sum)
  got=$(skopeo inspect --raw --tls-verify=false "docker://127.0.0.1:$port/multi:1" | sha256sum)
  [ "$got" = "$want" ]
  run curl -s -I "http://127.0.0.1:$port/v2/$REG/multi/manifests/1"
  [[ $output == *"Content-Type: application/vnd.oci.image.index.v1+json"* ]]
  # The instance for this machine, by digest, as a client picking it asks.
  run skopeo copy -q --src-tls-verify=false "docker://127.0.0.1:$port/multi:1" \
    "oci:$WORK/layout:x"
  expect_success
  instance=$(s images --no-trunc --format '{{.Digest}}' "$REG/multi:1")
  grep -q "$instance" "$WORK/layout/index.json"
}

@test "serve: writes are refused with 405 UNSUPPORTED and change nothing" {
  load_images
  port=$(start_serve "$STORE")
  BEFORE=$(store_state)
  base=http://127.0.0.1:$port/v2/quay.io/org/app
  for m in PUT POST PATCH DELETE; do
    run curl -s -X "$m" --data x -w ' %{http_code}' "$base/manifests/1"
    [[ $output == *'"code":"UNSUPPORTED"'*' 405' ]]
    run curl -s -X "$m" --data x -w ' %{http_code}' "$base/blobs/uploads/"
    [[ $output == *'"code":"UNSUPPORTED"'*' 405' ]]
  done
  run skopeo copy -q --dest-tls-verify=false "oci-archive:$BATS_FILE_TMPDIR/upstream.tar" \
    "docker://127.0.0.1:$port/up:1"
  [ "$status" -ne 0 ]
  same_as_before "$(store_state)"
}

@test "serve: --allow serves only matching repositories" {
  load_images
  port=$(start_serve "$STORE" --allow 'quay.io/*' --allow 'nomatch')
  base=http://127.0.0.1:$port/v2
  run curl -s "$base/_catalog"
  [ "$output" = '{"repositories":["quay.io/org/app"]}' ]
  run curl -s -o /dev/null -w '%{http_code}' "$base/quay.io/org/app/manifests/1"
  [ "$output" = 200 ]
  run curl -s -w ' %{http_code}' "$base/localhost/other/manifests/2"
  [[ $output == *'"code":"NAME_UNKNOWN"'*' 404' ]]
  layer=$(layer_digest localhost/other:2 0)
  run curl -s -o /dev/null -w '%{http_code}' "$base/localhost/other/blobs/$layer"
  [ "$output" = 404 ]
}

@test "serve: only blobs an image of the repository references; no path leaves the API" {
  load_images
  port=$(start_serve "$STORE")
  base=http://127.0.0.1:$port/v2
  # A blob in the blob store that no image references.
  printf 'secret bytes' >"$WORK/secret"
  hex=$(sha256sum "$WORK/secret" | cut -d' ' -f1)
  cp "$WORK/secret" "$STORE/blobs/sha256/$hex"
  run curl -s -w ' %{http_code}' "$base/quay.io/org/app/blobs/sha256:$hex"
  [[ $output == *'"code":"BLOB_UNKNOWN"'*' 404' ]]
  [[ $output != *secret* ]]
  # Another repository's layer is not this repository's.
  layer=$(layer_digest localhost/other:2 0)
  run curl -s -o /dev/null -w '%{http_code}' "$base/quay.io/org/app/blobs/$layer"
  [ "$output" = 404 ]
  run curl -s -o /dev/null -w '%{http_code}' "$base/localhost/other/blobs/$layer"
  [ "$output" = 200 ]
  for path in "/v2/../../etc/passwd" "/v2/%2e%2e/%2e%2e/etc/passwd/manifests/1" \
    "/v2/quay.io/org/app/blobs/..%2f..%2fdb.sqlite" "/v2/quay.io/../../blobs/sha256:$hex" \
    "/v2/quay.io/org/app/manifests/..%2f..%2f..%2fdb.sqlite" "/../db.sqlite" "/blobs/sha256/$hex"; do
    run curl -s --path-as-is -w ' %{http_code}' "http://127.0.0.1:$port$path"
    [[ $output != *secret* && $output != *root:* && $output != *SQLite* ]]
    [[ $output == *' 40'[04] ]]
  done
}

@test "serve: images added, tagged and removed while serving are seen at once" {
  s load -i "$BATS_FILE_TMPDIR/app.tar" >/dev/null
  port=$(start_serve "$STORE")
  base=http://127.0.0.1:$port/v2
  run curl -s -o /dev/null -w '%{http_code}' "$base/localhost/other/manifests/2"
  [ "$output" = 404 ]
  s load -i "$BATS_FILE_TMPDIR/other.tar" >/dev/null
  run curl -s -o /dev/null -w '%{http_code}' "$base/localhost/other/manifests/2"
  [ "$output" = 200 ]
  s tag localhost/other:2 localhost/other:new
  run curl -s -o /dev/null -w '%{http_code}' "$base/localhost/other/manifests/new"
  [ "$output" = 200 ]
  layer=$(layer_digest quay.io/org/app:1 0)
  s rmi quay.io/org/app:1 >/dev/null
  run curl -s -w ' %{http_code}' "$base/quay.io/org/app/manifests/1"
  [[ $output == *'"code":"NAME_UNKNOWN"'*' 404' ]]
  run curl -s -o /dev/null -w '%{http_code}' "$base/quay.io/org/app/blobs/$layer"
  [ "$output" = 404 ]
  run curl -s "$base/_catalog"
  [ "$output" = '{"repositories":["localhost/other"]}' ]
}

@test "serve: basic auth from an htpasswd file: 401 with a challenge, 200 with credentials" {
  load_images
  python3 -W ignore -c 'import crypt, sys
print("alice:" + crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)).replace("$2b$", "$2y$", 1))' \
    >"$WORK/htpasswd"
  port=$(start_serve "$STORE" --htpasswd "$WORK/htpasswd")
  base=http://127.0.0.1:$port/v2
  run curl -s -D - "$base/"
  [[ $output == *"HTTP/1.1 401"* ]]
  [[ $output == *'WWW-Authenticate: Basic realm="schicht"'* ]]
  [[ $output == *'"code":"UNAUTHORIZED"'* ]]
  run curl -s -o /dev/null -w '%{http_code}' -u alice:wrong "$base/_catalog"
  [ "$output" = 401 ]
  run curl -s -o /dev/null -w '%{http_code}' -u alice:s3cret "$base/_catalog"
  [ "$output" = 200 ]
  run skopeo inspect --tls-verify=false --format '{{.Digest}}' \
    "docker://127.0.0.1:$port/quay.io/org/app:1"
  [ "$status" -ne 0 ]
  run skopeo inspect --tls-verify=false --creds alice:s3cret --format '{{.Digest}}' \
    "docker://127.0.0.1:$port/quay.io/org/app:1"
  expect_success
  [ "$output" = "$(stored_digest quay.io/org/app:1)" ]
  grep -q ' - alice \[.*"GET /v2/_catalog HTTP/1.1" 200' "$WORK/serve-$port.log"
}

@test "serve: TLS with --cert and --key; clients verify it with the CA" {
  load_images
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
  port=$(start_serve "$STORE" --cert "$WORK/cert.pem" --key "$WORK/key.pem")
  run curl -s --cacert "$WORK/cert.pem" "https://127.0.0.1:$port/v2/_catalog"
  [ "$output" = '{"repositories":["localhost/other","quay.io/org/app"]}' ]
  run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/"
  [ "$output" != 200 ]
  mkdir "$WORK/certs"
  cp "$WORK/cert.pem" "$WORK/certs/ca.crt"
  run skopeo inspect --cert-dir "$WORK/certs" --format '{{.Digest}}' \
    "docker://127.0.0.1:$port/quay.io/org/app:1"
  expect_success
  [ "$output" = "$(stored_digest quay.io/org/app:1)" ]
  run skopeo inspect --format '{{.Digest}}' "docker://127.0.0.1:$port/quay.io/org/app:1"
  [ "$status" -ne 0 ]
}

@test "serve: a registries.conf mirror: pulls come from the peer, and fall back upstream" {
  have_registry || skip "docker-registry is not installed"
  # The upstream: a real registry holding only up:1, named example.test/up:1 through the prefix.
  REG=$(start_registry "$WORK/reg")
  skopeo copy -q --dest-tls-verify=false "oci-archive:$BATS_FILE_TMPDIR/upstream.tar" \
    "docker://$REG/up:1"
  # The peer: another store holding example.test/app:1, served as a mirror of example.test.
  peer=$WORK/peer
  "$SCHICHT" --root "$peer" load -i "$BATS_FILE_TMPDIR/mirror.tar" >/dev/null
  want=$("$SCHICHT" --root "$peer" images --no-trunc --format '{{.Digest}}')
  port=$(start_serve "$peer" --mirror-of example.test)
  cat >"$WORK/registries.conf" <<EOF
[[registry]]
prefix = "example.test"
location = "$REG"
insecure = true
[[registry.mirror]]
location = "127.0.0.1:$port"
insecure = true
EOF
  export CONTAINERS_REGISTRIES_CONF=$WORK/registries.conf
  run s pull -q example.test/app:1
  expect_success
  [ "$(stored_digest example.test/app:1)" = "$want" ]
  grep -q '"GET /v2/app/manifests/1 HTTP/1.1" 200 .*schicht/' "$WORK/serve-$port.log"
  # Not on the peer: from the upstream registry.
  run s pull -q example.test/up:1
  expect_success
  [ "$(stored_digest example.test/up:1)" = "$(remote_digest "$REG/up:1")" ]
  grep -q '"GET /v2/up/manifests/1 HTTP/1.1" 404' "$WORK/serve-$port.log"

  have_podman || skip "podman is not installed"
  run p pull -q example.test/app:1
  expect_success
  run p images --no-trunc --format '{{.Digest}}' example.test/app:1
  [ "$output" = "$want" ]
  grep -q '"GET /v2/app/manifests/1 HTTP/1.1" 200 .*containers/' "$WORK/serve-$port.log"
  run p pull -q example.test/up:1
  expect_success
  # The peer down: the upstream serves what it has.
  kill "$(cat "$WORK/serve-$port.pid")"
  p rmi example.test/up:1 >/dev/null
  run p pull -q example.test/up:1
  expect_success
}

@test "serve: SIGTERM stops it cleanly; the access log goes to --access-log" {
  load_images
  port=$(start_serve "$STORE" --access-log "$WORK/access.log")
  curl -s -o /dev/null "http://127.0.0.1:$port/v2/_catalog"
  pid=$(cat "$WORK/serve-$port.pid")
  kill -TERM "$pid"
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  ! kill -0 "$pid" 2>/dev/null
  grep -q '"GET /v2/_catalog HTTP/1.1" 200' "$WORK/access.log"
  run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/"
  [ "$output" = 000 ]
}

@test "serve: bad flags and files fail before serving, with exit 125" {
  run s serve --listen nonsense
  expect_failure 125 'invalid --listen "nonsense"'
  run s serve --listen 127.0.0.1:99999
  expect_failure 125 "invalid --listen"
  run s serve --cert "$WORK/c.pem"
  expect_failure 125 "--cert and --key must be given together"
  run s serve --mirror-of 'bad/registry'
  expect_failure 125 'invalid --mirror-of "bad/registry"'
  run s serve extra
  expect_failure 125 "accepts 0 arg(s), received 1"
  run s serve --listen 127.0.0.1:0 --htpasswd "$WORK/missing"
  expect_failure 125 "$WORK/missing"
  printf 'alice:plaintext\n' >"$WORK/htpasswd"
  run s serve --listen 127.0.0.1:0 --htpasswd "$WORK/htpasswd"
  expect_failure 125 "$WORK/htpasswd:1"
  printf 'not a certificate\n' >"$WORK/c.pem"
  run s serve --listen 127.0.0.1:0 --cert "$WORK/c.pem" --key "$WORK/c.pem"
  expect_failure 125 "cannot use --cert"
  load_images
  port=$(start_serve "$STORE")
  run s serve --listen "127.0.0.1:$port"
  expect_failure 125 "cannot listen on 127.0.0.1:$port"
  # Without the server executable beside the binary or installed: said so.
  mkdir "$WORK/bin"
  cp "$SCHICHT" "$WORK/bin/schicht"
  if ! ls /usr/libexec/schicht/schicht-serve /usr/local/libexec/schicht/schicht-serve \
    >/dev/null 2>&1; then
    run "$WORK/bin/schicht" --root "$STORE" serve
    expect_failure 125 "cannot run /" "/schicht-serve: No such file or directory"
  fi
}

@test "serve: completion offers its flags, files for --cert/--key/--htpasswd, no arguments" {
  run "$SCHICHT" __complete serve --mir
  expect_success
  [[ $output == *"--mirror-of"* ]]
  run "$SCHICHT" __complete serve --htpasswd ""
  expect_success
  [[ $output == *":files"* ]]
  run "$SCHICHT" __complete serve ""
  expect_success
  [[ $output == *":nofiles"* ]]
}
