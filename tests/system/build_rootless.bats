#!/usr/bin/env bats
# build as an unprivileged user: RUN goes through a user namespace that maps the caller to
# root, and what RUN writes as that root is root's in the layer (as in podman's rootless
# builds), not the caller's uid. With subordinate ranges in /etc/subuid and /etc/subgid (and
# newuidmap/newgidmap), container ids 1.. map to them, so RUN can run as another USER and
# chown; the layer records the container's ids, the same as a root build's.

load helpers
load build

NOBODY=65534

setup() {
  make_work
  [ "$(id -u)" -eq 0 ] || skip "switches to nobody, so starts as root"
  command -v setpriv >/dev/null || skip "needs setpriv"
  have_busybox || skip "needs $BUSYBOX (busybox-static)"
  have_build || skip "schicht has no build command yet"
  chmod 755 "$WORK"
  make_context
  make_base_tar
  chown -R $NOBODY:$NOBODY "$WORK"
}

SUBIDS="nobody:200000:65536"

teardown() {
  # Rootless podman leaves a pause process holding its user namespace.
  local pause=$WORK/xdg/libpod/tmp/pause.pid
  [ -s "$pause" ] && kill "$(cat "$pause")" 2>/dev/null
  sed -i "/^$SUBIDS\$/d" /etc/subuid /etc/subgid 2>/dev/null || true
  remove_work
}

# Gives nobody a subordinate range (teardown takes it away again).
grant_subids() {
  command -v newuidmap >/dev/null && command -v newgidmap >/dev/null ||
    skip "needs newuidmap and newgidmap (package uidmap)"
  local f
  for f in /etc/subuid /etc/subgid; do
    grep -qx "$SUBIDS" "$f" 2>/dev/null || echo "$SUBIDS" >>"$f"
  done
}

# A Containerfile running as other users and chowning to them.
OTHER_USERS='FROM localhost/base
RUN mkdir /app && chown 1000:1000 /app && echo hi > /app/root-file
USER 1000
RUN id -u > /app/uid && mkdir /app/private && chmod 700 /app/private && echo s > /app/private/secret && chmod 600 /app/private/secret
USER root
RUN chown 1000:1001 /app/root-file && rm /app/uid'

# COPY and ADD --chown (numbers, names of the image's passwd and group, from a stage), COPY
# --from a stage keeping the owners of files the caller may not read, into a
# directory only its owner may enter, an archive with its own owners, WORKDIR through a link
# made for USER: as root of the user namespace, with the owners a root build gives.
CHOWNS='FROM localhost/base AS src
RUN mkdir -p /srcdir/d && echo s > /srcdir/d/f && echo p > /srcdir/d/private && chmod 600 /srcdir/d/private && chown -R 1234:1234 /srcdir
FROM localhost/base
RUN echo "someuser:x:1500:1600::/home/someuser:/bin/sh" >> /etc/passwd && echo "somegroup:x:1700:" >> /etc/group && mkdir /locked && chown 1000:1000 /locked && chmod 700 /locked && ln -s /opt/real /w && mkdir -p /opt/real
COPY --chown=1000:1001 a.txt /owned/deep/
COPY --chown=someuser:somegroup src /named/
COPY --chown=someuser b.txt /named/user-only
ADD --chown=1000:1001 archive.tar /unpacked/
ADD owned.tar /plain/
COPY --from=src --chown=2000:2001 /srcdir /fromstage/
COPY --from=src /srcdir /kept/
COPY a.txt /locked/
USER 1000
WORKDIR /w/mine/sub
RUN touch made-by-1000'

# schicht as nobody, on a store nobody owns.
nobody_s() {
  setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups env HOME="$WORK" TMPDIR="$WORK" \
    "$SCHICHT" --root "$STORE" "$@"
}

@test "rootless RUN runs as root in a user namespace and its files are root's in the layer" {
  run nobody_s import "$WORK/base.tar" localhost/base
  expect_success
  printf 'FROM localhost/base\nRUN id -u > /uid && mkdir /made\n' > "$WORK/Containerfile"
  run nobody_s build -t localhost/rootless -f "$WORK/Containerfile" "$WORK/ctx"
  expect_success
  run nobody_s save --format docker-dir -o "$WORK/out" localhost/rootless
  expect_success
  run python3 "$BATS_TEST_DIRNAME/image_summary.py" "$WORK/out"
  expect_success
  [[ "$output" == *"made dir 0755 0:0"* ]]
  [[ "$output" == *"uid file 0644 0:0 2 "* ]]
}

@test "rootless with subordinate ids: USER 1000 and chown give the layers a root build gives" {
  grant_subids
  run nobody_s import "$WORK/base.tar" localhost/base
  expect_success
  printf '%s\n' "$OTHER_USERS" > "$WORK/Containerfile"
  run nobody_s build -t localhost/users -f "$WORK/Containerfile" "$WORK/ctx"
  expect_success
  run nobody_s save --format docker-dir -o "$WORK/out" localhost/users
  expect_success
  python3 "$BATS_TEST_DIRNAME/image_summary.py" "$WORK/out" | grep -v 'etc/host\|resolv' >"$WORK/rootless"
  grep -q '^  app dir 0755 1000:1000 ' "$WORK/rootless"
  grep -q '^  app/uid file 0644 1000:0 5 ' "$WORK/rootless"
  grep -q '^  app/private/secret file 0600 1000:0 2 ' "$WORK/rootless"
  grep -q '^  app/root-file file 0644 1000:1001 ' "$WORK/rootless"
  # The same build as root: the same owners, modes and contents in every layer.
  s import "$WORK/base.tar" localhost/base >/dev/null
  run s build -t localhost/users -f "$WORK/Containerfile" "$WORK/ctx"
  expect_success
  s save --format docker-dir -o "$WORK/root-out" localhost/users >/dev/null
  python3 "$BATS_TEST_DIRNAME/image_summary.py" "$WORK/root-out" | grep -v 'etc/host\|resolv' >"$WORK/root"
  diff -u "$WORK/root" "$WORK/rootless"
  # Nothing of the build is left, although subordinate ids own some of it.
  [ -z "$(ls -A "$STORE/tmp")" ]
}

@test "rootless without subordinate ids: a non-root USER is refused, saying why" {
  sed -i "/^nobody:/d" /etc/subuid /etc/subgid 2>/dev/null || true
  run nobody_s import "$WORK/base.tar" localhost/base
  expect_success
  printf 'FROM localhost/base\nUSER 1000\nRUN true\n' > "$WORK/Containerfile"
  run nobody_s build -t localhost/refused -f "$WORK/Containerfile" "$WORK/ctx"
  expect_failure 125 'building at STEP "RUN true"' \
    "running as 1000:0 needs a user namespace with more than the caller's id" \
    'no subordinate uids for user "nobody" in /etc/subuid'
  run nobody_s images --format '{{.Repository}}'
  [[ "$output" != *refused* ]]
}

@test "rootless: system check --repair removes a killed build's files that subordinate ids own" {
  grant_subids
  run nobody_s import "$WORK/base.tar" localhost/base
  expect_success
  printf 'FROM localhost/base\nRUN mkdir /p && chown 1000 /p\nUSER 1000\nRUN mkdir /p/q && chmod 700 /p/q && touch /p/q/f /p/started && sleep 60\n' \
    > "$WORK/Containerfile"
  # setpriv and env exec: $! is schicht itself.
  setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups env HOME="$WORK" TMPDIR="$WORK" \
    "$SCHICHT" --root "$STORE" build -t localhost/killed -f "$WORK/Containerfile" "$WORK/ctx" \
    >"$WORK/log" 2>&1 &
  local pid=$! i
  for i in $(seq 200); do
    compgen -G "$STORE/tmp/build-*/stage0/p/started" >/dev/null && break
    sleep 0.1
  done
  compgen -G "$STORE/tmp/build-*/stage0/p/started" >/dev/null || { cat "$WORK/log"; false; }
  kill -9 "$pid"
  wait "$pid" || true
  sleep 0.5
  run nobody_s system check
  expect_failure 125 "stale build directory"
  run nobody_s system check --repair
  expect_success
  [ -z "$(ls -A "$STORE/tmp")" ]
}

# $WORK/ctx/owned.tar: an archive whose file belongs to 42:43.
make_owned_tar() {
  mkdir -p "$WORK/own/d" && echo owned > "$WORK/own/d/f"
  tar --owner=42 --group=43 -C "$WORK/own" -cf "$WORK/ctx/owned.tar" d
  chown $NOBODY:$NOBODY "$WORK/ctx/owned.tar"
}

# The summary of image $1 in nobody's store (or, with $2=root, in a root store of its own).
summary_of() {
  local image=$1 out=$WORK/out-$RANDOM
  if [ "${2:-}" = root ]; then
    "$SCHICHT" --root "$WORK/rootstore" save --format docker-dir -o "$out" "$image" >/dev/null
  else
    nobody_s save --format docker-dir -o "$out" "$image" >/dev/null
  fi
  python3 "$BATS_TEST_DIRNAME/image_summary.py" "$out" | grep -v 'etc/host\|resolv'
}

# Builds Containerfile $1 as root on a store of its own, without cache, as the reference.
root_build() {
  "$SCHICHT" --root "$WORK/rootstore" import "$WORK/base.tar" localhost/base >/dev/null
  run "$SCHICHT" --root "$WORK/rootstore" build --no-cache -t localhost/ref -f "$1" "$WORK/ctx"
  expect_success
}

@test "rootless with subordinate ids: COPY and ADD --chown give the layers a root build gives" {
  grant_subids
  make_owned_tar
  run nobody_s import "$WORK/base.tar" localhost/base
  expect_success
  printf '%s\n' "$CHOWNS" > "$WORK/Containerfile"
  run nobody_s build -t localhost/chowns -f "$WORK/Containerfile" "$WORK/ctx"
  expect_success
  summary_of localhost/chowns >"$WORK/rootless"
  grep -q '^  owned/deep dir 0755 1000:1001 ' "$WORK/rootless"
  grep -q '^  owned/deep/a.txt file 0644 1000:1001 ' "$WORK/rootless"
  grep -q '^  named/sub/n.txt file 0644 1500:1700 ' "$WORK/rootless"
  grep -q '^  named/user-only file 0644 1500:1600 ' "$WORK/rootless"
  grep -q '^  unpacked dir 0755 1000:1001 ' "$WORK/rootless"
  grep -q '^  plain/d/f file 0644 42:43 ' "$WORK/rootless"
  grep -q '^  fromstage/d/private file 0600 2000:2001 ' "$WORK/rootless"
  grep -q '^  kept/d/private file 0600 1234:1234 ' "$WORK/rootless"
  grep -q '^  locked/a.txt file 0644 0:0 ' "$WORK/rootless"
  grep -q '^  opt/real/mine dir 0755 1000:1000 ' "$WORK/rootless"
  grep -q '^  opt/real/mine/sub/made-by-1000 file 0644 1000:0 ' "$WORK/rootless"
  root_build "$WORK/Containerfile"
  summary_of localhost/ref root >"$WORK/root"
  diff -u "$WORK/root" "$WORK/rootless"

  # A rebuild that reuses the cached steps starts from the stored layers: their owners hold
  # there too (/locked stays 1000's in the new step's layer).
  printf '%s\nUSER root\nCOPY --chown=1000 b.txt /locked/again\n' "$CHOWNS" > "$WORK/Containerfile"
  run nobody_s build -t localhost/chowns -f "$WORK/Containerfile" "$WORK/ctx"
  expect_success
  [[ "$output" == *"Using cache"* ]]
  summary_of localhost/chowns >"$WORK/rootless"
  grep -q '^  locked dir 0700 1000:1000 ' "$WORK/rootless"
  grep -q '^  locked/again file 0644 1000:1000 ' "$WORK/rootless"
  root_build "$WORK/Containerfile"
  summary_of localhost/ref root >"$WORK/root"
  diff -u "$WORK/root" "$WORK/rootless"

  # --squash applies the new layers onto the base: with their owners too.
  run nobody_s build --squash -t localhost/squashed -f "$WORK/Containerfile" "$WORK/ctx"
  expect_success
  summary_of localhost/squashed >"$WORK/rootless"
  grep -q '^  locked/again file 0644 1000:1000 ' "$WORK/rootless"
  run "$SCHICHT" --root "$WORK/rootstore" build --squash -t localhost/squashed \
    -f "$WORK/Containerfile" "$WORK/ctx"
  expect_success
  summary_of localhost/squashed root >"$WORK/root"
  diff -u "$WORK/root" "$WORK/rootless"
  [ -z "$(ls -A "$STORE/tmp")" ]
}

# The store as nobody sees it: its images and leftovers of builds (the config of a metadata
# step before a failing RUN is cached, so blobs may grow).
nobody_state() {
  nobody_s images -a --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}' 2>&1
  local d
  for d in tmp ingest; do ls -A "$STORE/$d" 2>/dev/null || true; done
}

# (Rootless podman fails there too: "copier: put: error setting ownership of "/a.txt" to
# 1000:1001: lchown /a.txt: invalid argument", after a dump of its copier request.)
@test "rootless without subordinate ids: COPY --chown to another owner is refused, saying why" {
  sed -i "/^nobody:/d" /etc/subuid /etc/subgid 2>/dev/null || true
  run nobody_s import "$WORK/base.tar" localhost/base
  expect_success
  printf 'FROM localhost/base\nCOPY --chown=1000:1001 a.txt /\n' > "$WORK/Containerfile"
  BEFORE=$(nobody_state)
  run nobody_s build -t localhost/refused -f "$WORK/Containerfile" "$WORK/ctx"
  expect_failure 125 'building at STEP "COPY --chown=1000:1001 a.txt /"' \
    "copying with --chown=1000:1001 as 1000:1001 needs a user namespace with more than the caller's id" \
    'no subordinate uids for user "nobody" in /etc/subuid'
  same_as_before "$(nobody_state)"
  # Root itself needs no other ids.
  printf 'FROM localhost/base\nCOPY --chown=root:0 a.txt /\n' > "$WORK/Containerfile"
  run nobody_s build -t localhost/rootowned -f "$WORK/Containerfile" "$WORK/ctx"
  expect_success
}

@test "rootless with subordinate ids but without newuidmap: a non-root USER is refused, naming it" {
  grant_subids
  command -v unshare >/dev/null || skip "needs unshare"
  run nobody_s import "$WORK/base.tar" localhost/base
  expect_success
  printf 'FROM localhost/base\nUSER 1000\nRUN true\n' > "$WORK/Containerfile"
  BEFORE=$(nobody_state)
  local uidmap gidmap
  uidmap=$(command -v newuidmap) gidmap=$(command -v newgidmap)
  # The helpers hidden in a mount namespace of its own: /dev/null is not executable.
  without() {
    local hide mounts=""
    for hide in "$@"; do mounts+="mount --bind /dev/null $hide && "; done
    unshare -m --propagation private bash -c "$mounts$(declare -f nobody_s); NOBODY=$NOBODY WORK=$WORK SCHICHT=$SCHICHT STORE=$STORE nobody_s build -t localhost/refused -f $WORK/Containerfile $WORK/ctx"
  }
  run without "$uidmap"
  expect_failure 125 'building at STEP "RUN true"' \
    "running as 1000:0 needs a user namespace with more than the caller's id" \
    'newuidmap is not installed (package uidmap)'
  same_as_before "$(nobody_state)"
  run without "$uidmap" "$gidmap"
  expect_failure 125 'newuidmap and newgidmap are not installed (package uidmap)'
  run without "$gidmap"
  expect_failure 125 'newgidmap is not installed (package uidmap)'
  same_as_before "$(nobody_state)"
}

# podman as nobody: rootless, in the user namespace its own newuidmap/newgidmap set up.
nobody_p() {
  setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups env HOME="$WORK" TMPDIR="$WORK" \
    XDG_RUNTIME_DIR="$WORK/xdg" podman --root "$WORK/podman" --runroot "$WORK/podman-run" \
    --storage-driver vfs "$@"
}

@test "rootless with subordinate ids: the same images as rootless podman build --isolation chroot" {
  grant_subids
  have_podman || skip "podman is not installed"
  install -d -m 700 -o $NOBODY -g $NOBODY "$WORK/xdg"
  make_owned_tar
  printf '%s\nUSER root\n%s\nCOPY --chown=1000 b.txt /locked/again\n' "$CHOWNS" \
    "$(printf '%s\n' "$OTHER_USERS" | sed 1d)" > "$WORK/Containerfile"
  nobody_p import "$WORK/base.tar" localhost/base >/dev/null 2>&1
  run nobody_p build --isolation chroot --format docker -q -t localhost/both \
    -f "$WORK/Containerfile" "$WORK/ctx"
  expect_success
  nobody_p save --format docker-dir -o "$WORK/podman-out" localhost/both >/dev/null 2>&1
  python3 "$BATS_TEST_DIRNAME/image_summary.py" "$WORK/podman-out" >"$WORK/podman.summary"
  # podman really ran as another user and chowned, or the comparison proves little.
  grep -q '^  app/private/secret file 0600 1000:0 2 ' "$WORK/podman.summary"
  grep -q '^  named/user-only file 0644 1500:1600 ' "$WORK/podman.summary"
  run nobody_s import "$WORK/base.tar" localhost/base
  expect_success
  run nobody_s build --format docker -q -t localhost/both -f "$WORK/Containerfile" "$WORK/ctx"
  expect_success
  nobody_s save --format docker-dir -o "$WORK/schicht-out" localhost/both >/dev/null
  python3 "$BATS_TEST_DIRNAME/image_summary.py" "$WORK/schicht-out" >"$WORK/schicht.summary"
  diff -u "$WORK/podman.summary" "$WORK/schicht.summary"
}
