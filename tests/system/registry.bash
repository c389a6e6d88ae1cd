# A docker-registry (Debian's distribution) on 127.0.0.1 for the system tests: start it in
# setup_file, stop it in teardown_file. Plain HTTP, so commands talk to it with
# --tls-verify=false. Optionally protected by htpasswd (bcrypt from libcrypt via python3).

have_registry() { command -v docker-registry >/dev/null 2>&1; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Stops the process whose pid FILE holds (nothing when there is no FILE) and removes FILE. It
# polls: the process is not always this shell's child (setup_file and teardown_file may run
# apart).
stop_pid_file() {
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  rm -f "$file"
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
  stop_pid_file "$1/pid"
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

# Puts a fixture image (extra args go to the generator) into the registry as REG/NAME with
# skopeo, byte-exact.
skopeo_push() {
  local name=$1
  shift
  local file=$WORK/${name//[:\/]/_}.tar  # ':' would end the oci-archive path
  fixture --out "$file" --format oci-archive "$@"
  skopeo copy -q --dest-tls-verify=false "oci-archive:$file" "docker://$REG/$name" >/dev/null
}

# Pushes REG/NAME, three layers of fixture SEED, then damages its second layer in the
# registry's storage (same size, other bytes); sets LAYER to that layer's digest.
push_corrupt_layer() {
  local name=$1 seed=$2 file
  skopeo_push "$name" --seed "$seed" --layers 3 --layer-kb 128
  LAYER=$(skopeo inspect --tls-verify=false --format '{{index .Layers 1}}' "docker://$REG/$name")
  file=$(registry_blob_file "$REG_DIR" "$LAYER")
  chmod u+w "$file"
  printf 'XXXX' | dd of="$file" bs=1 seek=100 conv=notrunc 2>/dev/null
}

# Pushes REG/NAME, a fixture (extra args go to the generator) whose layers are intact but whose
# config names another diffID for the first layer (the manifest and index rewritten to match).
push_wrong_diffid() {
  local name=$1
  shift
  local dir=$WORK/${name//[:\/]/_}.dir
  fixture --out "$dir" --format oci-dir "$@"
  python3 - "$dir" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
def blob(digest): return os.path.join(d, "blobs", "sha256", digest[7:])
def put(data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    open(blob(digest), "wb").write(data)
    return {"digest": digest, "size": len(data)}
index = json.load(open(os.path.join(d, "index.json")))
manifest = json.load(open(blob(index["manifests"][0]["digest"])))
config = json.load(open(blob(manifest["config"]["digest"])))
config["rootfs"]["diff_ids"][0] = "sha256:" + hashlib.sha256(b"another layer").hexdigest()
manifest["config"].update(put(json.dumps(config).encode()))
index["manifests"][0].update(put(json.dumps(manifest).encode()))
json.dump(index, open(os.path.join(d, "index.json"), "w"))
PY
  skopeo copy -q --dest-tls-verify=false "oci:$dir" "docker://$REG/$name" >/dev/null
}

# What the registry serves for REF (host/repo:tag), as skopeo reads it.
remote_digest() {
  skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$1"
}
