# A docker-registry (Debian's distribution) on 127.0.0.1 for the system tests: start it in
# setup_file, stop it in teardown_file. Plain HTTP, so commands talk to it with
# --tls-verify=false. Optionally protected by htpasswd (bcrypt from libcrypt via python3).

have_registry() { command -v docker-registry >/dev/null 2>&1; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The HTTP status of a GET of URL, 0 when nothing answers.
http_status() {
  python3 - "$1" <<'EOF'
import sys, urllib.error, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=2).status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print(0)
EOF
}

# start_registry DIR [USER PASSWORD]: serves DIR/data on a free port and prints
# "127.0.0.1:PORT" once /v2/ answers. The pid is kept in DIR/pid for stop_registry. With
# PROXY_REMOTEURL in the environment, it is a pull-through cache of that URL.
start_registry() {
  local dir=$1 user=${2:-} password=${3:-} port
  mkdir -p "$dir"
  port=$(free_port)
  cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: schicht-test-secret
EOF
  # PROXY_REMOTEURL set: distribution's proxy mode, a pull-through cache of that registry.
  if [ -n "${PROXY_REMOTEURL:-}" ]; then
    printf 'proxy:\n  remoteurl: %s\n' "$PROXY_REMOTEURL" >>"$dir/config.yml"
  fi
  if [ -n "$user" ]; then
    # bcrypt at the lowest cost: the registry checks it on every request.
    python3 -W ignore -c 'import crypt, sys
print(sys.argv[1] + ":" + crypt.crypt(sys.argv[2], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))' \
      "$user" "$password" >"$dir/htpasswd"
    printf 'auth:\n  htpasswd:\n    realm: schicht-test\n    path: %s/htpasswd\n' "$dir" \
      >>"$dir/config.yml"
  fi
  # fd 3 is bats' own: a background process holding it would make bats wait for it.
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 3>&- &
  echo $! >"$dir/pid"
  local code
  for _ in $(seq 100); do
    code=$(http_status "http://127.0.0.1:$port/v2/")
    if [ "$code" = 200 ] || [ "$code" = 401 ]; then
      echo "127.0.0.1:$port"
      return 0
    fi
    sleep 0.2
  done
  echo "docker-registry did not start: $(cat "$dir/log")" >&2
  stop_registry "$dir"
  return 1
}

stop_registry() {
  local dir=$1
  [ -f "$dir/pid" ] || return 0
  local pid
  pid=$(cat "$dir/pid")
  kill "$pid" 2>/dev/null || true
  # Not always this shell's child (setup_file and teardown_file may run apart): poll.
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  rm -f "$dir/pid"
}

# For setup_file: a registry for the whole file in $BATS_FILE_TMPDIR/registry, optionally
# protected by USER PASSWORD; exports REG_DIR and REG (its "127.0.0.1:PORT").
start_file_registry() {
  export REG_DIR=$BATS_FILE_TMPDIR/registry
  REG=$(start_registry "$REG_DIR" "$@") || return 1
  export REG
}

# For teardown_file: stops what start_file_registry started (nothing when it did not run).
stop_file_registry() {
  stop_registry "$BATS_FILE_TMPDIR/registry"
}

# schicht on the test's store, talking plain HTTP to the test registry, without retries (a
# file that needs more, such as registries.d or other timeouts, defines its own).
sp() {
  s "$@" --tls-verify=false --retry 0
}

# The file in the registry's storage that holds blob DIGEST.
registry_blob_file() {
  local dir=$1 digest=$2 hex=${2#sha256:}
  echo "$dir/data/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
}

# What the registry serves for REF (host/repo:tag), as skopeo reads it.
remote_digest() {
  skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$1"
}
