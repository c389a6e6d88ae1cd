#!/usr/bin/env bats
# One copy engine, one policy check: every way an image enters the store from a transport
# (pull docker://, oci:, oci-archive:, docker-archive:, dir:; load -i of each archive kind,
# compressed or not, and from stdin; image copy X containers-storage:Y) runs through the engine,
# which evaluates policy.json for the source before reading it. A global reject refuses each
# with exit 125 and podman's words, leaving the store as it was; a reject scoped to one
# transport's path refuses only that, through every command.

load helpers
load registry

bats_require_minimum_version 1.5.0

setup_file() {
  local d=$BATS_FILE_TMPDIR
  python3 "$FIXTURE" --out "$d/o.tar" --format oci-archive --name app:1 --seed 61
  python3 "$FIXTURE" --out "$d/d.tar" --format docker-archive --name dapp:2 --seed 62
  python3 "$FIXTURE" --out "$d/odir" --format oci-dir --name app:1 --seed 63
  gzip -c "$d/o.tar" >"$d/o.tar.gz"
  gzip -c "$d/d.tar" >"$d/d.tar.gz"
  "$SCHICHT" --root "$d/scratch" load -i "$d/o.tar" >/dev/null
  "$SCHICHT" --root "$d/scratch" push app:1 "dir:$d/ddir"
  rm -rf "$d/scratch"
  printf '%s\n' '{"default":[{"type":"reject"}]}' >"$d/reject.json"
  if have_registry; then
    start_file_registry
    skopeo copy -q --dest-tls-verify=false "oci-archive:$d/o.tar" "docker://$REG/a:1" >/dev/null
  fi
}

teardown_file() {
  stop_file_registry
}

# SOURCE<TAB>the name podman's message gives it, for each transport that reads a file.
file_sources() {
  local d=$BATS_FILE_TMPDIR
  printf '%s\t%s\n' \
    "oci-archive:$d/o.tar" "oci-archive:$d/o.tar:" \
    "docker-archive:$d/d.tar" "docker-archive:$d/d.tar" \
    "oci:$d/odir:app:1" "oci:$d/odir:app:1" \
    "dir:$d/ddir" "dir:$d/ddir"
}

@test "a global reject refuses pull, load and image copy into the store from every transport" {
  local d=$BATS_FILE_TMPDIR policy=$BATS_FILE_TMPDIR/reject.json
  s load -q -i "$d/d.tar" >/dev/null  # a store with an image, for containers-storage: sources
  BEFORE=$(store_state)
  while IFS=$'\t' read -r src shown; do
    run s pull --signature-policy "$policy" "$src"
    expect_failure 125 "Error: Source image rejected: Running image $shown is rejected by policy." \
      "the global default requires reject"
    unchanged
    run s image copy --signature-policy "$policy" "$src" containers-storage:copied/x:1
    expect_failure 125 "Source image rejected: Running image $shown is rejected by policy."
    unchanged
    if command -v skopeo >/dev/null; then
      # skopeo's words for the same source (it has no store here: a dir: destination).
      run skopeo --policy "$policy" copy "$src" "dir:$WORK/skopeo"
      [ "$status" -ne 0 ]
      [[ "$output" == *"Source image rejected: Running image $shown is rejected by policy."* ]]
    fi
  done < <(file_sources)
  # load cannot know the type before reading, but both types are rejected: refused at once, a
  # compressed archive and stdin alike.
  for archive in o.tar d.tar o.tar.gz d.tar.gz; do
    run s load --signature-policy "$policy" -i "$d/$archive"
    expect_failure 125 "Error: payload does not match any of the supported image formats:" \
      " * oci-archive: Source image rejected: Running image oci-archive:$d/$archive: is rejected by policy." \
      " * docker-archive: Source image rejected: Running image docker-archive:$d/$archive is rejected by policy."
    unchanged
  done
  run s load --signature-policy "$policy" <"$d/o.tar.gz"
  expect_failure 125 " * oci-archive: Source image rejected:" " * docker-archive: Source image rejected:"
  unchanged
  # The store as a source: its scope names the store.
  run s image copy --signature-policy "$policy" containers-storage:dapp:2 containers-storage:copied/y:1
  expect_failure 125 "Source image rejected: Running image containers-storage:dapp:2 is rejected by policy."
  unchanged
  if have_registry; then
    run sp pull --signature-policy "$policy" "docker://$REG/a:1"
    expect_failure 125 "Source image rejected: Running image docker://$REG/a:1 is rejected by policy."
    unchanged
    run s image copy --signature-policy "$policy" --src-tls-verify=false "docker://$REG/a:1" \
      containers-storage:copied/z:1
    expect_failure 125 "Source image rejected: Running image docker://$REG/a:1 is rejected by policy."
    unchanged
  fi
}

@test "a reject for one oci-archive path refuses that archive through every command, and nothing else" {
  local d=$BATS_FILE_TMPDIR
  mkdir -p "$WORK/bad" "$WORK/good"
  for item in o.tar o.tar.gz d.tar odir ddir; do
    cp -r "$d/$item" "$WORK/bad/"
    cp -r "$d/$item" "$WORK/good/"
  done
  cat >"$WORK/p.json" <<EOF2
{"default":[{"type":"insecureAcceptAnything"}],
 "transports":{"oci-archive":{"$WORK/bad":[{"type":"reject"}]}}}
EOF2
  local scope="oci-archive scope \"$WORK/bad\" requires reject"
  BEFORE=$(store_state)
  run s pull --signature-policy "$WORK/p.json" "oci-archive:$WORK/bad/o.tar"
  expect_failure 125 "Source image rejected: Running image oci-archive:$WORK/bad/o.tar: is rejected by policy." "$scope"
  unchanged
  run s image copy --signature-policy "$WORK/p.json" "oci-archive:$WORK/bad/o.tar" containers-storage:c/o:1
  expect_failure 125 "Source image rejected: Running image oci-archive:$WORK/bad/o.tar: is rejected by policy." "$scope"
  unchanged
  # load finds an oci-archive (compressed or not): the engine refuses it as one.
  for archive in o.tar o.tar.gz; do
    run s load --signature-policy "$WORK/p.json" -i "$WORK/bad/$archive"
    expect_failure 125 "Source image rejected: Running image oci-archive:$WORK/bad/$archive: is rejected by policy." "$scope"
    unchanged
  done
  if have_podman; then
    run p pull --signature-policy "$WORK/p.json" "oci-archive:$WORK/bad/o.tar"
    expect_failure 125 "Source image rejected: Running image oci-archive:$WORK/bad/o.tar: is rejected by policy."
    run p load --signature-policy "$WORK/p.json" -i "$WORK/bad/o.tar"
    expect_failure 125 "Source image rejected: Running image oci-archive:$WORK/bad/o.tar: is rejected by policy."
  fi
  # The same archive elsewhere, and the other transports in the rejected directory, pass.
  run s pull -q --signature-policy "$WORK/p.json" "oci-archive:$WORK/good/o.tar"
  expect_success
  run s load -q --signature-policy "$WORK/p.json" -i "$WORK/good/o.tar.gz"
  expect_success
  run s image copy -q --signature-policy "$WORK/p.json" "oci-archive:$WORK/good/o.tar" containers-storage:c/o:1
  expect_success
  # oci: names the image after the path as typed: relative, so that it has no capitals.
  cd "$WORK"
  for src in "docker-archive:$WORK/bad/d.tar" "oci:bad/odir:app:1" "dir:$WORK/bad/ddir"; do
    run s pull -q --signature-policy "$WORK/p.json" "$src"
    expect_success
  done
  run s load -q --signature-policy "$WORK/p.json" -i "$WORK/bad/d.tar"
  expect_success
  names=$(s images --format '{{.Repository}}:{{.Tag}}')
  for name in docker.io/c/o:1 localhost/app:1 localhost/dapp:2 localhost/bad/odir:latest; do
    grep -qx "$name" <<<"$names" || { echo "$name missing from: $names"; false; }
  done
  consistent
}
