#!/usr/bin/env bats
# images: the intermediate, dangling, containers, readonly and manifest filters, the hiding of
# intermediate images without --all, {{.IsReadOnly}}, and what Dangling and Containers show, as
# podman 4.3 prints them.

load helpers

# base:1 (loaded), mid (base plus ENV, untagged after b:1 was built on it: intermediate),
# b:1 (mid plus LABEL), alone (an untagged import nothing was built on: dangling), and a
# container of base:1.
fill() {
  local tool=$1
  $tool load -i "$WORK/base.tar" >/dev/null 2>&1
  printf 'FROM localhost/base:1\nENV X=1\n' >"$WORK/Containerfile.mid"
  printf 'FROM localhost/mid:1\nLABEL y=2\n' >"$WORK/Containerfile.b"
  $tool build -q -f "$WORK/Containerfile.mid" -t mid:1 "$WORK/ctx" >/dev/null
  $tool build -q -f "$WORK/Containerfile.b" -t b:1 "$WORK/ctx" >/dev/null
  $tool untag mid:1
  $tool import "$WORK/root.tar" alone:1 >/dev/null
  $tool untag alone:1
  $tool create --name c1 base:1 >/dev/null
}

prepare() {
  fixture --out "$WORK/base.tar" --format docker-archive --name base:1 --layers 1 --layer-kb 1
  mkdir -p "$WORK/ctx" "$WORK/root/etc"
  echo hi >"$WORK/root/etc/hi"
  tar -cf "$WORK/root.tar" -C "$WORK/root" .
}

transcript() {
  local tool=$1
  show() {
    echo "== $*"
    $tool images --format '{{.Repository}}:{{.Tag}} {{.IsReadOnly}} {{.ReadOnly}} {{.Dangling}} {{.Containers}}' "$@" 2>&1 | sort
    echo "rc=${PIPESTATUS[0]}"
  }
  show
  show -a
  for f in intermediate=true intermediate=false dangling=true dangling=false containers=true \
    containers=false readonly=true readonly=false manifest=true manifest=false intermediate=1 \
    dangling=T readonly=FALSE; do
    show -a --filter "$f"
  done
  show --filter intermediate=false
  show --filter dangling=true
  show -a --filter containers=true --filter dangling=false
  echo "== json"
  $tool images -a --format json | python3 -c '
import json, sys
for i in sorted(json.load(sys.stdin), key=lambda i: (sorted(i.get("Names") or []), i["Containers"])):
    print(sorted(i.get("Names") or []), i.get("Dangling"), i["Containers"])'
  echo "== table"
  $tool images --format 'table {{.Repository}} {{.IsReadOnly}}' b:1
  echo "== bad"
  for args in "--filter intermediate=true" "--filter intermediate=0" "-a --filter intermediate=x" \
    "--filter readonly=x" "--filter manifest=yes" "--filter containers=1" \
    "--filter containers=external" "-a --filter containers=true --filter containers=false" \
    "-a --filter dangling=true --filter dangling=false" "-a --filter readonly=1 --filter readonly=true" \
    "--filter bogus=1"; do
    echo "-- $args"
    local rc=0
    # shellcheck disable=SC2086
    $tool images $args 2>&1 || rc=$?
    echo "rc=$rc"
  done
}

@test "intermediate, dangling, containers, readonly, manifest filters print as in podman" {
  have_podman || skip "podman is not installed"
  prepare
  fill p
  fill s
  transcript p >"$WORK/podman.txt"
  transcript s >"$WORK/schicht.txt"
  diff "$WORK/podman.txt" "$WORK/schicht.txt"
  # The test compares something: the intermediate image is hidden, then shown.
  grep -A2 '^== -a --filter intermediate=true$' "$WORK/schicht.txt" | grep -q '^<none>:<none> false false false 0$'
  grep -q "^\['localhost/base:1'\] None 1$" "$WORK/schicht.txt"
}

@test "without podman: intermediate images are hidden, filters select, bad values fail" {
  prepare
  fill s
  run s images --format '{{.Repository}}:{{.Tag}}'
  expect_success
  [ "$(echo "$output" | sort | tr '\n' ' ')" = "<none>:<none> localhost/b:1 localhost/base:1 " ]
  # The one image -a adds is the intermediate one.
  run s images -a -q --filter intermediate=true
  expect_success
  [ -n "$output" ]
  [ "$output" = "$(comm -23 <(s images -a -q | sort) <(s images -q | sort))" ]
  # -q reads whether an image has a name, not the names: the same images as the rows, the
  # untagged leaf among them as dangling, the untagged parent hidden.
  [ "$(s images -q | sort)" = "$(s images --format '{{.ID}}' | sort -u)" ]
  [ "$(s images -a -q | sort)" = "$(s images -a --format '{{.ID}}' | sort -u)" ]
  dangling=$(s images --format '{{.ID}} {{.Repository}}' | awk '$2 == "<none>" { print $1 }')
  [ -n "$dangling" ]
  [ "$(s images -q --filter dangling=true)" = "$dangling" ]
  [ "$(s images -q --filter dangling=false | sort)" = "$(s images -q | grep -v "$dangling" | sort)" ]
  run s images -q --filter containers=true
  [ "$output" = "$(s images -q base:1)" ]
  run s images -q --filter readonly=true --filter manifest=true
  expect_success
  [ -z "$output" ]
  BEFORE=$(store_state)
  run s images --filter intermediate=true
  expect_failure 125 'Error: specifying "intermediate" filter more than once with different values is not supported'
  run s images --filter readonly=x
  expect_failure 125 'Error: non-boolean value "readonly" for x filter: strconv.ParseBool: parsing "x": invalid syntax'
  run s images --filter containers=1
  expect_failure 125 'Error: unsupported value "1" for containers filter'
  unchanged
}
