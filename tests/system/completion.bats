#!/usr/bin/env bats
# Shell completion: `schicht completion bash|zsh|fish` and the hidden `__complete` the scripts
# call. The bash script is loaded in a bash subshell and driven as readline would drive it.

load helpers

setup_file() {
  FIXTURES=$(mktemp -d "${BATS_TMPDIR:-/tmp}/schicht-completion.XXXXXX")
  export FIXTURES
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$FIXTURES/app.tar" \
    --format docker-archive --name app:1 --layers 1 --layer-kb 4 --seed 7
}

teardown_file() {
  rm -rf "$FIXTURES"
}

# Completes the command line $1 (cursor at its end) with the bash script; one candidate a line.
bash_complete() {
  local bin
  bin=$(cd "$(dirname "$SCHICHT")" && pwd)
  PATH="$bin:$PATH" SCHICHT_ROOT="$STORE" LINE="$1" bash --norc --noprofile -c '
    set -e
    source <(schicht completion bash)
    complete -p schicht >/dev/null
    COMP_LINE=$LINE
    COMP_POINT=${#LINE}
    __schicht_complete
    printf "%s\n" "${COMPREPLY[@]}"'
}

@test "completion bash: the script loads and registers a completion for schicht" {
  run bash --norc --noprofile -c "source <('$SCHICHT' completion bash) && complete -p schicht"
  expect_success
  [[ "$output" == *"-F __schicht_complete schicht"* ]]
}

@test "completion bash: commands, groups and subcommands" {
  run bash_complete "schicht ima"
  expect_success
  [ "$output" = $'image\nimages' ]
  run bash_complete "schicht image tr"
  expect_success
  [ "$output" = $'tree\ntrust' ]
  run bash_complete "schicht image trust s"
  expect_success
  [ "$output" = $'set\nshow' ]
  run bash_complete "schicht --root /tmp/x manifest cr"
  expect_success
  [ "$output" = "create" ]
  run bash_complete "schicht help sys"
  expect_success
  [ "$output" = "system" ]
}

@test "completion bash: flags and flag values" {
  run bash_complete "schicht images --no"
  expect_success
  [ "$output" = $'--no-trunc\n--noheading' ]
  run bash_complete "schicht save --format oci-"
  expect_success
  [ "$output" = $'oci-archive\noci-dir' ]
  # bash replaces only what follows '=': the candidates are the rest of the word.
  run bash_complete "schicht save --format=docker-a"
  expect_success
  [ "$output" = "docker-archive" ]
  run bash_complete "schicht save --multi-"
  expect_success
  [[ "$output" == *"--multi-arch"* && "$output" == *"--multi-image-archive"* ]]
  run bash_complete "schicht save --multi-arch "
  expect_success
  [ "$output" = $'system\nall\nindex-only' ] || [ "$output" = $'all\nindex-only\nsystem' ]
  run bash_complete "schicht image trust set -t "
  expect_success
  [ "$output" = $'accept\nreject\nsignedBy\nsigstoreSigned' ]
  run bash_complete "schicht completion "
  expect_success
  [ "$output" = $'bash\nfish\nzsh' ]
  run bash_complete "schicht --storage-driver "
  expect_success
  [ "$output" = $'overlay\nvfs' ]
}

@test "completion bash: image names and IDs from the store" {
  s load -i "$FIXTURES/app.tar" >/dev/null
  s tag app:1 other/thing:2
  id=$(s images -q --filter reference=app)
  run bash_complete "schicht rmi "
  expect_success
  [[ "$output" == *"localhost/app:1"* && "$output" == *"app:1"* ]]
  [[ "$output" == *"other/thing:2"* ]]
  run bash_complete "schicht image tree ot"
  expect_success
  [ "$output" = "other/thing:2" ]
  # ':' breaks words in bash: after it only the tag is completed.
  run bash_complete "schicht inspect localhost/app:"
  expect_success
  [ "$output" = "1" ]
  run bash_complete "schicht rmi ${id:0:4}"
  expect_success
  [ "$output" = "$id" ]
  # The store of --root on the command line, not the environment's.
  run bash_complete "schicht --root $WORK/none rmi "
  expect_success
  [ -z "$output" ]
  [ ! -e "$WORK/none" ]
}

@test "completion bash: containers, lists, and files where a path goes" {
  s load -i "$FIXTURES/app.tar" >/dev/null
  s create --name c1 app:1 >/dev/null
  s manifest create app:multi app:1 >/dev/null
  run bash_complete "schicht rm "
  expect_success
  [ "$output" = "c1" ]
  run bash_complete "schicht manifest inspect app:m"
  expect_success
  [ "$output" = "multi" ]
  touch "$WORK/fileA"
  run bash_complete "schicht load -i $WORK/fil"
  expect_success
  [ "$output" = "$WORK/fileA" ]
}

@test "__complete answers with a directive and never fails" {
  run "$SCHICHT" __complete ima
  expect_success
  [ "$output" = $'image\nimages\n:nofiles' ]
  run "$SCHICHT" __complete nosuch ""
  expect_success
  [ "$output" = ":nofiles" ]
  run "$SCHICHT" __complete import ""
  expect_success
  [ "$output" = ":files" ]
  # A store that cannot be read offers nothing, silently.
  mkdir -p "$WORK/bad"
  echo garbage >"$WORK/bad/db.sqlite"
  run "$SCHICHT" __complete --root "$WORK/bad" rmi ""
  expect_success
  [ "$output" = ":nofiles" ]
}

@test "completion: bad input" {
  run "$SCHICHT" completion
  expect_failure 125 "accepts 1 arg(s), received 0"
  run "$SCHICHT" completion tcsh
  expect_failure 125 'unsupported shell "tcsh"'
  run "$SCHICHT" completion bash zsh
  expect_failure 125 "accepts 1 arg(s), received 2"
}

@test "completion -f writes the script to a file" {
  run "$SCHICHT" completion -f "$WORK/out.bash" bash
  expect_success
  [ -z "$output" ]
  diff "$WORK/out.bash" <("$SCHICHT" completion bash)
}

@test "completion zsh and fish: the scripts parse" {
  "$SCHICHT" completion zsh >"$WORK/_schicht"
  "$SCHICHT" completion fish >"$WORK/schicht.fish"
  if command -v zsh >/dev/null; then
    run zsh -n "$WORK/_schicht"
    expect_success
  fi
  if command -v fish >/dev/null; then
    run fish --no-execute "$WORK/schicht.fish"
    expect_success
  fi
  command -v zsh >/dev/null || command -v fish >/dev/null || skip "neither zsh nor fish installed"
}

@test "completion zsh: the completion function offers what __complete answers" {
  command -v zsh >/dev/null || skip "zsh not installed"
  s load -i "$FIXTURES/app.tar" >/dev/null
  bin=$(cd "$(dirname "$SCHICHT")" && pwd)
  # compsys's builtins replaced by stand-ins that print what they are given.
  run env PATH="$bin:$PATH" SCHICHT_ROOT="$STORE" zsh -f -c '
    compdef() { :; }
    source <(schicht completion zsh)
    compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
    _files() { print FILES; }
    words=(schicht ima); CURRENT=2; _schicht
    words=(schicht images --no); CURRENT=3; _schicht
    words=(schicht rmi localhost/); CURRENT=3; _schicht
    words=(schicht load -i ""); CURRENT=4; _schicht'
  expect_success
  [ "$output" = $'image\nimages\n--no-trunc\n--noheading\nlocalhost/app:1\nFILES' ]
}

@test "completion fish: completes commands and images in a real fish" {
  command -v fish >/dev/null || skip "fish not installed"
  s load -i "$FIXTURES/app.tar" >/dev/null
  bin=$(cd "$(dirname "$SCHICHT")" && pwd)
  run env PATH="$bin:$PATH" SCHICHT_ROOT="$STORE" HOME="$WORK" fish --no-config -c "
    schicht completion fish | source
    complete -C 'schicht ima'
    complete -C 'schicht image tree app'"
  expect_success
  [[ "$output" == *image* && "$output" == *images* ]]
  [[ "$output" == *"app:1"* ]]
}
