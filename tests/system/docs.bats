#!/usr/bin/env bats
# The man pages (docs/man/*.1.md) against the binary: every command has a page, every flag its
# --help lists is in that page, `schicht help CMD` is `schicht CMD --help`, and the pages
# convert to roff.

load helpers

MAN=$BATS_TEST_DIRNAME/../../docs/man

# Every command path, a tab, the command it is an alias of.
commands() {
  "$SCHICHT" __commands | cut -f1,2
}

page_of() {
  echo "$MAN/schicht-${1// /-}.1.md"
}

# The flags a --help output lists in its "Flags:" section (not the global ones).
own_flags() {
  awk '/^Flags:/ {on = 1; next} /^Global Flags:/ || /^$/ {on = 0} on' |
    grep -o -- '--[a-z0-9.-]*' || true
}

@test "every command and group has a man page with the sections a page needs" {
  missing=()
  while IFS=$'\t' read -r path canonical; do
    [ -f "$(page_of "$canonical")" ] || missing+=("$canonical")
  done < <(commands)
  for group in image container system manifest artifact "image trust"; do
    [ -f "$(page_of "$group")" ] || missing+=("$group")
  done
  [ -f "$MAN/schicht.1.md" ] || missing+=("schicht")
  if [ "${#missing[@]}" -gt 0 ]; then
    printf 'no man page for: schicht %s\n' "${missing[@]}"
    return 1
  fi
  for page in "$MAN"/*.1.md; do
    for section in NAME SYNOPSIS DESCRIPTION "SEE ALSO"; do
      grep -q "^## $section\$" "$page" || { echo "$page: no $section section"; return 1; }
    done
  done
}

@test "every flag a command's --help lists is described in its man page" {
  bad=()
  while IFS=$'\t' read -r path canonical; do
    page=$(page_of "$canonical")
    [ -f "$page" ] || continue # the test above names it
    # shellcheck disable=SC2086 # the path is several words
    flags=$("$SCHICHT" $path --help | own_flags)
    if [ -n "$flags" ]; then
      grep -q '^## OPTIONS$' "$page" || bad+=("$canonical: no OPTIONS section")
    fi
    for flag in $flags; do
      grep -qF -- "**$flag**" "$page" || bad+=("$canonical: $flag")
    done
  done < <(commands)
  # The global flags are described once, in schicht(1).
  for flag in $("$SCHICHT" images --help | awk '/^Global Flags:/ {on = 1; next} on' |
    grep -o -- '--[a-z0-9.-]*'); do
    grep -qF -- "**$flag**" "$MAN/schicht.1.md" || bad+=("schicht: $flag")
  done
  if [ "${#bad[@]}" -gt 0 ]; then
    printf 'not in the man page: %s\n' "${bad[@]}"
    return 1
  fi
}

@test "the man pages name every command of their group" {
  while IFS=$'\t' read -r path canonical; do
    case "$path" in
      *" "*) group=${path% *} ;;
      *) group="" ;;
    esac
    word=${path##* }
    page=$MAN/schicht.1.md
    [ -n "$group" ] && page=$(page_of "$group")
    grep -qE "^\| ([a-z-]+, )*$word(, [a-z-]+)* \|" "$page" || {
      echo "$page does not list $word"
      return 1
    }
  done < <(commands)
}

@test "schicht help CMD prints what schicht CMD --help prints" {
  while IFS=$'\t' read -r path _; do
    # shellcheck disable=SC2086
    want=$("$SCHICHT" $path --help)
    # shellcheck disable=SC2086
    got=$("$SCHICHT" help $path)
    [ "$got" = "$want" ] || { echo "help $path differs from $path --help"; return 1; }
  done < <(commands)
  for group in image container system manifest; do
    run "$SCHICHT" help "$group"
    expect_success
    want=$("$SCHICHT" "$group" --help)
    [ "$output" = "$want" ]
    [[ "$output" == *"Available Commands:"* ]]
  done
  run "$SCHICHT" help
  expect_success
  for word in image manifest system container completion images; do
    [[ "$output" == *"  $word "* ]] || { echo "schicht help lacks $word"; return 1; }
  done
}

@test "help of an unknown command fails as podman does" {
  run "$SCHICHT" help nosuch
  expect_failure 125 "unrecognized command \`schicht nosuch\`"
  run "$SCHICHT" image nosuch --help
  expect_failure 125 "unrecognized command \`schicht image nosuch\`"
}

@test "the man pages convert to roff, aliases as .so links" {
  command -v go-md2man >/dev/null || skip "go-md2man not installed"
  out=$WORK/man/man1
  run "$BATS_TEST_DIRNAME/../../scripts/man-pages" go-md2man "$SCHICHT" "$out"
  expect_success
  [[ "$output" != *warning* ]]
  [ "$(cat "$out/schicht-image-ls.1")" = ".so man1/schicht-images.1" ]
  [ "$(cat "$out/schicht-image-rm.1")" = ".so man1/schicht-rmi.1" ]
  [ "$(cat "$out/schicht-image-umount.1")" = ".so man1/schicht-image-unmount.1" ]
  grep -q '^\.TH schicht-images 1' "$out/schicht-images.1"
  grep -q -- '--digests' "$out/schicht-images.1"
  if command -v man >/dev/null; then
    run env MANWIDTH=80 man -l "$out/schicht-image-tree.1"
    expect_success
    [[ "$output" == *"whatrequires"* ]]
    # An alias shows its command's page (.so resolves from the manual's root).
    cd "$WORK/man"
    run env MANWIDTH=80 man -l man1/schicht-image-ls.1
    expect_success
    [[ "$output" == *"--digests"* ]]
  fi
}
