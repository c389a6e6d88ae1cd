#!/usr/bin/env bats
# images: labels, digests and their filters print as podman prints them. The listing reads an
# image's labels and manifest digests only when the format or a filter uses them, so every
# format and filter that does is compared here.

load helpers

# Two labelled images (one with two names), one without labels, and a loaded image whose
# manifest digest both tools compute alike.
fill() {
  local tool=$1
  $tool import -c 'LABEL a=b' -c 'LABEL c=d' "$WORK/root.tar" lab:1 >/dev/null
  $tool tag lab:1 lab:2
  $tool import -c 'LABEL a=x' "$WORK/root2.tar" other:1 >/dev/null
  $tool import "$WORK/root3.tar" plain:1 >/dev/null
  $tool load -i "$WORK/app.tar" >/dev/null 2>&1
}

rootfs() {
  for n in "" 2 3; do
    mkdir -p "$WORK/root$n/etc" && echo "hello$n" >"$WORK/root$n/etc/hello"
    tar -cf "$WORK/root$n.tar" -C "$WORK/root$n" .
  done
  fixture --out "$WORK/app.tar" --format oci-archive --name app:1 --seed 1
}

# What each command prints, sorted (podman and schicht order ties among equal times apart).
# Left out: podman 4.3 has no digest filter, and ORs several label filters where podman 5 and
# docker AND them, as schicht does (the test without podman covers both).
transcript() {
  local tool=$1 digest
  digest=$($tool inspect --format '{{.Digest}}' app:1)
  show() {
    echo "== $*"
    $tool images "$@" 2>&1 | sort
  }
  show --format '{{.Repository}}:{{.Tag}} {{.Labels}}'
  show --format '{{.Repository}}:{{.Tag}}' --filter label=a=b
  show --format '{{.Repository}}:{{.Tag}}' --filter label=a
  show --format '{{.Repository}}:{{.Tag}}' --filter label!=a=b
  show --format '{{.Repository}}:{{.Tag}} {{.Digest}} {{.RepoDigests}}' app:1
  show --format '{{.Repository}}:{{.Tag}} {{len .RepoDigests}} {{len .Labels}}'
  show --format '{{range .}}{{.Repository}}:{{.Tag}} {{.Labels}}{{"\n"}}{{end}}'
  show --noheading --format 'table {{.Repository}}\t{{.Tag}}\t{{.Labels}}'
  [ "$($tool images -q --filter label=a=b | sort -u)" = "$($tool images -q lab:1)" ] && echo "-q ok"
  echo "== json"
  $tool images --format json | python3 -c '
import json, sys
for i in sorted(json.load(sys.stdin), key=lambda i: sorted(i.get("Names") or [])):
    print(sorted(i.get("Names") or []), i.get("Labels"), len(i.get("RepoDigests") or []))'
}

@test "labels and digests, their filters and formats print as in podman" {
  have_podman || skip "podman is not installed"
  rootfs
  fill p
  fill s
  transcript p >"$WORK/podman.txt"
  transcript s >"$WORK/schicht.txt"
  diff "$WORK/podman.txt" "$WORK/schicht.txt"
  grep -q "localhost/lab:1 map\[a:b c:d\]" "$WORK/schicht.txt"
  grep -q -- "-q ok" "$WORK/schicht.txt"
}

@test "without podman: labels, digests and -q under their filters" {
  rootfs
  fill s
  run s images --format '{{.Repository}}:{{.Tag}}' --filter label=a=b
  expect_success
  [ "$(echo "$output" | sort | tr '\n' ' ')" = "localhost/lab:1 localhost/lab:2 " ]
  run s images --format '{{.Repository}}:{{.Tag}} {{.Labels}}' plain:1
  [ "$output" = "localhost/plain:1 map[]" ]
  digest=$(s inspect --format '{{.Digest}}' app:1)
  run s images --format '{{.Repository}}:{{.Tag}} {{.RepoDigests}}' --filter "digest=$digest"
  [ "$output" = "localhost/app:1 [localhost/app@$digest]" ]
  run s images -q --filter "digest=$digest"
  [ "$output" = "$(s images -q app:1)" ]
  run s images -q --no-trunc --filter label=a=x
  [ "$output" = "sha256:$(s inspect --format '{{.Id}}' other:1)" ]
  # Several label filters must all hold.
  run s images --format '{{.Repository}}:{{.Tag}}' --filter label=a --filter label=c=d
  [ "$(echo "$output" | sort | tr '\n' ' ')" = "localhost/lab:1 localhost/lab:2 " ]
  # JSON lists an image once per name, as podman does.
  [ "$(s images --format json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" = 5 ]
}
