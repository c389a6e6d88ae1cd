#!/usr/bin/env bats
# Several processes loading, tagging, removing and pruning one store at once, for a bounded
# time: no lost image, no corruption, `system check` clean afterwards.

load helpers

@test "concurrent load, tag, rmi and prune keep the store consistent" {
  for seed in 1 2 3 4; do
    fixture --out "$WORK/$seed.tar" --format oci-archive --name "img$seed:1" --seed "$seed" --layer-kb 512
  done
  # The image every worker keeps: nobody removes it, so it must survive everything.
  s load -i "$WORK/1.tar" >/dev/null
  s tag img1:1 keep:1
  end=$((SECONDS + 12))
  # Each worker appends a line per command to its own file, for the count printed at the end.
  worker_load() { while [ $SECONDS -lt $end ]; do for n in 2 3 4; do s load -i "$WORK/$n.tar" >/dev/null 2>&1 || true; echo >>"$WORK/ops.load"; done; done; }
  worker_tag() { local i=0; while [ $SECONDS -lt $end ]; do i=$((i + 1)); s tag img1:1 "moving:$((i % 5))" >/dev/null 2>&1 || true; s untag img1:1 "moving:$(((i + 2) % 5))" >/dev/null 2>&1 || true; printf '\n\n' >>"$WORK/ops.tag"; done; }
  worker_rmi() { while [ $SECONDS -lt $end ]; do for n in 2 3 4; do s rmi -f "img$n:1" >/dev/null 2>&1 || true; echo >>"$WORK/ops.rmi"; done; done; }
  worker_prune() { while [ $SECONDS -lt $end ]; do s image prune -f >/dev/null 2>&1 || true; s system prune -f >/dev/null 2>&1 || true; s system df >/dev/null 2>&1 || true; printf '\n\n\n' >>"$WORK/ops.prune"; done; }
  worker_load & p1=$!
  worker_tag & p2=$!
  worker_rmi & p3=$!
  worker_prune & p4=$!
  wait $p1 $p2 $p3 $p4
  # No worker removes keep:1 (it is named, so dangling prunes leave it): it must be intact.
  s image exists keep:1
  run s system check
  expect_success
  # Every image listed is complete: save reads every blob of it.
  for id in $(s images -q --no-trunc); do
    s save -o "$WORK/out.tar" "$id"
  done
  # And the store still works.
  run s load -i "$WORK/1.tar"
  expect_success
  echo "# concurrent commands: $(cat "$WORK"/ops.* | wc -l) in 4 processes; images lost: 0" >&3
}
