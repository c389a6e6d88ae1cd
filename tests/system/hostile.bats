#!/usr/bin/env bats
# Hostile layers through the CLI: images whose layers try to write outside the store (.., absolute
# paths, symlinks and hardlinks that lead out, whiteouts through symlinks, lower-layer symlinks,
# huge headers, duplicates, device nodes) are loaded and then extracted by `create`. Each is
# refused with a message naming what was refused, or extracted harmlessly; nothing outside the
# store ever changes. The file ends by printing the hostile inputs tried and the files written
# outside (zero).

load helpers

setup_file() {
  export TALLY=$BATS_FILE_TMPDIR/tally
  : >"$TALLY"
}

teardown_file() {
  local tried outside
  tried=$(grep -c '^tried ' "$TALLY" || true)
  outside=$(grep -c '^outside ' "$TALLY" || true)
  echo "# hostile layers tried: $tried; refused: $(grep -c '^refused ' "$TALLY" || true); files written outside: $outside" >&3
}

# hostile_image OUT SPEC: an oci-archive named evil:1 whose layers (uncompressed tars) SPEC
# describes: JSON, a list of layers, each a list of entries
#   {"name": ..., "type": "file|dir|symlink|hardlink|char|fifo", "target": ..., "data": ...,
#    "pax": {...}}
hostile_image() {
  python3 - "$1" "$2" <<'PY'
import hashlib, io, json, sys, tarfile
out, spec = sys.argv[1], json.loads(sys.argv[2])
types = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
         "hardlink": tarfile.LNKTYPE, "char": tarfile.CHRTYPE, "fifo": tarfile.FIFOTYPE}
blobs = {}
def put(data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    blobs[digest] = data
    return {"digest": digest, "size": len(data)}
layers, diff_ids = [], []
for entries in spec:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            info = tarfile.TarInfo(e["name"])
            info.type = types[e.get("type", "file")]
            info.mode = 0o755 if info.type == tarfile.DIRTYPE else 0o644
            info.mtime = 1700000000
            if "target" in e:
                info.linkname = e["target"]
            if info.type == tarfile.CHRTYPE:
                info.devmajor, info.devminor = 1, 3
            if "pax" in e:
                info.pax_headers = e["pax"]
            data = e.get("data", "").encode()
            info.size = len(data) if info.type == tarfile.REGTYPE else 0
            t.addfile(info, io.BytesIO(data) if info.size else None)
    tar = buf.getvalue()
    d = put(tar)
    layers.append(dict(mediaType="application/vnd.oci.image.layer.v1.tar", **d))
    diff_ids.append(d["digest"])
config = put(json.dumps({"architecture": "amd64", "os": "linux", "config": {},
    "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode())
manifest = put(json.dumps({"schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **config),
    "layers": layers}).encode())
index = {"schemaVersion": 2, "manifests": [dict(
    mediaType="application/vnd.oci.image.manifest.v1+json",
    annotations={"org.opencontainers.image.ref.name": "evil:1"}, **manifest)]}
with tarfile.open(out, "w") as t:
    def add(name, data):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
    add("index.json", json.dumps(index).encode())
    for digest, data in blobs.items():
        add("blobs/sha256/" + digest[7:], data)
PY
}

# A directory outside the store that the layers aim at, and its fingerprint.
outside_state() {
  (cd "$OUTSIDE" && find . -printf '%p %y %s %m\n' | sort && cat secret)
}

# attempt NAME SPEC EXPECT: loads and extracts the hostile image. EXPECT is "refused:TEXT" (load
# or create fails with exit 125 and TEXT in its message) or "harmless" (either may succeed).
# Either way nothing outside the store changes and the store stays consistent.
attempt() {
  local name=$1 spec=$2 expect=$3
  OUTSIDE=$WORK/outside
  unmount_under "$STORE"
  rm -rf "$OUTSIDE" "$STORE"
  mkdir -p "$OUTSIDE/dir"
  echo "do not touch" >"$OUTSIDE/secret"
  local before
  before=$(outside_state)
  spec=${spec//@OUT@/$OUTSIDE}
  hostile_image "$WORK/evil.tar" "$spec"
  echo "tried $name" >>"$TALLY"
  local out="" rc=0
  out=$(s load -i "$WORK/evil.tar" 2>&1) || rc=$?
  if [ $rc -eq 0 ]; then
    out=$(s create --name c evil:1 2>&1) || rc=$?
  fi
  if [ "$(outside_state)" != "$before" ] || [ -e /pwned ] || [ -e "$WORK/pwned" ]; then
    echo "outside $name" >>"$TALLY"
    echo "$name: something outside the store changed"
    diff <(echo "$before") <(outside_state) || true
    return 1
  fi
  case $expect in
    refused:*)
      [ $rc -eq 125 ] || { echo "$name: expected a refusal, got exit $rc: $out"; return 1; }
      [[ "$out" == *"${expect#refused:}"* ]] || { echo "$name: message lacks '${expect#refused:}': $out"; return 1; }
      echo "refused $name" >>"$TALLY"
      ;;
    harmless)
      [ $rc -eq 0 ] || [ $rc -eq 125 ] || { echo "$name: exit $rc: $out"; return 1; }
      [ $rc -ne 125 ] || echo "refused $name" >>"$TALLY"
      ;;
  esac
  run s system check
  expect_success
}

@test "paths that climb out or are absolute are refused at load" {
  attempt dotdot '[[{"name": "../../pwned", "data": "x"}]]' 'refused:tar entry "../../pwned" escapes the root'
  attempt dotdot-inside '[[{"name": "a/../../pwned", "data": "x"}]]' 'refused:escapes the root'
  attempt absolute '[[{"name": "@OUT@/pwned", "data": "x"}]]' 'refused:escapes the root'
  attempt hardlink-dotdot '[[{"name": "h", "type": "hardlink", "target": "../../secret"}]]' 'refused:escapes the root'
  attempt whiteout-dotdot '[[{"name": "../.wh.secret"}]]' 'refused:escapes the root'
}

@test "symlinks and hardlinks that lead out are never followed" {
  attempt file-through-symlink \
    '[[{"name": "evil", "type": "symlink", "target": "@OUT@"}, {"name": "evil/pwned", "data": "x"}]]' \
    'refused:evil/pwned'
  attempt file-through-lower-symlink \
    '[[{"name": "evil", "type": "symlink", "target": "@OUT@"}], [{"name": "evil/pwned", "data": "x"}]]' \
    'refused:evil/pwned'
  attempt relative-symlink-out \
    '[[{"name": "evil", "type": "symlink", "target": "../../../../../../../../.."}, {"name": "evil/pwned", "data": "x"}]]' \
    'refused:evil/pwned'
  attempt overwrite-through-symlink \
    '[[{"name": "s", "type": "symlink", "target": "@OUT@/secret"}], [{"name": "s", "data": "overwritten"}]]' \
    harmless
  attempt hardlink-through-symlink \
    '[[{"name": "evil", "type": "symlink", "target": "@OUT@"}, {"name": "h", "type": "hardlink", "target": "evil/secret"}]]' \
    'refused:evil/secret'
  attempt hardlink-to-absolute \
    '[[{"name": "h", "type": "hardlink", "target": "@OUT@/secret"}]]' 'refused:escapes the root'
  attempt symlink-replaced-by-directory \
    '[[{"name": "d", "type": "symlink", "target": "@OUT@/dir"}], [{"name": "d", "type": "dir"}, {"name": "d/pwned", "data": "x"}]]' \
    harmless
}

@test "whiteouts and opaque markers through symlinks are refused" {
  attempt whiteout-through-symlink \
    '[[{"name": "evil", "type": "symlink", "target": "@OUT@"}], [{"name": "evil/.wh.secret"}]]' \
    'refused:evil'
  attempt opaque-through-symlink \
    '[[{"name": "evil", "type": "symlink", "target": "@OUT@"}], [{"name": "evil/.wh..wh..opq"}]]' \
    'refused:evil'
  attempt whiteout-of-symlink \
    '[[{"name": "evil", "type": "symlink", "target": "@OUT@"}], [{"name": ".wh.evil"}]]' \
    harmless
}

@test "device nodes, duplicates and huge headers" {
  attempt device-node '[[{"name": "null", "type": "char"}, {"name": "fifo", "type": "fifo"}]]' harmless
  attempt duplicates '[[{"name": "f", "data": "one"}, {"name": "f", "data": "two"}, {"name": "f", "type": "symlink", "target": "@OUT@/secret"}]]' harmless
  long=$(printf 'a%.0s' $(seq 1 5000))
  attempt long-path "[[{\"name\": \"$long\", \"data\": \"x\"}]]" harmless
  attempt huge-pax "[[{\"name\": \"f\", \"data\": \"x\", \"pax\": {\"comment\": \"$(printf 'c%.0s' $(seq 1 70000))\"}}]]" harmless
}

@test "a NUL byte inside a PAX path or linkpath is refused, as podman refuses it" {
  attempt pax-path-nul '[[{"name": "x", "data": "x", "pax": {"path": "etc/passwd\u0000.ignored"}}]]' \
    'refused:invalid tar header: the PAX path record of tar entry "etc/passwd" holds a NUL byte'
  attempt pax-linkpath-nul \
    '[[{"name": "l", "type": "symlink", "target": "t", "pax": {"linkpath": "@OUT@/secret\u0000x"}}]]' \
    'refused:the PAX linkpath record of tar entry "l" holds a NUL byte'
}
