#!/usr/bin/env bats
# Differences from podman 4.3 found in real use (issue 19, section 2): each compared with podman
# on the same input.

load helpers

# Three images of distinct sizes, loaded from the same archives in both tools (so IDs, sizes and
# configs agree), two of them with a second name: every sort key gives one order.
sort_fill() {
  local tool=$1
  $tool load -i "$WORK/one.tar" >/dev/null 2>&1
  $tool load -i "$WORK/two.tar" >/dev/null 2>&1
  $tool load -i "$WORK/three.tar" >/dev/null 2>&1
  $tool tag one:t3 zz/last:t2
  $tool tag two:t1 aa/first:t4
}

sort_fixtures() {
  fixture --out "$WORK/one.tar" --format oci-archive --name one:t3 --seed 1 --layer-kb 10
  fixture --out "$WORK/two.tar" --format oci-archive --name two:t1 --seed 2 --layer-kb 30
  fixture --out "$WORK/three.tar" --format oci-archive --name three:t5 --seed 3 --layer-kb 20
}

sort_transcript() {
  local tool=$1 key
  for key in size repository tag id; do
    echo "== $key"
    $tool images --sort $key --format '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}'
    echo "-- quiet"
    $tool images --sort $key -q
    echo "-- json"
    $tool images --sort $key --format json | python3 -c '
import json, sys
for i in json.load(sys.stdin):
    print(i["Id"], i.get("Names"))'
    echo "-- table"
    $tool images --sort $key --noheading
  done
}

@test "images --sort sorts the rows as podman does: size smallest first, names one by one" {
  have_podman || skip "podman is not installed"
  sort_fixtures
  sort_fill p
  sort_fill s
  sort_transcript p >"$WORK/podman.txt"
  sort_transcript s >"$WORK/schicht.txt"
  diff "$WORK/podman.txt" "$WORK/schicht.txt"
}

@test "without podman: images --sort size is smallest first and --sort repository sorts rows" {
  sort_fixtures
  sort_fill s
  run s images --sort size --format '{{.Repository}}'
  expect_success
  [ "$(echo $output)" = "localhost/one localhost/zz/last localhost/three localhost/two localhost/aa/first" ]
  run s images --sort repository --format '{{.Repository}}:{{.Tag}}'
  [ "$(echo $output)" = "localhost/aa/first:t4 localhost/one:t3 localhost/three:t5 localhost/two:t1 localhost/zz/last:t2" ]
  run s images --sort tag --format '{{.Tag}}'
  [ "$(echo $output)" = "t1 t2 t3 t4 t5" ]
  # -q lists each image once, where its first row is.
  run s images --sort repository -q
  [ "$(echo $output)" = "$(echo $(s images -q two:t1) $(s images -q one:t3) $(s images -q three:t5))" ]
}

# Templates podman users write, run over the same image in both tools.
template_transcript() {
  local tool=$1 t
  for t in '{{(index .RootFS.Layers 1)}}' '{{len (index .RepoTags 0)}}' \
    '{{with .Config}}{{.Labels}}{{end}}' '{{with .Config.Labels}}{{.seed}}{{end}}' \
    '{{printf "%s\n" .Digest}}' \
    '{{printf "%s\t%q" .Os "a\tb"}}' '{{.Config.Labels}}' '{{index .Config.Labels "seed"}}' \
    '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}' \
    '{{.Created}}' '{{json .Created}}' '{{(index .History 0).CreatedBy}}' '{{index .History 1}}' \
    '{{printf "%+v" (index .History 0)}}' '{{range .History}}{{.EmptyLayer}}{{.Comment}};{{end}}' \
    '{{json .History}}'; do
    echo "== inspect $t"
    $tool inspect --format "$t" app:1 2>&1 | sed 's/^Error: inspecting object: //'
  done
  for t in '{{.Config.Labels}}' '{{.Labels}}' '{{.Config.Env}}' '{{with .Config}}[{{.Labels}}]{{end}}'; do
    echo "== inspect plain $t"
    $tool inspect --format "$t" plain:1 2>&1
  done
  for t in '{{printf "%s\n" .ID}}' '{{with .Labels}}{{.seed}}{{end}}' '{{.Labels}}'; do
    echo "== images $t"
    $tool images --format "$t" 2>&1 | sort
  done
}

@test "go templates: index, with, printf escapes, empty maps, History and times print as in podman" {
  have_podman || skip "podman is not installed"
  fixture --out "$WORK/app.tar" --format oci-archive --name app:1 --layers 2 --seed 1
  mkdir -p "$WORK/root" && echo hi >"$WORK/root/f" && tar -cf "$WORK/root.tar" -C "$WORK/root" .
  for tool in p s; do
    $tool load -i "$WORK/app.tar" >/dev/null 2>&1
    $tool import "$WORK/root.tar" plain:1 >/dev/null 2>&1
  done
  template_transcript p >"$WORK/podman.txt"
  template_transcript s >"$WORK/schicht.txt"
  diff "$WORK/podman.txt" "$WORK/schicht.txt"
}

@test "inspect leaves <, > and & unescaped, as podman does; images --format json escapes them" {
  have_podman || skip "podman is not installed"
  mkdir -p "$WORK/root" && echo hi >"$WORK/root/f" && tar -cf "$WORK/root.tar" -C "$WORK/root" .
  for tool in p s; do
    $tool import -c 'LABEL x=a<b>&&c' -c 'CMD ["sh","-c","a && b"]' "$WORK/root.tar" esc:1 >/dev/null
  done
  for tool in p s; do
    $tool inspect esc:1 | grep -E '&|<|u00'
    echo "--"
    $tool images --format json | grep -E '&|<|u00'
  done >"$WORK/both.txt"
  cat "$WORK/both.txt"
  # Each tool's half of the transcript is the same.
  half=$(($(wc -l <"$WORK/both.txt") / 2))
  diff <(head -n $half "$WORK/both.txt") <(tail -n $half "$WORK/both.txt")
  grep -q '"x": "a<b>&&c"' "$WORK/both.txt"
  grep -q '"x": "a\\u003cb\\u003e\\u0026\\u0026c"' "$WORK/both.txt"
}

@test "history --human=false prints times in seconds, as podman does" {
  have_podman || skip "podman is not installed"
  mkdir -p "$WORK/root" && echo hi >"$WORK/root/f" && tar -cf "$WORK/root.tar" -C "$WORK/root" .
  # An imported image's times have nanoseconds; podman reads the same config from an archive.
  s import "$WORK/root.tar" imp:1 >/dev/null
  s save --format oci-archive -o "$WORK/imp.tar" imp:1
  p load -i "$WORK/imp.tar" >/dev/null 2>&1
  for tool in p s; do
    $tool history --human=false imp:1
    $tool history --human=false --no-trunc --format '{{.ID}} {{.Created}} {{.CreatedBy}}' imp:1
  done >"$WORK/both.txt"
  cat "$WORK/both.txt"
  half=$(($(wc -l <"$WORK/both.txt") / 2))
  diff <(head -n $half "$WORK/both.txt") <(tail -n $half "$WORK/both.txt")
  grep -Eq ' [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z ' "$WORK/both.txt"
}

@test "image exists: a malformed name is an error (125), as in podman" {
  have_podman || skip "podman is not installed"
  fixture --out "$WORK/app.tar" --format oci-archive --name app:1
  s load -i "$WORK/app.tar" >/dev/null
  p load -i "$WORK/app.tar" >/dev/null 2>&1
  id=$(s images -q app:1)
  BEFORE=$(store_state)
  for name in 'Bad:Ref:x' 'bad:ref:x' 'UPPER' 'a b' 'sha256:abc' "sha256:$id" "$id" \
    "sha256:$(s images -q --no-trunc app:1 | sed 's/^sha256://')" app:1 nothere docker.io/x:y; do
    run p image exists "$name"
    want="$status $output"
    run s image exists "$name"
    echo "$name: podman '$want' schicht '$status $output'"
    [ "$status $output" = "$want" ]
  done
  unchanged
}

@test "--help lists commands with a space between name and summary, as cobra does" {
  run s --help
  expect_success
  commands=$(echo "$output" | sed -n '/^Available Commands:/,/^$/p' | sed '1d;/^$/d')
  [ -n "$commands" ]
  # Every name is padded to the longest, then one space: the summaries form one column.
  echo "$commands" | grep -v '^  [a-z-]* \+[A-Z]' && false
  [ "$(echo "$commands" | awk '{print index($0, $2)}' | sort -u | wc -l)" = 1 ]
  echo "$commands" | grep -q '^  generate-sigstore-key Generate'
  # podman's own listing has the same layout.
  if have_podman; then
    podman --help | sed -n '/^Available Commands:/,/^$/p' | grep -q '^  auto-update Auto update'
  fi
}

@test "a plain cmake configure does not turn warnings into errors; scripts/build does" {
  command -v cmake >/dev/null || skip "cmake is not installed"
  src=$BATS_TEST_DIRNAME/../..
  cmake -S "$src" -B "$WORK/plain" -DCMAKE_BUILD_TYPE=Release -DSCHICHT_TESTS=OFF >/dev/null
  ! grep -q -- '-Werror' "$WORK/plain/compile_commands.json"
  cmake -S "$src" -B "$WORK/strict" -DSCHICHT_WERROR=ON -DSCHICHT_TESTS=OFF >/dev/null
  grep -q -- '-Werror' "$WORK/strict/compile_commands.json"
  grep -q -- '-DSCHICHT_WERROR=ON' "$src/scripts/build"
}

@test "build shows FROM with its ARGs substituted, as podman does" {
  have_podman || skip "podman is not installed"
  mkdir -p "$WORK/root" "$WORK/ctx" && echo hi >"$WORK/root/f" && tar -cf "$WORK/root.tar" -C "$WORK/root" .
  printf 'ARG BASE=localhost/plain:1\nFROM $BASE AS one\nFROM ${BASE}\nARG X=1\nCOPY --from=one /f /g\nLABEL x=$X\n' \
    >"$WORK/ctx/Containerfile"
  for tool in p s; do
    $tool import "$WORK/root.tar" plain:1 >/dev/null 2>&1
    $tool build --isolation chroot -t b:1 "$WORK/ctx" 2>&1 | grep 'STEP'
    $tool build --isolation chroot --build-arg BASE=plain:1 -t b:2 "$WORK/ctx" 2>&1 | grep 'STEP'
  done >"$WORK/both.txt"
  cat "$WORK/both.txt"
  half=$(($(wc -l <"$WORK/both.txt") / 2))
  diff <(head -n $half "$WORK/both.txt") <(tail -n $half "$WORK/both.txt")
  grep -q 'STEP 1/4: FROM localhost/plain:1$' "$WORK/both.txt"
  grep -q 'STEP 1/1: FROM plain:1 AS one$' "$WORK/both.txt"
}

@test "image prune -a --dry-run counts the snapshots the real prune frees" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layers 2 --layer-kb 64
  s load -i "$WORK/a.tar" >/dev/null
  # A container's snapshots stay after it is removed, until its image goes.
  s create --name c1 app:1 >/dev/null
  s rm c1 >/dev/null
  [ -n "$(ls "$STORE/snapshots" | grep -v '^\.')" ]
  run s image prune -a --dry-run
  expect_success
  would=$(echo "$output" | sed -n 's/^Would reclaim: .* (\([0-9]*\) bytes)$/\1/p')
  before=$(du -s -B1 "$STORE/blobs" "$STORE/snapshots" | awk '{n += $1} END {print n}')
  s image prune -a -f >/dev/null
  after=$(du -s -B1 "$STORE/blobs" "$STORE/snapshots" | awk '{n += $1} END {print n}')
  echo "dry run: $would, freed: $((before - after))"
  [ "$would" -eq $((before - after)) ]
  [ -z "$(ls "$STORE/snapshots" | grep -v '^\.')" ]
}

@test "save --compress --format docker-dir gzips the layers stored uncompressed, as podman does" {
  have_podman || skip "podman is not installed"
  mkdir -p "$WORK/root" && head -c 100000 /dev/zero >"$WORK/root/f" && tar -cf "$WORK/root.tar" -C "$WORK/root" .
  fixture --out "$WORK/gz.tar" --format oci-archive --name gz:1
  for tool in p s; do
    $tool import "$WORK/root.tar" plain:1 >/dev/null 2>&1
    $tool save --compress --format docker-dir -o "$WORK/$tool-dir" plain:1 >/dev/null 2>&1
  done
  summary() {  # the layers' media types and what they decompress to
    python3 - "$1" <<'PY'
import gzip, hashlib, json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json")))
for l in m["layers"]:
    raw = open(os.path.join(d, l["digest"][7:]), "rb").read()
    assert hashlib.sha256(raw).hexdigest() == l["digest"][7:] and len(raw) == l["size"]
    kind = "gzip" if l["mediaType"].endswith("gzip") else l["mediaType"]
    print(kind, "sha256:" + hashlib.sha256(gzip.decompress(raw)).hexdigest())
PY
  }
  # Each tool's layers are gzip and decompress to that tool's layer (its diffID).
  for tool in p s; do
    run summary "$WORK/$tool-dir"
    expect_success
    [ "$output" = "gzip $($tool inspect --format '{{index .RootFS.Layers 0}}' plain:1)" ]
  done
  # The result loads back as the same image.
  run s pull "dir:$WORK/s-dir"
  expect_success
  [ "${lines[-1]}" = "$(s inspect --format '{{.Id}}' plain:1)" ]
  # Layers stored compressed are written as they are.
  s load -i "$WORK/gz.tar" >/dev/null
  s save --compress --format docker-dir -o "$WORK/gz-dir" gz:1
  digest=$(s inspect --format '{{.Digest}}' gz:1)
  cmp "$WORK/gz-dir/manifest.json" "$STORE/blobs/sha256/${digest#sha256:}"
}

@test "build --format docker writes a Docker schema 2 manifest that keeps HEALTHCHECK, as podman" {
  have_podman || skip "podman is not installed"
  mkdir -p "$WORK/root" "$WORK/ctx" && echo hi >"$WORK/root/f" && tar -cf "$WORK/root.tar" -C "$WORK/root" .
  printf 'FROM localhost/plain:1\nHEALTHCHECK --interval=30s CMD ["true"]\nCOPY Containerfile /c\n' \
    >"$WORK/ctx/Containerfile"
  for tool in p s; do
    $tool import "$WORK/root.tar" plain:1 >/dev/null 2>&1
    $tool build --isolation chroot --format docker -q -t hc:1 "$WORK/ctx" >/dev/null 2>&1
    $tool inspect --format '{{.ManifestType}}' hc:1
    $tool inspect hc:1 | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)[0].get("Healthcheck")))'
    $tool build --isolation chroot --format oci -q -t hc:2 "$WORK/ctx" >/dev/null 2>&1
    $tool inspect --format '{{.ManifestType}}' hc:2
  done >"$WORK/both.txt"
  cat "$WORK/both.txt"
  diff <(head -n 3 "$WORK/both.txt") <(tail -n 3 "$WORK/both.txt")
  grep -q '^application/vnd.docker.distribution.manifest.v2+json$' "$WORK/both.txt"
  grep -q '^{"Test": \["CMD", "true"\], "Interval": 30000000000}$' "$WORK/both.txt"
  # The stored manifest names Docker types throughout.
  digest=$(s inspect --format '{{.Digest}}' hc:1)
  python3 - "$STORE/blobs/sha256/${digest#sha256:}" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
assert m["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json", m
assert m["config"]["mediaType"] == "application/vnd.docker.container.image.v1+json", m
assert all(l["mediaType"].startswith("application/vnd.docker.image.rootfs.diff.tar") for l in m["layers"]), m
PY
}

@test "push to oci:DIR:TAG, oci-archive:FILE:NAME and docker-archive:FILE:REF writes the names given" {
  have_podman || skip "podman is not installed"
  fixture --out "$WORK/app.tar" --format oci-archive --name app:1
  names() {  # what a tool's three destinations are named
    local tool=$1 d=$WORK/$1
    mkdir -p "$d"
    $tool push app:1 "oci:$d/odir:mytag" >/dev/null 2>&1
    $tool push app:1 "oci-archive:$d/o.tar:myname" >/dev/null 2>&1
    $tool push app:1 "docker-archive:$d/d.tar:foo:2" >/dev/null 2>&1
    $tool push app:1 "docker-archive:$d/q.tar:quay.io/x/y:3" >/dev/null 2>&1
    python3 - "$d" <<'PY'
import json, sys, tarfile
d = sys.argv[1]
ref = lambda index: [m.get("annotations", {}).get("org.opencontainers.image.ref.name") for m in index["manifests"]]
print(ref(json.load(open(d + "/odir/index.json"))))
print(ref(json.load(tarfile.open(d + "/o.tar").extractfile("index.json"))))
for f in ("d.tar", "q.tar"):
    print([m["RepoTags"] for m in json.load(tarfile.open(d + "/" + f).extractfile("manifest.json"))])
PY
  }
  p load -i "$WORK/app.tar" >/dev/null 2>&1
  s load -i "$WORK/app.tar" >/dev/null
  run names p
  expect_success
  want=$output
  run names s
  expect_success
  [ "$output" = "$want" ]
  [[ "$output" == *"['mytag']"* ]] && [[ "$output" == *"['myname']"* ]]
  [[ "$output" == *"[['docker.io/library/foo:2', 'localhost/app:1']]"* ]]
}
