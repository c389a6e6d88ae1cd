#!/usr/bin/env bats
# policy.json for every way an image enters the store from a transport: pull docker://, oci:,
# oci-archive:, docker-archive:, dir:, load of each archive kind and import are refused by a
# rejecting policy before anything is stored, with podman's message naming the source, and
# scoped per transport as containers-policy.json(5) defines (paths for oci, oci-archive and dir,
# only "" for docker-archive and tarball). Also: the names podman gives images pulled from the
# local transports.

load helpers
load registry

bats_require_minimum_version 1.5.0

setup_file() {
  local d=$BATS_FILE_TMPDIR
  python3 "$FIXTURE" --out "$d/o.tar" --format oci-archive --name app:1 --seed 11
  python3 "$FIXTURE" --out "$d/d.tar" --format docker-archive --name dapp:2 --seed 12
  python3 "$FIXTURE" --out "$d/odir" --format oci-dir --name app:1 --seed 13
  python3 "$FIXTURE" --out "$d/nameless.tar" --format docker-archive --seed 14
  python3 "$FIXTURE" --out "$d/nameless-oci.tar" --format oci-archive --seed 15
  python3 "$FIXTURE" --out "$d/multi.tar" --format docker-archive --images 2 --name 'm/img{k}:1' \
    --seed 16
  # An OCI layout of two images, and its archive (skopeo adds to a layout; schicht's push
  # replaces it, as podman's does).
  if command -v skopeo >/dev/null; then
    skopeo copy -q "docker-archive:$d/multi.tar:@0" "oci:$d/two:one"
    skopeo copy -q "docker-archive:$d/multi.tar:@1" "oci:$d/two:two"
    tar -C "$d/two" -cf "$d/two.tar" .
  fi
  # A dir: layout, written by schicht's own push from a scratch store.
  "$SCHICHT" --root "$d/scratch" load -i "$d/o.tar" >/dev/null
  "$SCHICHT" --root "$d/scratch" push app:1 "dir:$d/ddir"
  rm -rf "$d/scratch"
  mkdir -p "$d/rootfs"
  echo hi >"$d/rootfs/f"
  tar -C "$d/rootfs" -cf "$d/root.tar" .
  if have_registry; then
    start_file_registry
    skopeo copy -q --dest-tls-verify=false "oci-archive:$d/o.tar" "docker://$REG/a:1" >/dev/null
  fi
}

teardown_file() {
  stop_file_registry
}

REJECT='{"default":[{"type":"reject"}]}'

# The sources and the name each is rejected as (podman's), for a pull from $BATS_FILE_TMPDIR.
# oci:DIR names the image after DIR as typed, and a temp path may hold capitals (no valid
# name): oci: sources are relative.
local_sources() {
  local d=$BATS_FILE_TMPDIR
  printf '%s\t%s\n' \
    "oci-archive:$d/o.tar" "oci-archive:$d/o.tar:" \
    "docker-archive:$d/d.tar" "docker-archive:$d/d.tar" \
    "oci:odir" "oci:odir:" \
    "oci:odir:app:1" "oci:odir:app:1" \
    "dir:$d/ddir" "dir:$d/ddir"
}

@test "a rejecting policy refuses every transport into the store, naming the source; nothing is stored" {
  local d=$BATS_FILE_TMPDIR
  printf '%s\n' "$REJECT" >"$WORK/reject.json"
  cd "$d"
  BEFORE=$(store_state)
  while IFS=$'\t' read -r src shown; do
    run s pull --signature-policy "$WORK/reject.json" "$src"
    expect_failure 125 "Error: Source image rejected: Running image $shown is rejected by policy." \
      "the global default requires reject"
    unchanged
    if have_podman; then
      run p pull --signature-policy "$WORK/reject.json" "$src"
      expect_failure 125 "Error: Source image rejected: Running image $shown is rejected by policy."
    fi
  done < <(local_sources)
  # load cannot know the type before reading, but both types are rejected: refused at once,
  # listing each as podman does.
  for archive in o.tar d.tar; do
    run s load --signature-policy "$WORK/reject.json" -i "$d/$archive"
    expect_failure 125 "Error: payload does not match any of the supported image formats:" \
      " * oci-archive: Source image rejected: Running image oci-archive:$d/$archive: is rejected by policy." \
      " * docker-archive: Source image rejected: Running image docker-archive:$d/$archive is rejected by policy."
    unchanged
  done
  # podman reads the archive first, so only the line of its real type says "rejected".
  if have_podman; then
    run p load --signature-policy "$WORK/reject.json" -i "$d/o.tar"
    expect_failure 125 "Error: payload does not match any of the supported image formats:" \
      " * oci-archive: Source image rejected: Running image oci-archive:$d/o.tar: is rejected by policy."
    run p load --signature-policy "$WORK/reject.json" -i "$d/d.tar"
    expect_failure 125 " * docker-archive: Source image rejected: Running image docker-archive:$d/d.tar"
  fi
  run s import --signature-policy "$WORK/reject.json" "$d/root.tar" x:1
  expect_failure 125 "Error: Source image rejected: Running image tarball:$d/root.tar is rejected by policy." \
    "the global default requires reject"
  unchanged
  if have_podman; then
    run p import --signature-policy "$WORK/reject.json" "$d/root.tar" x:1
    expect_failure 125 "Error: Source image rejected: Running image tarball:$d/root.tar is rejected by policy."
  fi
  # The global --policy is the same check.
  run s --policy "$WORK/reject.json" pull "oci-archive:$d/o.tar"
  expect_failure 125 "is rejected by policy"
  unchanged
  if have_registry; then
    run sp pull --signature-policy "$WORK/reject.json" "docker://$REG/a:1"
    expect_failure 125 "Source image rejected: Running image docker://$REG/a:1 is rejected by policy."
    unchanged
  fi
}

@test "a path scope rejects that oci, oci-archive or dir source and accepts another" {
  local d=$BATS_FILE_TMPDIR
  mkdir -p "$WORK/bad" "$WORK/good"
  for item in o.tar odir ddir; do
    cp -r "$d/$item" "$WORK/bad/"
    cp -r "$d/$item" "$WORK/good/"
  done
  cat >"$WORK/p.json" <<EOF2
{"default":[{"type":"insecureAcceptAnything"}],
 "transports":{"oci-archive":{"$WORK/bad":[{"type":"reject"}]},
               "oci":{"$WORK/bad/odir":[{"type":"reject"}]},
               "dir":{"$WORK/bad":[{"type":"reject"}]}}}
EOF2
  cd "$WORK"
  for case in "oci-archive:o.tar:oci-archive scope \"$WORK/bad\"" \
    "oci:odir:oci scope \"$WORK/bad/odir\"" "dir:ddir:dir scope \"$WORK/bad\""; do
    local transport=${case%%:*} rest=${case#*:}
    local item=${rest%%:*} scope=${rest#*:}
    rm -rf "$STORE"
    BEFORE=$(store_state)
    # Relative paths: the scopes are absolute all the same (and oci: names need no capitals).
    run s pull --signature-policy "$WORK/p.json" "$transport:bad/$item"
    expect_failure 125 "is rejected by policy" "($scope requires reject)"
    unchanged
    if have_podman; then
      run p pull --signature-policy "$WORK/p.json" "$transport:bad/$item"
      expect_failure 125 "is rejected by policy"
      run p pull -q --signature-policy "$WORK/p.json" "$transport:good/$item"
      expect_success
    fi
    run s pull --signature-policy "$WORK/p.json" "$transport:good/$item"
    expect_success
  done
  # The scope is the symlink-free path: a link into the rejected directory is rejected too.
  ln -s "$WORK/bad" "$WORK/link"
  rm -rf "$STORE"
  BEFORE=$(store_state)
  run s pull --signature-policy "$WORK/p.json" "oci-archive:link/o.tar"
  expect_failure 125 "oci-archive scope \"$WORK/bad\" requires reject"
  unchanged
  if have_podman; then
    run p pull --signature-policy "$WORK/p.json" "oci-archive:link/o.tar"
    expect_failure 125 "is rejected by policy"
  fi
}

@test "docker-archive has only the transport-wide scope; a docker scope rejects one repository" {
  local d=$BATS_FILE_TMPDIR
  cat >"$WORK/p.json" <<EOF2
{"default":[{"type":"insecureAcceptAnything"}],
 "transports":{"docker-archive":{"":[{"type":"reject"}]}}}
EOF2
  BEFORE=$(store_state)
  run s pull --signature-policy "$WORK/p.json" "docker-archive:$d/d.tar"
  expect_failure 125 "Running image docker-archive:$d/d.tar is rejected by policy." \
    "docker-archive transport's default scope"
  unchanged
  run s load --signature-policy "$WORK/p.json" -i "$d/d.tar"
  expect_failure 125 "is rejected by policy"
  unchanged
  # Another transport is not in that scope.
  run s pull --signature-policy "$WORK/p.json" "oci-archive:$d/o.tar"
  expect_success
  if have_registry; then
    skopeo copy -q --dest-tls-verify=false "oci-archive:$d/o.tar" "docker://$REG/b:1" >/dev/null
    cat >"$WORK/p.json" <<EOF2
{"default":[{"type":"insecureAcceptAnything"}],
 "transports":{"docker":{"$REG/a":[{"type":"reject"}]}}}
EOF2
    rm -rf "$STORE"
    BEFORE=$(store_state)
    run sp pull --signature-policy "$WORK/p.json" "docker://$REG/a:1"
    expect_failure 125 "docker scope \"$REG/a\" requires reject"
    unchanged
    run sp pull --signature-policy "$WORK/p.json" "docker://$REG/b:1"
    expect_success
  fi
}

# The names of the images in the store, one a line, sorted.
pulled_names() {
  s images --format '{{.Repository}}:{{.Tag}}' | sort
}

# expect_pulled_names "SOURCE|NAMES"...: each SOURCE pulled into an empty store gets NAMES (as
# pulled_names lists them), here and, when installed, in podman.
expect_pulled_names() {
  local c src want
  for c in "$@"; do
    src=${c%|*} want=${c#*|}
    rm -rf "$STORE"
    run s pull -q "$src"
    expect_success
    [ "$(pulled_names)" = "$want" ] || { echo "$src: $(pulled_names), want $want"; false; }
    if have_podman; then
      rm -rf "$WORK/podman" "$WORK/podman-run"
      p pull -q "$src" >/dev/null
      [ "$(p images --format '{{.Repository}}:{{.Tag}}' | sort)" = "$want" ] ||
        { echo "podman names $src differently"; false; }
    fi
  done
}

@test "pull from a local transport names the image as podman does" {
  local d=$BATS_FILE_TMPDIR
  cd "$d"
  # source, then the names podman 4.3 gives (an oci: layout is named after its directory as
  # typed, whatever its annotation or the ref says; dir: and archives without names give none).
  cases=(
    "oci-archive:$d/o.tar|localhost/app:1"
    "oci-archive:$d/o.tar:app:1|localhost/app:1"
    "oci-archive:$d/nameless-oci.tar|<none>:<none>"
    "docker-archive:$d/d.tar|localhost/dapp:2"
    "docker-archive:$d/nameless.tar|<none>:<none>"
    "oci:odir|localhost/odir:latest"
    "oci:odir:app:1|localhost/odir:latest"
    "dir:$d/ddir|<none>:<none>"
  )
  expect_pulled_names "${cases[@]}"
}

@test "pull oci:DIR whose path makes no image name fails as podman does, storing nothing" {
  local d=$BATS_FILE_TMPDIR
  mkdir -p "$WORK/Upper"
  cp -r "$d/odir" "$WORK/Upper/"
  cd "$WORK"
  BEFORE=$(store_state)
  for src in Upper/odir ./Upper/odir; do
    run s pull "oci:$src"
    expect_failure 125 "parsing \"localhost/$src\""
    unchanged
    if have_podman; then
      run p pull "oci:$src"
      expect_failure 125 "parsing \"localhost/$src\""
    fi
  done
}

@test "pull refuses the transports schicht cannot read from, naming them; nothing is stored" {
  BEFORE=$(store_state)
  for src in docker-daemon:busybox:latest containers-storage:busybox sif:/a.sif; do
    run s pull "$src"
    expect_failure 125 "pulling from \"$src\": the ${src%%:*} transport is not supported"
    unchanged
  done
}

@test "pull TRANSPORT:PATH:REF picks one image of the archive as podman does" {
  local d=$BATS_FILE_TMPDIR
  cd "$d"
  # source, then the names of what podman 4.3 stores
  cases=(
    "docker-archive:$d/multi.tar:m/img2:1|localhost/m/img2:1"
    "docker-archive:$d/multi.tar:@0|localhost/m/img1:1"
    "oci-archive:$d/o.tar:app:1|localhost/app:1"
    "oci:odir:app:1|localhost/odir:latest"
  )
  [ -d "$d/two" ] && cases+=("oci:two:two|localhost/two:latest"
    "oci-archive:$d/two.tar:one|localhost/one:latest")
  expect_pulled_names "${cases[@]}"
  # What names nothing in the archive fails with podman's message; nothing is stored.
  rm -rf "$STORE"
  BEFORE=$(store_state)
  for c in "docker-archive:$d/multi.tar|Unexpected tar manifest.json: expected 1 item, got 2" \
    "docker-archive:$d/multi.tar:nope:1|Tag \"docker.io/library/nope:1\" not found" \
    "docker-archive:$d/multi.tar:@5|Invalid source index @5, only 2 manifest items available" \
    "oci-archive:$d/o.tar:foo|no descriptor found for reference \"foo\"" \
    "oci:odir:foo|no descriptor found for reference \"foo\"" \
    "docker-archive:$d/o.tar|loading tar component manifest.json: file does not exist" \
    "oci-archive:$d/d.tar|loading index" \
    "oci:two|more than one image in oci, choose an image" \
    "oci-archive:$d/two.tar|more than one image in oci, choose an image"; do
    [[ $c == *two* ]] && [ ! -d "$d/two" ] && continue
    local src=${c%|*} want=${c#*|}
    run s pull "$src"
    expect_failure 125 "$want"
    unchanged
    if have_podman; then
      run p pull "$src"
      expect_failure 125 "$want"
    fi
  done
}

@test "image trust explain judges a file source as pull does: its path scopes and the decision" {
  mkdir -p "$WORK/bad"
  cp "$BATS_FILE_TMPDIR/o.tar" "$WORK/bad/o.tar"
  cat >"$WORK/p.json" <<EOF2
{"default":[{"type":"insecureAcceptAnything"}],
 "transports":{"oci-archive":{"$WORK/bad":[{"type":"reject"}]}}}
EOF2
  run s image trust explain --signature-policy "$WORK/p.json" "oci-archive:$WORK/bad/o.tar"
  [ "$status" -eq 1 ] || { echo "$output"; false; }
  [[ "$output" == *"scopes tried: $WORK/bad/o.tar, $WORK/bad,"* ]] || { echo "$output"; false; }
  [[ "$output" == *"applies:      oci-archive scope \"$WORK/bad\""* ]] || { echo "$output"; false; }
  [[ "$output" == *"decision:     rejected by reject"* ]] || { echo "$output"; false; }
  run s image trust explain --signature-policy "$WORK/p.json" "docker-archive:$WORK/bad/o.tar"
  expect_success
  [[ "$output" == *"decision:     accepted"* ]] || { echo "$output"; false; }
}
