#!/usr/bin/env bats
# build --platform / --os / --arch / --variant: an image for another platform. Without RUN
# steps it is built natively; a RUN step of a foreign platform needs a qemu-user emulator
# registered with binfmt_misc, and without one the build stops before the step, saying so.

load helpers

setup() {
  make_work
  mkdir -p "$WORK/ctx"
  echo hi >"$WORK/ctx/f"
  printf 'FROM scratch\nCOPY f /f\nLABEL made=here\n' >"$WORK/ctx/Containerfile"
}

platform_of() {
  "$@" inspect --format '{{.Os}}/{{.Architecture}}' "${IMAGE:?}"
}

@test "build --platform sets the image's platform, as podman's does" {
  s build -q --platform linux/arm64 -t arm:1 "$WORK/ctx" >/dev/null
  IMAGE=arm:1
  [ "$(platform_of s)" = "linux/arm64" ]
  [ "$(s inspect --format '{{.Config.Labels.made}}' arm:1)" = here ]
  if have_podman; then
    p build -q --platform linux/arm64 -t arm:1 "$WORK/ctx" >/dev/null 2>&1
    [ "$(platform_of p)" = "$(platform_of s)" ]
  fi
  # Normalized as podman's --arch is; the variant is kept.
  s build -q --arch aarch64 -t arm:2 "$WORK/ctx" >/dev/null
  IMAGE=arm:2
  [ "$(platform_of s)" = "linux/arm64" ]
  s build -q --arch arm --variant v7 -t arm:3 "$WORK/ctx" >/dev/null
  IMAGE=arm:3
  [ "$(platform_of s)" = "linux/arm" ]
  # Without a platform, this machine's; the cache does not hand one platform's image to another.
  s build -q -t host:1 "$WORK/ctx" >/dev/null
  IMAGE=host:1
  [ "$(platform_of s)" = "linux/$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')" ]
  [ "$(s images -q arm:1)" != "$(s images -q host:1)" ]
}

@test "build --platform with several platforms builds one image for each" {
  run s build --platform linux/arm64,linux/s390x -t multi:1 "$WORK/ctx"
  expect_success
  ids=$(echo "$output" | grep -E '^[0-9a-f]{64}$')
  [ "$(echo "$ids" | wc -l)" -eq 2 ]
  for id in $ids; do s image exists "$id"; done
  IMAGE=multi:1
  [ "$(platform_of s)" = "linux/s390x" ]
}

@test "a RUN step of a foreign platform without an emulator stops the build, naming what is missing" {
  arch=arm64 emulator=qemu-aarch64
  [ "$(uname -m)" = aarch64 ] && arch=s390x emulator=qemu-s390x
  [ -e "/proc/sys/fs/binfmt_misc/$emulator" ] && skip "$emulator is registered here"
  s build -q --platform "linux/$arch" -t foreign:1 "$WORK/ctx" >/dev/null
  printf 'FROM foreign:1\nRUN true\n' >"$WORK/ctx/Run"
  BEFORE=$(store_state)
  run s build --platform "linux/$arch" -f "$WORK/ctx/Run" -t never:1 "$WORK/ctx"
  expect_failure 125 "building at STEP \"RUN true\": cannot run programs for linux/$arch on this linux/"
  [[ "$output" == *"no emulator $emulator is registered in /proc/sys/fs/binfmt_misc (install qemu-user-static"* ]]
  run s image exists never:1
  [ "$status" -eq 1 ]
  unchanged
}

@test "a base image of another platform is used as podman does: only when no platform is asked for" {
  s build -q --platform linux/s390x -t base:1 "$WORK/ctx" >/dev/null
  printf 'FROM base:1\nLABEL x=1\n' >"$WORK/ctx/On"
  run s build --pull=never -f "$WORK/ctx/On" -t on:1 "$WORK/ctx"
  expect_success
  IMAGE=on:1
  [ "$(platform_of s)" = "linux/s390x" ]
  BEFORE=$(store_state)
  run s build --pull=never --platform linux/arm64 -f "$WORK/ctx/On" -t on:2 "$WORK/ctx"
  expect_failure 125 "base:1: image not known"
  unchanged
}

@test "bad --platform values and conflicting flags fail as in podman" {
  BEFORE=$(store_state)
  for args in "--platform bad" "--platform linux/amd64,x" \
    "--platform linux/amd64 --arch arm64" "--platform linux/amd64 --variant v8"; do
    run s build $args "$WORK/ctx"
    [ "$status" -eq 125 ]
    mine=$output
    if have_podman; then
      run p build $args "$WORK/ctx"
      [ "$status" -eq 125 ]
      [ "$mine" = "$output" ]
    fi
  done
  run s build --platform bad "$WORK/ctx"
  [ "$output" = 'Error: invalid platform syntax for "bad" (use OS/ARCH[/VARIANT][,...])' ]
  run s build --platform linux/ "$WORK/ctx"
  [ "$output" = 'Error: invalid platform syntax for "linux/" (use OS/ARCH[/VARIANT][,...])' ]
  run s build --platform linux/amd64 --os linux "$WORK/ctx"
  [ "$output" = "Error: invalid --platform may not be used with --os, --arch, or --variant" ]
  unchanged
}

@test "build --manifest adds each platform's image to a list, created when missing" {
  run s build -q --platform linux/arm64,linux/s390x --manifest multi "$WORK/ctx"
  expect_success
  run s manifest inspect multi
  expect_success
  platforms=$(echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["mediaType"])
for m in d["manifests"]: print(m["platform"]["os"] + "/" + m["platform"]["architecture"])')
  [ "$platforms" = "$(printf 'application/vnd.docker.distribution.manifest.list.v2+json\nlinux/arm64\nlinux/s390x')" ]
  # The same image again changes nothing but its place; another platform is added.
  s build -q --platform linux/arm64 --manifest multi "$WORK/ctx" >/dev/null
  s build -q --platform linux/ppc64le --manifest localhost/multi:latest "$WORK/ctx" >/dev/null
  run s manifest inspect multi
  [ "$(echo "$output" | grep -c '"digest"')" -eq 3 ]
  [ "$(echo "$output" | grep '"architecture"' | tr -d ' ,"' | cut -d: -f2 | tr '\n' ' ')" = "s390x arm64 ppc64le " ]
}

@test "build --manifest with a bad list name fails before building" {
  BEFORE=$(store_state)
  run s build --manifest 'Bad:Name:x' "$WORK/ctx"
  [ "$status" -eq 125 ]
  # podman 4.3 prints the same, name twice.
  [ "$output" = 'Error: normalizing name "Bad:Name:x": normalizing name "Bad:Name:x": invalid reference format' ]
  unchanged
}
