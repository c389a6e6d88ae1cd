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
    rm -rf "$STORE"
    sd "$driver" import "$WORK/base.tar" localhost/base >/dev/null
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
    rm -rf "$STORE"
    sd "$driver" import "$WORK/base.tar" localhost/base >/dev/null
    run sd "$driver" build --no-cache --timestamp 1700000000 -q -t det "$CTX"
    expect_success
    ids[${driver:-default}]=$(sd "$driver" inspect --format '{{json .RootFS.Layers}}' det)
  done
  [ -n "${ids[default]}" ]
  [ "${ids[default]}" = "${ids[vfs]}" ]
}
