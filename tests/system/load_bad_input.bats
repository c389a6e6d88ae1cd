#!/usr/bin/env bats
# load with bad input: exit 125, a message naming the file and the problem, the store unchanged.

load helpers

# Loads a good image first so that "unchanged" means something, then runs the bad load.
bad_load() {
  fixture --out "$WORK/good.tar" --format oci-archive --name good:1 --seed 3
  s load -i "$WORK/good.tar" >/dev/null
  BEFORE=$(store_state)
  run s load -i "$1"
}

# Rewrites a file inside an archive: repack DIR into ARCHIVE.
repack() {
  (cd "$1" && tar -cf "$2" --owner=0 --group=0 $(ls -A))
}

@test "empty file" {
  : > "$WORK/empty.tar"
  bad_load "$WORK/empty.tar"
  expect_failure 125 "$WORK/empty.tar"
  unchanged
}

@test "not a tar" {
  head -c 5000 /dev/urandom > "$WORK/noise.tar"
  bad_load "$WORK/noise.tar"
  expect_failure 125 "$WORK/noise.tar" "not a tar"
  unchanged
}

@test "a tar that is no image archive" {
  mkdir "$WORK/d" && echo hi > "$WORK/d/hello"
  tar -cf "$WORK/plain.tar" -C "$WORK/d" hello
  bad_load "$WORK/plain.tar"
  expect_failure 125 "$WORK/plain.tar" "manifest.json" "oci-layout"
  unchanged
}

@test "truncated archive" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layer-kb 256
  head -c 200000 "$WORK/a.tar" > "$WORK/trunc.tar"
  bad_load "$WORK/trunc.tar"
  expect_failure 125 "$WORK/trunc.tar"
  unchanged
}

@test "truncated gzip-compressed archive" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layer-kb 256
  gzip -c "$WORK/a.tar" | head -c 100000 > "$WORK/trunc.tar.gz"
  bad_load "$WORK/trunc.tar.gz"
  expect_failure 125 "$WORK/trunc.tar.gz" "compressed"
  unchanged
}

@test "malformed manifest.json" {
  fixture --out "$WORK/d.tar" --format docker-archive --name app:1
  mkdir "$WORK/x" && tar -xf "$WORK/d.tar" -C "$WORK/x"
  echo '[{"Config": ' > "$WORK/x/manifest.json"
  repack "$WORK/x" "$WORK/bad.tar"
  bad_load "$WORK/bad.tar"
  expect_failure 125 "$WORK/bad.tar" "manifest.json" "invalid JSON"
  unchanged
}

@test "manifest.json names a missing file" {
  fixture --out "$WORK/d.tar" --format docker-archive --name app:1
  mkdir "$WORK/x" && tar -xf "$WORK/d.tar" -C "$WORK/x"
  rm "$WORK"/x/*.tar
  repack "$WORK/x" "$WORK/bad.tar"
  bad_load "$WORK/bad.tar"
  expect_failure 125 "$WORK/bad.tar" "missing"
  unchanged
}

@test "a layer whose content does not match the config's diffID" {
  fixture --out "$WORK/d.tar" --format docker-archive --name app:1 --layer-kb 2048
  mkdir "$WORK/x" && tar -xf "$WORK/d.tar" -C "$WORK/x"
  layer=$(ls "$WORK"/x/*.tar | head -1)
  # Same size, one byte different inside a file's data.
  printf 'Z' | dd of="$layer" bs=1 seek=5000 conv=notrunc 2>/dev/null
  repack "$WORK/x" "$WORK/bad.tar"
  bad_load "$WORK/bad.tar"
  expect_failure 125 "$WORK/bad.tar" "diffID"
  unchanged
}

@test "an OCI blob whose digest does not match its name" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layer-kb 2048
  mkdir "$WORK/x" && tar -xf "$WORK/a.tar" -C "$WORK/x"
  big=$(ls -S "$WORK"/x/blobs/sha256/* | head -1)
  printf 'Z' | dd of="$big" bs=1 seek=100 conv=notrunc 2>/dev/null
  repack "$WORK/x" "$WORK/bad.tar"
  bad_load "$WORK/bad.tar"
  expect_failure 125 "$WORK/bad.tar"
  unchanged
}

@test "a tar entry with .. in its path" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --evil-path
  bad_load "$WORK/a.tar"
  expect_failure 125 "$WORK/a.tar" "escapes the root"
  unchanged
}

@test "a tar entry with an absolute path" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1
  mkdir -p "$WORK/x" && tar -xf "$WORK/a.tar" -C "$WORK/x"
  python3 - "$WORK/x" "$WORK/bad.tar" <<'PY'
import os, sys, tarfile
src, out = sys.argv[1], sys.argv[2]
with tarfile.open(out, "w") as t:
    info = tarfile.TarInfo("/etc/evil")
    info.size = 0
    t.addfile(info)
    for root, _, files in os.walk(src):
        for f in files:
            p = os.path.join(root, f)
            t.add(p, arcname=os.path.relpath(p, src))
PY
  bad_load "$WORK/bad.tar"
  expect_failure 125 "$WORK/bad.tar" "escapes the root"
  unchanged
}

@test "malformed index.json and manifest JSON" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1
  mkdir "$WORK/x" && tar -xf "$WORK/a.tar" -C "$WORK/x"
  echo '{"schemaVersion": 2, "manifests": [' > "$WORK/x/index.json"
  repack "$WORK/x" "$WORK/bad.tar"
  bad_load "$WORK/bad.tar"
  expect_failure 125 "$WORK/bad.tar" "index.json"
  unchanged
}

@test "a missing input file" {
  run s load -i "$WORK/nope.tar"
  expect_failure 125 "$WORK/nope.tar" "no such file"
}

@test "load takes no positional arguments" {
  run s load extra
  expect_failure 125 "accepts 0 arg(s), received 1"
}

@test "no archive at all: podman's diagnostic, from a file and from stdin" {
  echo "I am an invalid file" >"$WORK/invalid"
  bad_load "$WORK/invalid"
  expect_failure 125 "payload does not match any of the supported image formats:" \
    "$WORK/invalid: not a tar archive"
  unchanged
  run s load <"$WORK/invalid"
  expect_failure 125 "payload does not match any of the supported image formats:"
  unchanged
  if have_podman; then
    for tool in p s; do
      $tool load -i "$WORK/invalid" 2>&1 | head -1 || true
      $tool load <"$WORK/invalid" 2>&1 | head -1 || true
    done | sort -u >"$WORK/first-lines"
    [ "$(wc -l <"$WORK/first-lines")" -eq 1 ]
  fi
}
