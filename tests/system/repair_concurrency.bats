#!/usr/bin/env bats
# `system check --repair --force` beside loads, tags, rmi and prune: repair never takes what a
# live process holds (ingest files, leased blobs, images being committed), so every load that
# reported success leaves its image, complete.

load helpers

@test "repair --force beside loads, tags, rmi and prune loses no loaded image" {
  for seed in 1 2 3 4 5 6; do
    fixture --out "$WORK/$seed.tar" --format oci-archive --name "img$seed:1" --seed "$seed" \
      --layers 3 --layer-kb 256
  done
  end=$((SECONDS + 15))
  # Images 1-3 are only ever loaded and tagged: each load that succeeds must leave its image.
  # Images 4-6 are loaded and removed over and over beside them.
  worker_load() {
    while [ $SECONDS -lt $end ]; do
      for n in 1 2 3; do
        if out=$(s load -i "$WORK/$n.tar" 2>&1); then
          echo "$n" >>"$WORK/loaded"
        else
          echo "load $n: $out" >>"$WORK/failures"
        fi
      done
    done
  }
  worker_churn() {
    while [ $SECONDS -lt $end ]; do
      for n in 4 5 6; do
        s load -i "$WORK/$n.tar" >/dev/null 2>&1 || echo "load $n failed" >>"$WORK/failures"
        s rmi -f "img$n:1" >/dev/null 2>&1 || true
      done
    done
  }
  worker_tag() {
    local i=0
    while [ $SECONDS -lt $end ]; do
      i=$((i + 1))
      s tag img1:1 "moving:$((i % 4))" >/dev/null 2>&1 || true
      s untag img1:1 "moving:$(((i + 2) % 4))" >/dev/null 2>&1 || true
    done
  }
  worker_prune() {
    while [ $SECONDS -lt $end ]; do
      s image prune -f >/dev/null 2>&1 || true
    done
  }
  worker_repair() {
    while [ $SECONDS -lt $end ]; do
      s system check --repair --force >>"$WORK/repairs" 2>&1 || true
      echo >>"$WORK/ops.repair"
    done
  }
  worker_load & p1=$!
  worker_churn & p2=$!
  worker_tag & p3=$!
  worker_prune & p4=$!
  worker_repair & p5=$!
  worker_repair & p6=$!
  wait $p1 $p2 $p3 $p4 $p5 $p6
  [ -s "$WORK/loaded" ]
  if [ -s "$WORK/failures" ]; then
    cat "$WORK/failures"
    return 1
  fi
  # Repair never took a healthy image for a damaged one.
  if grep -E 'damaged|stale ingest' "$WORK/repairs"; then
    return 1
  fi
  for n in $(sort -u "$WORK/loaded"); do
    s image exists "img$n:1"
  done
  run s system check
  expect_success
  # Every image listed is complete: save reads every blob of it.
  for id in $(s images -q --no-trunc); do
    s save -o "$WORK/out.tar" "$id"
  done
  echo "# loads: $(wc -l <"$WORK/loaded"), repairs: $(wc -l <"$WORK/ops.repair")" >&3
}

@test "repair --force beside create and rm loses no container's root filesystem or image" {
  fixture --out "$WORK/app.tar" --format oci-archive --name app:1 --seed 7 --layers 3 --layer-kb 256
  fixture --out "$WORK/other.tar" --format oci-archive --name other:1 --seed 8 --layers 2
  s load -i "$WORK/app.tar" >/dev/null
  s load -i "$WORK/other.tar" >/dev/null
  reference=$(s create app:1)
  files() { (cd "$STORE/containers/$1/rootfs" && find . -type f -exec md5sum {} + | sort); }
  expected=$(files "$reference")
  end=$((SECONDS + 12))
  # Containers are created over and over (each copies snapshots that repair sees appear), and
  # half of them removed again; the other image and its snapshots come and go beside them.
  worker_create() {
    local i=0
    while [ $SECONDS -lt $end ]; do
      i=$((i + 1))
      if id=$(s create --name "c$1-$i" app:1 2>&1); then
        echo "$id" >>"$WORK/created"
        if [ $((i % 2)) -eq 0 ]; then
          s rm "$id" >/dev/null 2>&1 && echo "$id" >>"$WORK/removed"
        fi
      else
        echo "create: $id" >>"$WORK/failures"
      fi
    done
  }
  worker_churn() {
    while [ $SECONDS -lt $end ]; do
      if id=$(s create other:1 2>/dev/null); then s rm -f "$id" >/dev/null 2>&1 || true; fi
      s rmi other:1 >/dev/null 2>&1 || true
      s load -i "$WORK/other.tar" >/dev/null 2>&1 || echo "load other failed" >>"$WORK/failures"
    done
  }
  worker_repair() {
    while [ $SECONDS -lt $end ]; do
      s system check --repair --force >>"$WORK/repairs" 2>&1 || true
    done
  }
  worker_create 1 & p1=$!
  worker_create 2 & p2=$!
  worker_churn & p3=$!
  worker_repair & p4=$!
  worker_repair & p5=$!
  wait $p1 $p2 $p3 $p4 $p5
  [ -s "$WORK/created" ]
  if [ -s "$WORK/failures" ]; then
    cat "$WORK/failures"
    return 1
  fi
  if grep -E 'damaged' "$WORK/repairs"; then
    grep -v '^Checked .* no problems$' "$WORK/repairs"
    return 1
  fi
  s image exists app:1
  # Every container that was not removed still has its image's files, complete.
  for id in $(sort "$WORK/created" | comm -23 - <(sort "$WORK/removed" 2>/dev/null)); do
    s container exists "$id"
    [ "$(files "$id")" = "$expected" ]
  done
  run s system check
  expect_success
  echo "# containers: $(wc -l <"$WORK/created")" >&3
}
