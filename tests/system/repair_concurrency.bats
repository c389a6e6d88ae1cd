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
