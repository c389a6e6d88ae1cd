#!/usr/bin/env bats
# tag, untag, rmi, image exists: names move, digests stay, the last name takes the image along.

load helpers

load_two() {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --seed 1
  fixture --out "$WORK/b.tar" --format oci-archive --name base:1 --seed 2
  s load -i "$WORK/a.tar" >/dev/null
  s load -i "$WORK/b.tar" >/dev/null
}

names() {
  s images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' '
}

@test "tag adds names with podman's normalization" {
  load_two
  run s tag app:1 foo bar:2 docker.io/x/y quay.io/org/z:3
  expect_success
  [ "$(names)" = "docker.io/x/y:latest localhost/app:1 localhost/bar:2 localhost/base:1 localhost/foo:latest quay.io/org/z:3 " ]
}

@test "tag moves a name from another image and records it in the tag log" {
  load_two
  s tag app:1 shared:1
  id_a=$(s images -q --no-trunc app:1)
  s tag base:1 shared:1
  [ "$(s inspect --format '{{.Id}}' shared:1)" = "$(s inspect --format '{{.Id}}' base:1)" ]
  run sqlite3 "$STORE/db.sqlite" "SELECT action, from_image IS NOT NULL FROM tag_log WHERE name = 'localhost/shared:1' ORDER BY id"
  [ "$output" = "$(printf 'tag|0\ntag|1')" ]
}

@test "tag errors: unknown image, bad name, digest, too few arguments" {
  load_two
  run s tag nope foo
  expect_failure 125 "nope: image not known"
  run s tag app:1 Bad
  expect_failure 125 'normalizing name "Bad"' "repository name must be lowercase"
  run s tag app:1
  expect_failure 125 "requires at least 2 arg(s), only received 1"
}

@test "untag removes one name, or every name" {
  load_two
  s tag app:1 foo bar
  run s untag app:1 foo
  expect_success
  [[ "$(names)" != *"localhost/foo:latest"* ]]
  run s untag app:1 nothere
  expect_failure 125 "localhost/nothere:latest: tag not known"
  run s untag app:1
  expect_success
  run s images
  [[ "$output" == *"<none>"* ]]
}

@test "rmi of one of several names only untags; the last name deletes" {
  load_two
  s tag app:1 other:2
  before=$(ls "$STORE/blobs/sha256" | wc -l)
  run s rmi app:1
  expect_success
  [ "$output" = "Untagged: localhost/app:1" ]
  [ "$(ls "$STORE/blobs/sha256" | wc -l)" -eq "$before" ]
  id=$(s images -q --no-trunc other:2)
  run s rmi other:2
  expect_success
  [ "${lines[0]}" = "Untagged: localhost/other:2" ]
  [ "${lines[1]}" = "Deleted: ${id#sha256:}" ]
  # Its blobs went with it; base's stayed.
  [ "$(ls "$STORE/blobs/sha256" | wc -l)" -lt "$before" ]
  s image exists base:1
}

@test "rmi by ID with several names needs -f" {
  load_two
  s tag app:1 other:2
  id=$(s images -q app:1)
  run s rmi "$id"
  expect_failure 125 "by ID with more than one tag" "please force removal"
  run s rmi -f "$id"
  expect_success
  [[ "$output" == *"Untagged: localhost/app:1"*"Untagged: localhost/other:2"*"Deleted: "* ]]
  run s image exists app:1
  [ "$status" -eq 1 ]
}

@test "rmi errors: unknown (exit 1), several unknown, -i, no argument, -a with names" {
  load_two
  run s rmi nope
  expect_failure 1 "nope: image not known"
  run s rmi a b
  expect_failure 1 "2 errors occurred:" "a: image not known" "b: image not known"
  run s rmi -i nope
  expect_success
  run s rmi
  expect_failure 125 "image name or ID must be specified"
  run s rmi -a app:1
  expect_failure 125 "when using the --all switch"
}

@test "rmi -a removes everything and leaves no blob" {
  load_two
  run s rmi -a
  expect_success
  [ -z "$(s images -q)" ]
  [ -z "$(ls -A "$STORE/blobs/sha256")" ]
}

@test "rmi by short ID, full ID and digest; an ambiguous prefix is refused" {
  load_two
  id=$(s images -q --no-trunc app:1)
  id=${id#sha256:}
  digest=$(s inspect --format '{{.Digest}}' app:1)
  run s image exists "${id:0:12}"
  expect_success
  run s image exists "sha256:$id"
  expect_success
  run s image exists "localhost/app@$digest"
  expect_success
  run s rmi "${id:0:12}"
  expect_success
  [ "${lines[-1]}" = "Deleted: $id" ]
}

@test "same sequence as podman: names, IDs and exit codes agree" {
  have_podman || skip "podman is not installed"
  fixture --out "$WORK/a.tar" --format docker-archive --name app:1 --seed 1
  fixture --out "$WORK/b.tar" --format oci-archive --name base:1 --seed 2
  # Prints a command's output, then its exit code (without tripping bats' errexit).
  rc() {
    if "$@"; then echo "rc 0"; else echo "rc $?"; fi
  }
  transcript() {
    local tool=$1
    $tool load -i "$WORK/a.tar" 2>/dev/null
    $tool load -i "$WORK/b.tar" 2>/dev/null
    rc $tool tag app:1 foo bar:2 docker.io/x/y
    rc $tool tag base:1 foo
    rc $tool untag app:1 bar:2
    rc $tool rmi nope 2>/dev/null
    rc $tool rmi foo
    rc $tool image exists foo
    rc $tool image exists app:1
    $tool images --format '{{.ID}} {{.Repository}}:{{.Tag}}' | sort
    $tool inspect --format '{{.Id}} {{.Digest}} {{.RepoTags}} {{.Size}} {{.Os}}/{{.Architecture}}' app:1 base:1
    rc $tool rmi "$($tool images -q base:1)"
    $tool images --format '{{.ID}} {{.Repository}}:{{.Tag}}' | sort
    rc $tool rmi -a
    rc $tool images -q
  }
  transcript p > "$WORK/podman.txt"
  transcript s > "$WORK/schicht.txt"
  diff "$WORK/podman.txt" "$WORK/schicht.txt"
}

@test "as podman: rmi -f of a missing image, untag by ID, names a load puts first, rows by --sort" {
  have_podman || skip "podman is not installed"
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --seed 1
  rc() {
    if "$@"; then echo "rc 0"; else echo "rc $?"; fi
  }
  transcript() {
    local tool=$1 id
    $tool load -i "$WORK/a.tar" >/dev/null 2>&1
    $tool tag app:1 zzz.example/x:9 a.b/c:d
    rc $tool image rm --force bogus 2>&1
    rc $tool rmi -f bogus app:7 2>&1
    $tool inspect --format '{{.RepoTags}}' app:1
    # save to a pipe, drop the name, load: the loaded name goes first
    $tool save --format oci-archive a.b/c:d 2>/dev/null | cat >"$WORK/$tool.tar"
    $tool untag app:1 a.b/c:d
    $tool load -i "$WORK/$tool.tar" >/dev/null 2>&1
    $tool images --format '{{.Repository}}:{{.Tag}}'
    for key in repository tag; do
      $tool images --sort $key --format 'table {{.Repository}} {{.Tag}}'
    done
    id=$($tool images -q app:1)
    rc $tool untag "$id"
    $tool image inspect --format '{{.RepoTags}}' "$id"
    $tool images --format '{{.Repository}}:{{.Tag}}'
  }
  diff <(transcript p) <(transcript s)
}
