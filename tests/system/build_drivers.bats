#!/usr/bin/env bats
# build under both storage drivers: a RUN step's layer holds what the step changed, deletions
# from the layers below as whiteouts, and a deterministic Containerfile (--timestamp) gives the
# same diffIDs whichever driver the store uses (issue #22: RUN on overlays must keep them).

load helpers
load build

setup() {
  make_work
  have_busybox || skip "needs $BUSYBOX (busybox-static)"
  make_base_tar
  mkdir -p "$WORK/ctx"
  CTX=$WORK/ctx
}

# The store of driver $1 ("" for the default choice), with the base imported.
sd() {
  local driver=$1
  shift
  if [ -n "$driver" ]; then s --storage-driver "$driver" "$@"; else s "$@"; fi
}

# An empty store under DRIVER ("" for the default) holding only localhost/base.
fresh_store_with_base() {
  rm -rf "$STORE"
  sd "$1" import "$WORK/base.tar" localhost/base >/dev/null
}

# The names in the last layer of image $2 built with driver $1, one a line.
last_layer_listing() {
  local dir=$WORK/out-${1:-default}
  rm -rf "$dir"
  sd "$1" save --format oci-dir -o "$dir" "$2" >/dev/null
  local manifest
  manifest=$(jq -r '.manifests[0].digest' "$dir/index.json")
  local layer
  layer=$(jq -r '.layers[-1].digest' "$dir/blobs/sha256/${manifest#sha256:}")
  tar -tzf "$dir/blobs/sha256/${layer#sha256:}"
}

@test "a RUN deleting a file of a lower layer writes a whiteout in that step's layer (both drivers)" {
  cat > "$CTX/Containerfile" <<'EOF2'
FROM localhost/base
RUN mkdir -p /keep && echo k > /keep/f && echo g > /keep/gone
RUN rm /keep/gone /etc/group
EOF2
  for driver in "" vfs; do
    fresh_store_with_base "$driver"
    run sd "$driver" build -q -t wh "$CTX"
    expect_success
    list=$(last_layer_listing "$driver" wh)
    grep -qx "keep/.wh.gone" <<< "$list"
    grep -qx "etc/.wh.group" <<< "$list"
    # The file the step kept is no part of its layer.
    ! grep -qx "keep/f" <<< "$list"
  done
}

@test "a deterministic Containerfile gives the same diffIDs under the default driver and vfs" {
  echo data > "$CTX/data.txt"
  cat > "$CTX/Containerfile" <<'EOF2'
FROM localhost/base
COPY data.txt /app/data.txt
RUN mkdir -p /app/sub && echo one > /app/sub/one && ln -s one /app/sub/link && chmod 0600 /app/sub/one
RUN rm /etc/group && echo two >> /app/data.txt && touch -d @1600000000 /app/data.txt
RUN ln /app/sub/one /app/sub/hard && mkdir /empty && chmod 0700 /empty
WORKDIR /w
RUN echo three > three
EOF2
  declare -A ids
  for driver in "" vfs; do
    fresh_store_with_base "$driver"
    run sd "$driver" build --no-cache --timestamp 1700000000 -q -t det "$CTX"
    expect_success
    ids[${driver:-default}]=$(sd "$driver" inspect --format '{{json .RootFS.Layers}}' det)
  done
  [ -n "${ids[default]}" ]
  [ "${ids[default]}" = "${ids[vfs]}" ]
}

# Builds $CTX under overlay and vfs (each in a fresh store, --timestamp, no cache) and checks
# that the image's diffIDs are the same; the build's extra flags come after "--".
same_layers_both_drivers() {
  sd overlay info >/dev/null 2>&1 || skip "overlay cannot be mounted here"
  declare -A ids
  local driver
  for driver in overlay vfs; do
    fresh_store_with_base "$driver"
    run sd "$driver" build --no-cache --timestamp 1700000000 -q -t same "$@" "$CTX"
    expect_success
    ids[$driver]=$(sd "$driver" inspect --format '{{.RootFS.Layers}}' same)
  done
  [ -n "${ids[overlay]}" ]
  if [ "${ids[overlay]}" != "${ids[vfs]}" ]; then
    echo "overlay: ${ids[overlay]}"
    echo "vfs:     ${ids[vfs]}"
    return 1
  fi
  # The overlay build left no mount behind.
  ! grep -q "$STORE/tmp" /proc/self/mountinfo
}

@test "RUN on an overlay gives vfs's layers: whiteouts, replaced directories, links, owners, modes, mtimes" {
  cat > "$CTX/Containerfile" <<'EOF2'
FROM localhost/base
RUN mkdir -p /d/sub /r/sub/deep /m /o && echo a > /d/a && echo b > /d/sub/b && echo x > /r/x && \
    echo y > /r/sub/y && echo z > /r/sub/deep/z && echo m > /m/f && echo o > /o/f && \
    echo g > /m/g && touch -d @1500000000 /m/f /m/g
RUN rm -rf /r && mkdir -p /r/sub && echo new > /r/sub/new && rm /d/a && rm -rf /d/sub
RUN ln /m/f /m/hard && ln -s ../m/f /d/link && chmod 0700 /m && chown 65534:65534 /m/f /o
RUN touch -d @1600000000 /m/g && touch -d @1600000000 /o
RUN echo h > /n1 && ln /n1 /n2 && rm -rf /o && echo gone > /o && rm -rf /d && mkdir /d
RUN rm -rf /r/sub && echo file > /r/sub && rm /bin/true && mkdir /bin/true
WORKDIR /w/x
RUN echo in > in && chmod 4755 in && rm /n2
EOF2
  same_layers_both_drivers
}

@test "a multi-stage build on overlays gives vfs's layers" {
  cat > "$CTX/Containerfile" <<'EOF2'
FROM localhost/base AS one
RUN mkdir /out && echo 1 > /out/f && rm /etc/group
FROM localhost/base
COPY --from=one /out /out
RUN rm -rf /out && mkdir /out && echo 2 > /out/g
FROM one
COPY --from=1 /out/g /out/g
RUN echo 3 > /out/h && rm /out/f
EOF2
  same_layers_both_drivers
}

@test "after cached steps, RUN on an overlay starts from the cached layers (both drivers alike)" {
  sd overlay info >/dev/null 2>&1 || skip "overlay cannot be mounted here"
  declare -A ids
  local driver
  for driver in overlay vfs; do
    fresh_store_with_base "$driver"
    printf 'FROM localhost/base\nRUN echo 1 > /one\nRUN rm /one && echo 2 > /two\n' \
      > "$CTX/Containerfile"
    run sd "$driver" build --timestamp 1700000000 -q -t first "$CTX"
    expect_success
    printf 'FROM localhost/base\nRUN echo 1 > /one\nRUN rm /one && echo 2 > /two\nRUN cat /two > /three && ! test -e /one\n' \
      > "$CTX/Containerfile"
    run sd "$driver" build --timestamp 1700000000 -q -t second "$CTX"
    expect_success
    ids[$driver]=$(sd "$driver" inspect --format '{{.RootFS.Layers}}' second)
  done
  [ "${ids[overlay]}" = "${ids[vfs]}" ]
}

@test "a failed RUN on an overlay leaves no mount and no build directory" {
  sd overlay info >/dev/null 2>&1 || skip "overlay cannot be mounted here"
  sd overlay import "$WORK/base.tar" localhost/base >/dev/null
  printf 'FROM localhost/base\nRUN echo x > /x\nRUN exit 3\n' > "$CTX/Containerfile"
  run sd overlay build -q -t failed "$CTX"
  [ "$status" -eq 3 ]
  ! grep -q "$STORE/tmp" /proc/self/mountinfo
  [ -z "$(ls -A "$STORE/tmp")" ]
}

@test "system check --repair detaches the overlay a killed build left mounted" {
  sd overlay info >/dev/null 2>&1 || skip "overlay cannot be mounted here"
  sd overlay import "$WORK/base.tar" localhost/base >/dev/null
  printf 'FROM localhost/base\nRUN touch /started && sleep 60\n' > "$CTX/Containerfile"
  (exec "$SCHICHT" --root "$STORE" --storage-driver overlay build -q -t killed "$CTX" \
    >/dev/null 2>&1) &
  local pid=$! i
  for i in $(seq 100); do
    ls "$STORE"/tmp/build-*/overlay0/upper1/started >/dev/null 2>&1 && break
    sleep 0.1
  done
  # The sandbox dies with the build (PR_SET_PDEATHSIG); the overlay stays mounted.
  kill -9 "$pid"
  wait "$pid" || true
  grep -q "$STORE/tmp" /proc/self/mountinfo
  # The sandbox's processes go a moment after the build; until then they hold its lock.
  for i in $(seq 50); do
    sd overlay system check 2>&1 | grep -q "stale build directory" && break
    sleep 0.1
  done
  run sd overlay system check --repair
  ! grep -q "$STORE/tmp" /proc/self/mountinfo
  [ -z "$(ls -A "$STORE/tmp")" ]
}
