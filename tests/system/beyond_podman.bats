#!/usr/bin/env bats
# What schicht adds to podman: the tag log and rollback, last use, honest dry-run prunes,
# retention by recency and by size.

load helpers

load_seeds() {
  for seed in "$@"; do
    fixture --out "$WORK/$seed.tar" --format oci-archive --name "app:v$seed" --seed "$seed"
    s load -i "$WORK/$seed.tar" >/dev/null
  done
}

@test "tag-log lists every move newest first; json has podman-style lower-case fields" {
  load_seeds 1 2
  s tag app:v1 app:prod
  s tag app:v2 app:prod
  s untag app:v2 app:prod
  run s image tag-log app:prod
  expect_success
  [[ "${lines[0]}" == "TIME"*"NAME"*"ACTION"*"FROM"*"TO" ]]
  [[ "${lines[1]}" == *"localhost/app:prod"*"untag"* ]]
  [[ "${lines[2]}" == *"localhost/app:prod"*"tag"* ]]
  [ "${#lines[@]}" -eq 4 ]
  run s image tag-log --format json app:prod
  expect_success
  echo "$output" | python3 -c '
import json, sys
log = json.load(sys.stdin)
assert [e["action"] for e in log] == ["untag", "tag", "tag"], log
assert set(log[0]) == {"time", "name", "action", "from", "to"}
assert log[0]["to"] is None and log[2]["from"] is None
'
  run s image tag-log
  expect_success
  [[ "$output" == *"load"* ]]
}

@test "rollback points a name back; says so when the old image is gone" {
  load_seeds 1 2
  id1=$(s inspect --format '{{.Id}}' app:v1)
  s tag app:v1 app:prod
  s tag app:v2 app:prod
  run s image rollback app:prod
  expect_success
  [ "$(s inspect --format '{{.Id}}' app:prod)" = "$id1" ]
  [[ "$(s image tag-log --format '{{.Action}}' app:prod | head -1)" == "rollback" ]]
  # Move it again, then remove the image it named before: nothing to go back to.
  s tag app:v2 app:prod
  s rmi -f app:v1 >/dev/null
  run s image rollback app:prod
  expect_failure 125 "is no longer in the store"
  run s image rollback app:never
  expect_failure 125 "has no history"
}

@test "images shows when an image was last used" {
  load_seeds 1
  run s images --format '{{.LastUsed}}'
  expect_success
  [[ "$output" == 20* ]]
}

@test "dry-run prune changes nothing and predicts exactly what the real prune frees" {
  load_seeds 1 2 3
  before=$(store_state)
  run s image prune -a --dry-run
  expect_success
  predicted=$(echo "$output" | sed -n 's/^Would reclaim: .* (\([0-9]*\) bytes)$/\1/p')
  [ -n "$predicted" ]
  [ "$(store_state)" = "$before" ]
  run s system prune -a --dry-run
  expect_success
  [[ "${lines[0]}" == "Would delete Images" ]]
  [ "$(store_state)" = "$before" ]
  used=$(du -sB1 "$STORE/blobs/sha256" | cut -f1)
  s image prune -a -f >/dev/null
  after=$(du -sB1 "$STORE/blobs/sha256" | cut -f1)
  [ "$((used - after))" -eq "$predicted" ]
}

@test "--keep-last keeps the most recently used images of each repository" {
  load_seeds 1 2 3
  fixture --out "$WORK/o.tar" --format oci-archive --name other:1 --seed 9
  s load -i "$WORK/o.tar" >/dev/null
  s tag app:v1 app:touched   # v1 is now the most recently used app image
  run s image prune -a -f --keep-last 1
  expect_success
  [ "$(echo "$output" | wc -l)" -eq 2 ]
  s image exists app:v1
  s image exists other:1
  run s image exists app:v2
  [ "$status" -eq 1 ]
  run s image prune -f --keep-last 1
  expect_failure 125 "--keep-last needs --all"
}

@test "--max-size removes least recently used images until the store fits" {
  load_seeds 1 2 3
  s tag app:v1 app:touched
  total=$(s system df --format '{{.RawSize}}' | head -1)
  # Room for a bit more than one image: the two least recently used go.
  run s image prune -a -f --max-size $((total / 3 + 1000))
  expect_success
  [ "$(echo "$output" | wc -l)" -eq 2 ]
  s image exists app:v1
  local bad
  for bad in 10XB inf nan -1 1e30; do
    run s image prune -a -f --max-size "$bad"
    expect_failure 125 "invalid size"
  done
  s image exists app:v1
}
