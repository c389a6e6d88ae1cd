#!/usr/bin/env bats
# inspect --type: containers and images, a name both have, and podman's errors for names a type
# does not know (exit 125, the store unchanged).

load helpers

# a:1 loaded, a container c1 of it and a second image name c1 (localhost/c1:latest).
fill() {
  local tool=$1
  $tool load -i "$WORK/a.tar" >/dev/null 2>&1
  $tool create --name c1 a:1 >/dev/null
  $tool tag a:1 c1
}

# Container IDs differ between the tools: a container shows its image name, an image its tags.
summary() {
  python3 -c '
import json, sys
text = sys.stdin.read()
for d in json.loads(text) if text.strip() else []:
    if "ImageName" in d:
        print("container", d["ImageName"], d["Name"])
    else:
        print("image", sorted(d.get("RepoTags") or []))'
}

transcript() {
  local tool=$1 args rc
  for args in "c1" "--type all c1" "--type image c1" "--type container c1" "-t container c1 a:1" \
    "a:1 c1" "--type image a:1 nope" "--type container nope c1 nope2" "nope a:1 nope2" \
    "--type all" "--type bogus c1" "--type IMAGE c1" "--type pod c1" "--type volume c1" \
    "--type network c1"; do
    echo "== $args"
    rc=0
    # shellcheck disable=SC2086
    $tool inspect $args >"$WORK/out.json" 2>"$WORK/err" || rc=$?
    summary <"$WORK/out.json"
    cat "$WORK/err"
    echo "rc=$rc"
  done
  echo "== image inspect"
  rc=0
  $tool image inspect --format '{{.RepoTags}}' c1 nope 2>&1 || rc=$?
  echo "rc=$rc"
  echo "== container inspect"
  rc=0
  $tool container inspect nope c1 nope2 >"$WORK/out.json" 2>"$WORK/err" || rc=$?
  summary <"$WORK/out.json"
  cat "$WORK/err"
  echo "rc=$rc"
  echo "== json"
  $tool inspect c1 | head -3 | sed 's/"Id": ".*"/"Id": ID/'
  $tool container inspect c1 | head -3 | sed 's/"Id": ".*"/"Id": ID/'
}

@test "inspect --type finds containers and images as podman does, with its errors" {
  have_podman || skip "podman is not installed"
  fixture --out "$WORK/a.tar" --format docker-archive --name a:1 --layers 1 --layer-kb 1
  fill p
  fill s
  transcript p >"$WORK/podman.txt"
  transcript s >"$WORK/schicht.txt"
  diff "$WORK/podman.txt" "$WORK/schicht.txt"
  grep -A1 '^== c1$' "$WORK/schicht.txt" | grep -q '^container localhost/a:1 c1$'
  grep -A1 '^== --type image c1$' "$WORK/schicht.txt" | grep -q "^image \['localhost/a:1', 'localhost/c1:latest'\]$"
}

@test "without podman: inspect --type, a name both have, errors leave the store unchanged" {
  fixture --out "$WORK/a.tar" --format docker-archive --name a:1 --layers 1 --layer-kb 1
  fill s
  run s inspect --format '{{.Name}}' c1
  expect_success
  [ "$output" = c1 ]
  run s inspect --type image --format '{{.Id}}' c1
  expect_success
  [ "$output" = "$(s image inspect --format '{{.Id}}' a:1)" ]
  BEFORE=$(store_state; s ps -a --format '{{.Names}}')
  run s inspect --type container a:1
  expect_failure 125 "Error: inspecting object: no such container a:1"
  run s inspect --type bogus c1
  expect_failure 125 'Error: invalid type "bogus": must be "image", "container", "pod", "network", "volume", or "all"'
  run s inspect nope1 nope2
  expect_failure 125 'error inspecting object: no such object: "nope2"' 'Error: inspecting object: no such object: "nope1"'
  run s image inspect c1x
  expect_failure 125 "Error: inspecting object: c1x: image not known"
  same_as_before "$(store_state; s ps -a --format '{{.Names}}')"
}

# --latest: the container created last; podman's errors with names, for images, and with none.
latest_transcript() {
  local tool=$1 args rc
  for args in "inspect -l" "inspect --latest --format {{.Name}}" "inspect -l --type container" \
    "container inspect -l --format {{.Name}}" "inspect -l c1" "container inspect -l c1" \
    "inspect -l --type image" "inspect -l --type pod" "inspect -l --type volume"; do
    echo "== $args"
    rc=0
    # shellcheck disable=SC2086
    $tool $args >"$WORK/out.json" 2>"$WORK/err" || rc=$?
    case $args in *format*) cat "$WORK/out.json" ;; *) summary <"$WORK/out.json" ;; esac
    cat "$WORK/err"
    echo "rc=$rc"
  done
}

@test "inspect --latest picks the last container created, with podman's errors" {
  have_podman || skip "podman is not installed"
  fixture --out "$WORK/a.tar" --format docker-archive --name a:1 --layers 1 --layer-kb 1
  for tool in p s; do
    latest_transcript $tool >"$WORK/$tool-empty.txt"
    fill $tool
    $tool create --name c2 a:1 >/dev/null
    latest_transcript $tool >"$WORK/$tool.txt"
  done
  diff "$WORK/p-empty.txt" "$WORK/s-empty.txt"
  diff "$WORK/p.txt" "$WORK/s.txt"
  grep -A1 '^== inspect --latest --format {{.Name}}$' "$WORK/s.txt" | grep -qx c2
}

@test "without podman: inspect --latest, and its errors leave the store unchanged" {
  run s inspect --latest
  expect_failure 125 "Error: inspecting object: no containers to inspect: no such container"
  [ "$(head -1 <<<"$output")" = "[]" ]
  fixture --out "$WORK/a.tar" --format docker-archive --name a:1 --layers 1 --layer-kb 1
  fill s
  s create --name c2 a:1 >/dev/null
  run s container inspect -l --format '{{.Name}} {{.ImageName}}'
  expect_success
  [ "$output" = "c2 localhost/a:1" ]
  BEFORE=$(store_state; s ps -a --format '{{.Names}}')
  run s inspect -l c1
  expect_failure 125 "Error: --latest and arguments cannot be used together"
  run s inspect -l --type image
  expect_failure 125 'Error: latest is not supported for type "image"'
  same_as_before "$(store_state; s ps -a --format '{{.Names}}')"
}
