#!/usr/bin/env bats
# Bad input on the command line: malformed image names (pulled or looked up), templates that do
# not parse or run, filters and flag values podman refuses, policy and auth files that are
# missing or not JSON, import changes without a value. Each fails with podman's message and
# exit code (compared with podman where it is installed), never with the text of a C++ or
# library exception, and leaves the store as it was.

load helpers

setup() {
  make_work
  fixture --out "$WORK/app.tar" --format oci-archive --name app:1 --seed 81
  s load -q -i "$WORK/app.tar" >/dev/null
  BEFORE=$(store_state)
}

# expect_clean_failure CODE TEXT...: expect_failure, and no exception text of ours leaked out.
expect_clean_failure() {
  expect_failure "$@"
  local leak
  for leak in basic_string json.exception stoi stol "filesystem error" "std::" what\(\); do
    if [[ "$output" == *"$leak"* ]]; then
      echo "exception text ($leak) in: $output"
      return 1
    fi
  done
}

# The first "Error: " line of $output.
error_line() {
  grep -m1 '^Error: ' <<<"$output" || true
}

# same_in_podman CODE COMMAND...: podman (when installed) fails COMMAND with CODE and the same
# "Error: " line as our $output.
same_in_podman() {
  have_podman || return 0
  local code=$1 ours
  ours=$(error_line)
  shift
  if [ -z "${PODMAN_LOADED:-}" ]; then
    p load -q -i "$WORK/app.tar" >/dev/null
    PODMAN_LOADED=1
  fi
  run p "$@"
  expect_failure "$code"
  [ "$(error_line)" = "$ours" ] || { echo "podman: $output; ours: $ours"; false; }
}

@test "pull of a malformed name: the reference grammar's error, as podman's pull; nothing stored" {
  local long
  long=$(printf 'a%.0s' {1..300})
  cases=(
    "a b|Error: invalid reference format"
    "|Error: repository name must have at least one component"
    "$long|Error: repository name must not be more than 255 characters"
    "x:$(printf 't%.0s' {1..129})|Error: invalid reference format"
    "x@sha256:123|Error: invalid reference format"
    "x:1@sha256:zz|Error: invalid reference format"
    "UPPER|Error: repository name must be lowercase"
    'UPPER/x|Error: Invalid image name "UPPER/x", expected colon-separated transport:reference'
  )
  for c in "${cases[@]}"; do
    local name=${c%%|*} want=${c#*|}
    run s pull "$name"
    expect_clean_failure 125 "$want"
    [ "${lines[-1]}" = "$want" ]
    unchanged
    same_in_podman 125 pull "$name"
  done
}

@test "a malformed name where an image is looked up: the grammar's error and 125, as in podman" {
  for cmd in rmi history "image mount" "image tree" "save -o $WORK/out.tar"; do
    # shellcheck disable=SC2086 # the command and its options
    run s $cmd 'a b'
    expect_clean_failure 125 "Error: invalid reference format"
    [ "${lines[-1]}" = "Error: invalid reference format" ]
    unchanged
  done
  [ ! -e "$WORK/out.tar" ]
  run s rmi UPPER
  expect_clean_failure 125 "Error: repository name must be lowercase"
  same_in_podman 125 rmi UPPER
  run s rmi 'x@sha256:1'
  expect_clean_failure 125 "Error: invalid reference format"
  same_in_podman 125 rmi 'x@sha256:1'
  # A well-formed name that is not there is still a missing image: 1 for rmi.
  run s rmi nope
  expect_clean_failure 1 "Error: nope: image not known"
  unchanged
}

@test "a policy.json that is missing, empty or not JSON fails as in podman, without the parser's text" {
  fixture --out "$WORK/other.tar" --format oci-archive --name other:1 --seed 82
  run s pull --signature-policy "$WORK/missing.json" "oci-archive:$WORK/other.tar"
  expect_clean_failure 125 "Error: open $WORK/missing.json: no such file or directory"
  unchanged
  same_in_podman 125 pull --signature-policy "$WORK/missing.json" "oci-archive:$WORK/other.tar"
  : >"$WORK/empty.json"
  run s pull --signature-policy "$WORK/empty.json" "oci-archive:$WORK/other.tar"
  expect_clean_failure 125 \
    "Error: invalid policy in \"$WORK/empty.json\": unexpected end of JSON input"
  unchanged
  echo '{not json' >"$WORK/bad.json"
  run s pull --signature-policy "$WORK/bad.json" "oci-archive:$WORK/other.tar"
  expect_clean_failure 125 "Error: invalid policy in \"$WORK/bad.json\": invalid character"
  unchanged
  run s load --signature-policy "$WORK/bad.json" -i "$WORK/other.tar"
  expect_clean_failure 125 "Error: invalid policy in \"$WORK/bad.json\": invalid character"
  unchanged
  # What follows a NUL byte is not ignored (the JSON parser would take it for the end).
  printf '{"default":[{"type":"insecureAcceptAnything"}]}\x00{"default":[{"type":"reject"}]}' \
    >"$WORK/nul.json"
  run s pull --signature-policy "$WORK/nul.json" "oci-archive:$WORK/other.tar"
  expect_clean_failure 125 "Error: invalid policy in \"$WORK/nul.json\": invalid character '\\x00'"
  unchanged
}

@test "a missing --authfile fails before anything is read, as in podman" {
  fixture --out "$WORK/other.tar" --format oci-archive --name other:1 --seed 83
  run s pull --authfile "$WORK/missing.json" "oci-archive:$WORK/other.tar"
  expect_clean_failure 125 "Error: stat $WORK/missing.json: no such file or directory"
  unchanged
  same_in_podman 125 pull --authfile "$WORK/missing.json" "oci-archive:$WORK/other.tar"
  run s push --authfile "$WORK/missing.json" app:1 "oci-archive:$WORK/out.tar"
  expect_clean_failure 125 "Error: stat $WORK/missing.json: no such file or directory"
  [ ! -e "$WORK/out.tar" ]
  unchanged
}

@test "templates that do not parse or do not run: Go's template errors, exit 125" {
  run s images --format '{{'
  expect_clean_failure 125 'Error: template: images:1: unexpected "{" in command'
  same_in_podman 125 images --format '{{'
  run s images --format '{{.Foo}}'
  expect_clean_failure 125 \
    'Error: template: images:1:13: executing "images" at <.Foo>: can'"'"'t evaluate field Foo in type images.imageReporter'
  same_in_podman 125 images --format '{{.Foo}}'
  run s images --format '{{.ID | nosuchfunc}}'
  expect_clean_failure 125 'Error: template: images:1: function "nosuchfunc" not defined'
  same_in_podman 125 images --format '{{.ID | nosuchfunc}}'
  run s images --format '{{slice .ID 100}}'
  expect_clean_failure 125 "error calling slice: index out of range: 100"
  same_in_podman 125 images --format '{{slice .ID 100}}'
  run s history --format '{{' app:1
  expect_clean_failure 125 'Error: template: history:1: unexpected "{" in command'
  same_in_podman 125 history --format '{{' app:1
  run s inspect --format '{{index .RepoTags 10}}' app:1
  expect_clean_failure 125 "error calling index: index out of range: 10"
  unchanged
}

@test "filters and sort keys podman refuses are refused with its words" {
  run s images --filter foo=bar
  expect_clean_failure 125 'Error: unsupported image filter "foo"'
  same_in_podman 125 images --filter foo=bar
  run s images --filter =
  expect_clean_failure 125 'Error: unsupported image filter ""'
  same_in_podman 125 images --filter =
  run s images --filter dangling=maybe
  expect_clean_failure 125 \
    'Error: non-boolean value "dangling" for maybe filter: strconv.ParseBool: parsing "maybe": invalid syntax'
  same_in_podman 125 images --filter dangling=maybe
  run s images --filter before=nosuch
  expect_clean_failure 125 \
    'Error: could not find local image for filter filter "before"="nosuch": nosuch: image not known'
  same_in_podman 125 images --filter before=nosuch
  run s images --filter until=garbage
  expect_clean_failure 125 'Error: failed to parse value as time or duration: "garbage"'
  same_in_podman 125 images --filter until=garbage
  run s images --filter label
  expect_clean_failure 125 \
    'Error: invalid image filter "label": must be in the format "filter=value or filter!=value"'
  same_in_podman 125 images --filter label
  run s images --sort nosuch
  expect_clean_failure 125 \
    'Error: "nosuch" is not a valid field for sorting. Choose from: created, id, repository, size, tag'
  # podman lists the fields in Go's map order, which changes from run to run: compare the set.
  if have_podman; then
    run p images --sort nosuch
    expect_failure 125
    local fields
    fields=$(error_line | sed 's/.*Choose from: //' | tr -d ' ' | tr , '\n' | sort | paste -sd,)
    [ "$fields" = "created,id,repository,size,tag" ]
  fi
  unchanged
}

@test "flag values that are not numbers are refused naming the flag" {
  run s pull --retry abc app:1
  expect_clean_failure 125 \
    'Error: invalid argument "abc" for "--retry" flag: strconv.ParseInt: parsing "abc": invalid syntax'
  run s search --limit abc x
  expect_clean_failure 125 \
    'Error: invalid argument "abc" for "--limit" flag: strconv.ParseInt: parsing "abc": invalid syntax'
  same_in_podman 125 search --limit abc x
  run s image prune -a --keep-last abc
  expect_clean_failure 125 'Error: invalid --keep-last "abc"'
  unchanged
}

@test "import --change with an instruction alone is refused as podman refuses it; nothing stored" {
  for change in CMD USER EXPOSE; do
    run s import --change "$change" "$WORK/app.tar" imported:1
    expect_clean_failure 125 "Error: invalid change \"$change\" - must be formatted as KEY VALUE"
    unchanged
    same_in_podman 125 import --change "$change" "$WORK/app.tar" imported:1
  done
}
