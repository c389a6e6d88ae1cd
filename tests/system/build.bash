# Shared by the build tests: a busybox root filesystem imported as localhost/base into
# schicht's store and podman's, and a build context with an archive for ADD.

CONTAINERFILES=$BATS_TEST_DIRNAME/../fixtures/containerfiles
BUSYBOX=${BUSYBOX:-/usr/bin/busybox}

have_busybox() { [ -x "$BUSYBOX" ]; }
# Until schicht has `build`, the oracle tests check podman's side alone.
have_build() { "$SCHICHT" build --help >/dev/null 2>&1; }

# $WORK/base.tar: busybox with the tools the Containerfiles use, root and nobody.
make_base_tar() {
  local root=$WORK/base
  mkdir -p "$root/bin" "$root/etc"
  cp "$BUSYBOX" "$root/bin/busybox"
  local tool
  for tool in sh ls cat echo id env pwd mkdir rm chmod ln sort sed cp true touch; do
    ln -s busybox "$root/bin/$tool"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' \
    > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
  tar -C "$root" -cf "$WORK/base.tar" .
}

# $WORK/ctx: the fixture context plus archive.tar (ADD extracts it).
make_context() {
  cp -a "$CONTAINERFILES/context" "$WORK/ctx"
  mkdir -p "$WORK/archive/d"
  echo inside > "$WORK/archive/d/f"
  tar -C "$WORK/archive" -cf "$WORK/ctx/archive.tar" d
}

import_base() {
  make_base_tar
  s import "$WORK/base.tar" localhost/base >/dev/null
  if have_podman; then p import "$WORK/base.tar" localhost/base >/dev/null; fi
}

# podman's build of a fixture Containerfile (chroot isolation, docker format so that
# HEALTHCHECK, ONBUILD and SHELL are kept), saved and summarized to $WORK/<name>.podman.
podman_build() {
  local name=$1 try
  for try in 1 2; do
    p build --isolation chroot --format docker -q -f "$CONTAINERFILES/$name.Containerfile" \
      -t "localhost/$name" "$WORK/ctx" >"$WORK/$name.podman.log" 2>&1 && break
    # The oracle's own transient failure (its RUN re-executes itself from a sealed memfd copy,
    # which a busy machine can refuse with EBUSY): podman is tried once more, schicht never.
    if [ "$try" = 1 ] && grep -q "sealing memfd copy: Device or resource busy" "$WORK/$name.podman.log"; then
      continue
    fi
    cat "$WORK/$name.podman.log"
    return 1
  done
  p save --format docker-dir -o "$WORK/$name.podman.dir" "localhost/$name" >/dev/null 2>&1
  python3 "$BATS_TEST_DIRNAME/image_summary.py" "$WORK/$name.podman.dir" >"$WORK/$name.podman"
}

# The same with schicht, to $WORK/<name>.schicht.
schicht_build() {
  local name=$1
  s build ${SCHICHT_BUILD_FLAGS---format docker} -q -f "$CONTAINERFILES/$name.Containerfile" -t "localhost/$name" \
    "$WORK/ctx" >"$WORK/$name.schicht.log" 2>&1 || { cat "$WORK/$name.schicht.log"; return 1; }
  s save --format docker-dir -o "$WORK/$name.schicht.dir" "localhost/$name" >/dev/null
  python3 "$BATS_TEST_DIRNAME/image_summary.py" "$WORK/$name.schicht.dir" >"$WORK/$name.schicht"
}
