#!/usr/bin/env bats
# artifact add/ls/inspect/extract/rm/push/pull/attach/discover: OCI artifacts kept apart from
# images in the store, byte-exact through registries, and referrers by the referrers API (a
# small spec-following server, tests/fixtures/referrers_registry.py) or the referrers tag schema
# (docker-registry has no referrers API).

load helpers
load registry
load referrers_registry

# Artifacts and blobs besides images: store_state plus the artifact listing.
art_state() {
  store_state
  s artifact ls --no-trunc --format '{{.Repository}}:{{.Tag}} {{.Digest}} {{.Size}}' 2>&1
}

make_files() {
  printf 'hello\n' >"$WORK/a.txt"
  head -c 300000 /dev/urandom >"$WORK/b.bin"
}

@test "artifact add: prints the digest; ls, inspect show it; images does not" {
  make_files
  run s artifact add --type application/x-test --annotation k=v myart "$WORK/a.txt" "$WORK/b.bin"
  expect_success
  digest=$output
  [[ "$digest" =~ ^[0-9a-f]{64}$ ]]
  [ "$(sha256sum "$STORE/blobs/sha256/$digest" | cut -d' ' -f1)" = "$digest" ]
  run s artifact ls
  expect_success
  [ "${lines[0]}" = "REPOSITORY       TAG         DIGEST        SIZE" ]
  [[ "${lines[1]}" == "localhost/myart  latest      ${digest:0:12}  300 kB" ]]
  run s artifact ls --noheading --format '{{.Repository}} {{.Tag}} {{.Digest}}'
  [ "$output" = "localhost/myart latest ${digest:0:12}" ]
  run s artifact inspect myart
  expect_success
  [ "$(jq -r .Digest <<<"$output")" = "sha256:$digest" ]
  [ "$(jq -r .Name <<<"$output")" = "localhost/myart:latest" ]
  [ "$(jq -r .Manifest.artifactType <<<"$output")" = "application/x-test" ]
  [ "$(jq -r .Manifest.config.mediaType <<<"$output")" = "application/vnd.oci.empty.v1+json" ]
  [ "$(jq -r '.Manifest.layers[1].annotations["org.opencontainers.image.title"]' <<<"$output")" = b.bin ]
  [ "$(jq -r '.Manifest.layers[0].annotations.k' <<<"$output")" = v ]
  [ "$(jq -r '.Manifest.layers[0].mediaType' <<<"$output")" = application/octet-stream ]
  # by a prefix of its digest too
  run s artifact inspect "${digest:0:10}"
  expect_success
  run s images -q
  [ -z "$output" ]
}

@test "artifact add --file-type sets the layers' media type" {
  make_files
  s artifact add --file-type text/plain t "$WORK/a.txt" >/dev/null
  [ "$(s artifact inspect t | jq -r '.Manifest.layers[0].mediaType')" = text/plain ]
  [ "$(s artifact inspect t | jq -r '.Manifest.artifactType')" = null ]
}

@test "artifact extract: to a directory by title, to a file, --digest, --title: byte-exact" {
  make_files
  s artifact add x "$WORK/a.txt" "$WORK/b.bin" >/dev/null
  mkdir "$WORK/out"
  run s artifact extract x "$WORK/out"
  expect_success
  cmp "$WORK/a.txt" "$WORK/out/a.txt"
  cmp "$WORK/b.bin" "$WORK/out/b.bin"
  run s artifact extract --title b.bin x "$WORK/one"
  expect_success
  cmp "$WORK/b.bin" "$WORK/one"
  d=$(sha256sum "$WORK/a.txt" | cut -d' ' -f1)
  run s artifact extract --digest "sha256:$d" x "$WORK/two"
  expect_success
  cmp "$WORK/a.txt" "$WORK/two"
}

@test "artifact extract: bad input fails with 125 and writes nothing" {
  make_files
  s artifact add x "$WORK/a.txt" "$WORK/b.bin" >/dev/null
  run s artifact extract x "$WORK/file"
  expect_failure 125 "several blobs" "not a directory"
  [ ! -e "$WORK/file" ]
  run s artifact extract --title nope x "$WORK/file"
  expect_failure 125 'no blob with the title "nope"'
  run s artifact extract --digest sha256:0000 x "$WORK/file"
  expect_failure 125 "no blob with the digest"
  run s artifact extract --digest a --title b x "$WORK/file"
  expect_failure 125 "cannot be used together"
  run s artifact extract nosuch "$WORK/file"
  expect_failure 125 "nosuch: artifact does not exist"
  [ ! -e "$WORK/file" ]
}

@test "artifact add --append adds files and keeps the type; --replace replaces" {
  make_files
  s artifact add --type application/x-a x "$WORK/a.txt" >/dev/null
  created=$(s artifact inspect x | jq -r '.Manifest.annotations["org.opencontainers.image.created"]')
  run s artifact add --append x "$WORK/b.bin"
  expect_success
  run s artifact inspect x
  [ "$(jq -r '.Manifest.layers | length' <<<"$output")" = 2 ]
  [ "$(jq -r '.Manifest.artifactType' <<<"$output")" = application/x-a ]
  [ "$(jq -r '.Manifest.annotations["org.opencontainers.image.created"]' <<<"$output")" = "$created" ]
  run s artifact add --replace x "$WORK/b.bin"
  expect_success
  [ "$(s artifact inspect x | jq -r '.Manifest.layers | length')" = 1 ]
  # the replaced artifact's only blob (a.txt) is gone
  a=$(sha256sum "$WORK/a.txt" | cut -d' ' -f1)
  [ ! -e "$STORE/blobs/sha256/$a" ]
  [ "$(s artifact ls --noheading | wc -l)" = 1 ]
}

@test "artifact add: bad input fails with 125 and changes nothing" {
  make_files
  s artifact add x "$WORK/a.txt" >/dev/null
  BEFORE=$(art_state)
  run s artifact add y "$WORK/missing"
  expect_failure 125 "missing" "no such file or directory"
  run s artifact add y "$WORK"
  expect_failure 125 "is not a regular file"
  run s artifact add --annotation novalue y "$WORK/a.txt"
  expect_failure 125 'annotation "novalue" must be formatted as KEY=VALUE'
  run s artifact add x "$WORK/b.bin"
  expect_failure 125 "localhost/x:latest: artifact already exists"
  run s artifact add --append --replace x "$WORK/b.bin"
  expect_failure 125 "--append and --replace cannot be used together"
  run s artifact add --append --type t x "$WORK/b.bin"
  expect_failure 125 "--append option cannot be used with the --type option"
  run s artifact add --append nosuch "$WORK/b.bin"
  expect_failure 125 "localhost/nosuch:latest: artifact does not exist"
  run s artifact add --append x "$WORK/a.txt"
  expect_failure 125 "a.txt: a file of that name already exists in artifact"
  run s artifact add y "$WORK/a.txt" "$WORK/a.txt"
  expect_failure 125 "a.txt: a file of that name already exists"
  run s artifact add 'Bad Name' "$WORK/a.txt"
  expect_failure 125
  run s artifact add y
  expect_failure 125 "requires at least 2 arg(s)"
  run s artifact add --subject nosuchimage y "$WORK/a.txt"
  expect_failure 125 "nosuchimage"
  unchanged_art
}

unchanged_art() {
  same_as_before "$(art_state)"
}

@test "artifact commands on an image name or an unknown name: not an artifact, 125" {
  fixture --out "$WORK/i.tar" --format oci-archive --name app:1 --seed 5
  s load -q -i "$WORK/i.tar" >/dev/null
  BEFORE=$(art_state)
  for cmd in inspect rm push; do
    run s artifact $cmd app:1
    expect_failure 125 "app:1: artifact does not exist"
  done
  run s artifact extract app:1 "$WORK/x"
  expect_failure 125 "app:1: artifact does not exist"
  unchanged_art
}

@test "artifact rm: frees the blobs only it held; --all; prune keeps artifacts' blobs" {
  make_files
  fixture --out "$WORK/i.tar" --format oci-archive --name app:1 --seed 6
  s load -q -i "$WORK/i.tar" >/dev/null
  d1=$(s artifact add one "$WORK/a.txt" "$WORK/b.bin")
  d2=$(s artifact add two "$WORK/b.bin")
  s rmi app:1 >/dev/null
  s image prune -af >/dev/null
  s system prune -af >/dev/null
  run s artifact extract two "$WORK/b.out"
  expect_success
  cmp "$WORK/b.bin" "$WORK/b.out"
  run s artifact rm one
  expect_success
  [ "$output" = "$d1" ]
  a=$(sha256sum "$WORK/a.txt" | cut -d' ' -f1)
  b=$(sha256sum "$WORK/b.bin" | cut -d' ' -f1)
  [ ! -e "$STORE/blobs/sha256/$a" ]
  [ -e "$STORE/blobs/sha256/$b" ]  # two still holds it
  run s artifact rm --all
  expect_success
  [ "$output" = "$d2" ]
  [ -z "$(ls "$STORE/blobs/sha256")" ]
  run s system check
  expect_success
}

@test "artifact rm: unknown names fail with 125 before anything is removed" {
  make_files
  s artifact add one "$WORK/a.txt" >/dev/null
  BEFORE=$(art_state)
  run s artifact rm one nosuch
  expect_failure 125 "nosuch: artifact does not exist"
  run s artifact rm --all one
  expect_failure 125 "you may not pass any artifact names"
  run s artifact rm
  expect_failure 125 "requires at least 1 arg(s)"
  unchanged_art
}

@test "system df counts artifacts" {
  make_files
  s artifact add one "$WORK/b.bin" >/dev/null
  run s system df --format '{{.Type}} {{.Total}} {{.RawSize}}'
  expect_success
  [[ "$output" == *"Artifacts 1 "* ]]
  size=$(awk '/^Artifacts/ {print $3}' <<<"$output")
  [ "$size" -gt 300000 ]
}

@test "artifact push, rm, pull, extract: byte-exact round trip through a registry" {
  have_registry || skip "docker-registry is not installed"
  make_files
  digest=$(s artifact add --type application/x-rt rt "$WORK/a.txt" "$WORK/b.bin")
  run sp artifact push -q rt "docker://$REG/arts/rt:1"
  expect_success
  s artifact rm rt >/dev/null
  [ -z "$(ls "$STORE/blobs/sha256")" ]
  run sp artifact pull "$REG/arts/rt:1"
  expect_success
  [ "${lines[-1]}" = "$digest" ]
  [ "$(s artifact ls --noheading --format '{{.Repository}}:{{.Tag}}')" = "$REG/arts/rt:1" ]
  mkdir "$WORK/out"
  s artifact extract "$REG/arts/rt:1" "$WORK/out"
  [ "$(sha256sum <"$WORK/out/b.bin")" = "$(sha256sum <"$WORK/b.bin")" ]
  [ "$(sha256sum <"$WORK/out/a.txt")" = "$(sha256sum <"$WORK/a.txt")" ]
  # the manifest the registry serves is the stored one
  run skopeo inspect --raw --tls-verify=false "docker://$REG/arts/rt:1"
  [ "$(printf '%s' "$output" | sha256sum | cut -d' ' -f1)" = "$digest" ]
  # pushed under its own name
  s artifact add "$REG/arts/own:2" "$WORK/a.txt" >/dev/null
  run sp artifact push -q "$REG/arts/own:2"
  expect_success
  run skopeo inspect --raw --tls-verify=false "docker://$REG/arts/own:2"
  expect_success
}

@test "artifact pull: an image, an unknown tag, an unreachable registry fail with 125, store unchanged" {
  have_registry || skip "docker-registry is not installed"
  fixture --out "$WORK/i.tar" --format oci-archive --name app:1 --seed 7
  skopeo copy -q --dest-tls-verify=false "oci-archive:$WORK/i.tar" "docker://$REG/img:1" >/dev/null
  BEFORE=$(art_state)
  run sp artifact pull "$REG/img:1"
  expect_failure 125 "is an image, not an artifact"
  run sp artifact pull "$REG/img:nosuch"
  expect_failure 125 "manifest unknown"
  run sp artifact pull "127.0.0.1:1/x:1"
  expect_failure 125
  run sp artifact push nosuch "$REG/x:1"
  expect_failure 125 "nosuch: artifact does not exist"
  unchanged_art
}

@test "referrers tag schema: attach and push with a subject update sha256-<hex>; discover lists them" {
  have_registry || skip "docker-registry is not installed"
  make_files
  fixture --out "$WORK/i.tar" --format oci-archive --name app:1 --seed 8
  s load -q -i "$WORK/i.tar" >/dev/null
  sp push -q app:1 "docker://$REG/ref/app:1"
  subject=$(s inspect --format '{{.Digest}}' app:1)
  run sp artifact attach -q --subject "docker://$REG/ref/app:1" --type application/spdx+json \
    --annotation org.example=1 "$WORK/a.txt"
  expect_success
  sbom=$output
  # a local artifact with the image as subject, pushed: the index gets its descriptor too
  sig=$(s artifact add --subject app:1 --type application/x-sig sig "$WORK/b.bin")
  run sp artifact push -q sig "docker://$REG/ref/app:sig"
  expect_success
  run skopeo inspect --raw --tls-verify=false "docker://$REG/ref/app:sha256-${subject#sha256:}"
  expect_success
  [ "$(jq -r '.mediaType' <<<"$output")" = application/vnd.oci.image.index.v1+json ]
  [ "$(jq -r '.manifests | length' <<<"$output")" = 2 ]
  [ "$(jq -r '.manifests[0].digest' <<<"$output")" = "$sbom" ]
  [ "$(jq -r '.manifests[0].artifactType' <<<"$output")" = application/spdx+json ]
  [ "$(jq -r '.manifests[0].annotations["org.example"]' <<<"$output")" = 1 ]
  [ "$(jq -r '.manifests[1].digest' <<<"$output")" = "sha256:$sig" ]
  # pushing again adds nothing
  sp artifact push -q sig "docker://$REG/ref/app:sig"
  [ "$(skopeo inspect --raw --tls-verify=false "docker://$REG/ref/app:sha256-${subject#sha256:}" | jq '.manifests | length')" = 2 ]
  run sp artifact discover --format json "docker://$REG/ref/app:1"
  expect_success
  [ "$(jq -r .subject <<<"$output")" = "$subject" ]
  [ "$(jq -r '.manifests | length' <<<"$output")" = 2 ]
  run sp artifact discover "docker://$REG/ref/app:1"
  expect_success
  [[ "${lines[0]}" == DIGEST*"ARTIFACT TYPE"*SIZE ]]
  [[ "$output" == *"$sbom  application/spdx+json"* ]]
  # an image nothing refers to
  sp push -q app:1 "docker://$REG/ref/other:1"
  run sp artifact discover --format json "docker://$REG/ref/other:1"
  expect_success
  [ "$(jq -r '.manifests | length' <<<"$output")" = 0 ]
}

@test "referrers API: a registry that offers it keeps the list; no fallback tag is written" {
  make_files
  start_referrers_registry
  fixture --out "$WORK/i.tar" --format oci-archive --name app:1 --seed 9
  s load -q -i "$WORK/i.tar" >/dev/null
  sp push -q app:1 "docker://$RREG/app:1"
  subject=$(s inspect --format '{{.Digest}}' app:1)
  run sp artifact attach -q --subject "docker://$RREG/app:1" --type application/spdx+json "$WORK/a.txt"
  expect_success
  sbom=$output
  s artifact add --subject app:1 --type application/x-sig sig "$WORK/b.bin" >/dev/null
  sp artifact push -q sig "docker://$RREG/app:sig"
  [ "$(http_status "http://$RREG/v2/app/manifests/sha256-${subject#sha256:}")" = 404 ]
  run sp artifact discover --format json "docker://$RREG/app:1"
  expect_success
  [ "$(jq -r '.manifests | length' <<<"$output")" = 2 ]
  [[ "$output" == *"$sbom"* ]]
  [[ "$output" == *application/x-sig* ]]
  # and the artifact pulls back from there
  rm -rf "$STORE"
  run sp artifact pull "$RREG/app:sig"
  expect_success
  [ "$(s artifact inspect "$RREG/app:sig" | jq -r .Manifest.subject.digest)" = "$subject" ]
}

@test "artifact attach and discover on local images; image tree --referrers" {
  make_files
  fixture --out "$WORK/i.tar" --format oci-archive --name app:1 --seed 10
  s load -q -i "$WORK/i.tar" >/dev/null
  subject=$(s inspect --format '{{.Digest}}' app:1)
  run s artifact attach --subject app:1 --type application/spdx+json "$WORK/a.txt"
  expect_success
  d=$output
  [ "$(s artifact inspect "$d" | jq -r .Manifest.subject.digest)" = "$subject" ]
  run s artifact discover --format json app:1
  expect_success
  [ "$(jq -r '.manifests[0].digest' <<<"$output")" = "sha256:$d" ]
  [ "$(jq -r '.manifests[0].artifactType' <<<"$output")" = application/spdx+json ]
  run s image tree --referrers app:1
  expect_success
  [[ "$output" == *"sha256:$d"*application/spdx+json* ]]
  # the image stays removable; the artifact keeps its own blobs
  run s rmi app:1
  expect_success
  run s artifact extract "$d" "$WORK/x"
  expect_success
  cmp "$WORK/a.txt" "$WORK/x"
}

@test "artifact attach: bad input fails with 125, store unchanged" {
  make_files
  fixture --out "$WORK/i.tar" --format oci-archive --name app:1 --seed 11
  s load -q -i "$WORK/i.tar" >/dev/null
  BEFORE=$(art_state)
  run s artifact attach --subject app:1 "$WORK/a.txt"
  expect_failure 125 "--type is required"
  run s artifact attach --type t "$WORK/a.txt"
  expect_failure 125 "--subject is required"
  run s artifact attach --subject nosuch --type t "$WORK/a.txt"
  expect_failure 125 "nosuch"
  run s artifact attach --subject app:1 --type t "$WORK/missing"
  expect_failure 125 "no such file or directory"
  run s artifact attach --subject app:1 --type t --annotation bad "$WORK/a.txt"
  expect_failure 125 "must be formatted as KEY=VALUE"
  run s artifact discover nosuch
  expect_failure 125 "nosuch"
  unchanged_art
}

@test "completion offers artifact names where an artifact goes" {
  make_files
  s artifact add myart "$WORK/a.txt" >/dev/null
  run env SCHICHT_ROOT="$STORE" "$SCHICHT" __complete artifact inspect ""
  expect_success
  [ "$output" = $'localhost/myart:latest\nmyart:latest\n:nofiles' ]
  run env SCHICHT_ROOT="$STORE" "$SCHICHT" __complete artifact ""
  expect_success
  [[ "$output" == *$'attach\ndiscover\nextract'* ]]
}

@test "image copy --referrers carries referrers between registries, digests unchanged" {
  have_registry || skip "docker-registry is not installed"
  make_files
  start_referrers_registry
  fixture --out "$WORK/i.tar" --format oci-archive --name app:1 --seed 12
  s load -q -i "$WORK/i.tar" >/dev/null
  sp push -q app:1 "docker://$REG/cp/app:1"
  subject=$(s inspect --format '{{.Digest}}' app:1)
  sbom=$(sp artifact attach -q --subject "docker://$REG/cp/app:1" --type application/spdx+json "$WORK/a.txt")
  # a referrer of the referrer (a signature of the SBOM)
  sig=$(sp artifact attach -q --subject "docker://$REG/cp/app@$sbom" --type application/x-sig "$WORK/b.bin")
  # tag schema -> tag schema (same registry)
  run s image copy -q --referrers --src-tls-verify=false --dest-tls-verify=false \
    "docker://$REG/cp/app:1" "docker://$REG/cp2/app:1"
  expect_success
  run sp artifact discover --format json "docker://$REG/cp2/app:1"
  [ "$(jq -r .subject <<<"$output")" = "$subject" ]
  [ "$(jq -r '.manifests[0].digest' <<<"$output")" = "$sbom" ]
  run sp artifact discover --format json "docker://$REG/cp2/app@$sbom"
  [ "$(jq -r '.manifests[0].digest' <<<"$output")" = "$sig" ]
  # tag schema -> referrers API (another registry)
  run s image copy -q --referrers --src-tls-verify=false --dest-tls-verify=false \
    "docker://$REG/cp/app:1" "docker://$RREG/cp/app:1"
  expect_success
  run sp artifact discover --format json "docker://$RREG/cp/app:1"
  [ "$(jq -r '.manifests[0].digest' <<<"$output")" = "$sbom" ]
  # byte-exact: the copied SBOM pulls back with the same digest and content
  run sp artifact pull "$RREG/cp/app@$sbom"
  expect_success
  [ "sha256:${lines[-1]}" = "$sbom" ]
  s artifact extract "$RREG/cp/app@$sbom" "$WORK/sbom.out"
  cmp "$WORK/a.txt" "$WORK/sbom.out"
}

@test "image copy --referrers: refused where digests cannot stay" {
  fixture --out "$WORK/i.tar" --format oci-archive --name app:1 --seed 13
  run s image copy --referrers "oci-archive:$WORK/i.tar" "docker-archive:$WORK/d.tar"
  expect_failure 125 "--referrers: the destination docker-archive:$WORK/d.tar is a docker-archive: transport, which cannot hold referrers"
  [ ! -e "$WORK/d.tar" ]
  run s image copy --referrers --format v2s2 "docker://127.0.0.1:1/x:1" "docker://127.0.0.1:1/y:1"
  expect_failure 125 "--referrers cannot be used with --format"
}

@test "system check reports a damaged artifact; --repair --force removes it and frees its blobs" {
  make_files
  s artifact add x "$WORK/a.txt" "$WORK/b.bin" >/dev/null
  b=$(sha256sum "$WORK/b.bin" | cut -d' ' -f1)
  rm "$STORE/blobs/sha256/$b"
  run s system check
  expect_failure 125 "damaged artifact localhost/x:latest: blob sha256:$b: missing"
  run s system check --repair
  expect_failure 125
  [ "$(s artifact ls --noheading | wc -l)" = 1 ]
  run s system check --repair --force
  expect_success
  [[ "$output" == *"removed damaged artifact localhost/x:latest"* ]]
  [ -z "$(s artifact ls --noheading)" ]
  [ -z "$(ls "$STORE/blobs/sha256")" ]
}
