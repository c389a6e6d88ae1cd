#!/usr/bin/env bats
# image copy between the file transports (oci-archive:, docker-archive:, dir:, oci:) and a
# registry, checked against skopeo both ways: skopeo reads what we write and we read what it
# writes. Archives are read in place (never extracted) and written to a temp file renamed on
# success; every hostile archive fails with a message and leaves nothing at the destination.

load helpers
load registry

setup_file() {
  local dir=$BATS_FILE_TMPDIR
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$dir/img.tar" \
    --format oci-archive --layers 2 --name app:1 --seed 41 --compression gzip
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$dir/multi.tar" \
    --format oci-archive --layers 1 --name multi:1 --seed 42 \
    --platforms linux/amd64,linux/arm64
  # skopeo's own docker-archive and dir: of the same image, to read.
  skopeo copy -q "oci-archive:$dir/img.tar" "docker-archive:$dir/skopeo-d.tar:app:1"
  skopeo copy -q "oci-archive:$dir/img.tar" "dir:$dir/skopeo-dir"
  if have_registry; then
    start_file_registry
    skopeo copy -q --dest-tls-verify=false "oci-archive:$dir/img.tar" "docker://$REG/app:1"
  fi
  printf '%s\n' '{"default":[{"type":"insecureAcceptAnything"}]}' >"$dir/accept.json"
}

teardown_file() {
  stop_file_registry
}

copy() {
  s image copy -q --signature-policy "$BATS_FILE_TMPDIR/accept.json" --src-tls-verify=false \
    --dest-tls-verify=false "$@"
}

# The sha256 of the manifest skopeo reads from a reference.
manifest_digest() {
  skopeo inspect --raw "$1" | sha256sum | cut -d' ' -f1
}

# The config digest and layer digests a manifest names, one line.
blobs_of() {
  skopeo inspect --raw "$1" | python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["config"]["digest"], *[l["digest"] for l in m["layers"]])'
}

# Nothing at PATH, and no temp file beside it.
nothing_at() {
  [ ! -e "$1" ] || { echo "$1 exists"; return 1; }
  [ -z "$(ls -d "$1".tmp-* 2>/dev/null)" ] || { echo "temp files left: $(ls -d "$1".tmp-*)"; return 1; }
}

# retar IN OUT CODE: rewrites the tar IN as OUT after CODE (Python) edits its entries with
# get(name), put(name, bytes), link(name, target), drop(name).
retar() {
  python3 - "$@" <<'PY'
import io, json, sys, tarfile
src, out, code = sys.argv[1:4]
entries = []
with tarfile.open(src) as t:
    for i in t.getmembers():
        entries.append([i, t.extractfile(i).read() if i.isfile() else None])
def get(name):
    return next((e for e in entries if e[0].name == name), None)
def put(name, data):
    e = get(name)
    if e is None:
        entries.append([tarfile.TarInfo(name), None])
        e = entries[-1]
    e[1] = data
    e[0].size = len(data)
def link(name, target):
    i = tarfile.TarInfo(name)
    i.type = tarfile.SYMTYPE
    i.linkname = target
    entries.append([i, None])
def drop(name):
    entries[:] = [e for e in entries if e[0].name != name]
exec(code)
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    for i, d in entries:
        t.addfile(i, io.BytesIO(d) if d is not None else None)
PY
}

@test "registry -> oci-archive -> docker-archive -> dir -> oci -> registry keeps config and layers" {
  have_registry || skip "docker-registry is not installed"
  local want
  want=$(skopeo inspect --raw --tls-verify=false "docker://$REG/app:1" | python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["config"]["digest"])')
  run copy "docker://$REG/app:1" "oci-archive:$WORK/a.tar:r1"
  expect_success
  # Byte-exact: the archive's manifest is the registry's.
  [ "$(manifest_digest "oci-archive:$WORK/a.tar:r1")" = \
    "$(skopeo inspect --raw --tls-verify=false "docker://$REG/app:1" | sha256sum | cut -d' ' -f1)" ]
  run copy "oci-archive:$WORK/a.tar:r1" "docker-archive:$WORK/d.tar:app:2"
  expect_success
  run copy "docker-archive:$WORK/d.tar" "dir:$WORK/dir"
  expect_success
  # The generated manifest is the one skopeo generates from the same archive.
  [ "$(sha256sum <"$WORK/dir/manifest.json" | cut -d' ' -f1)" = \
    "$(manifest_digest "docker-archive:$WORK/d.tar")" ]
  run copy "dir:$WORK/dir" "oci:$WORK/layout:x"
  expect_success
  run copy "oci:$WORK/layout:x" "docker://$REG/back:1"
  expect_success
  skopeo copy -q --src-tls-verify=false "docker://$REG/back:1" "oci:$WORK/skopeo-back:x"
  # The config went through every hop unchanged.
  [ "$(skopeo inspect --raw --tls-verify=false "docker://$REG/back:1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["config"]["digest"])')" = "$want" ]
  [ -z "$(find "$WORK" -name '*.tmp-*')" ]
}

@test "oci-archive <-> dir <-> oci keep every digest, and skopeo reads each" {
  local img=$BATS_FILE_TMPDIR/img.tar
  local digest
  digest=$(manifest_digest "oci-archive:$img")
  run copy "oci-archive:$img" "oci-archive:$WORK/o.tar:v1"
  expect_success
  [ "$(manifest_digest "oci-archive:$WORK/o.tar:v1")" = "$digest" ]
  # The members skopeo writes, without its directory entries' times.
  skopeo copy -q "oci-archive:$img" "oci-archive:$WORK/skopeo.tar:v1"
  [ "$(tar tf "$WORK/o.tar" | sort)" = "$(tar tf "$WORK/skopeo.tar" | sort)" ]
  [ "$(tar xOf "$WORK/o.tar" index.json)" = "$(tar xOf "$WORK/skopeo.tar" index.json)" ]
  run copy "oci-archive:$WORK/o.tar:v1" "dir:$WORK/dir"
  expect_success
  [ "$(sha256sum <"$WORK/dir/manifest.json" | cut -d' ' -f1)" = "$digest" ]
  [ "$(cat "$WORK/dir/version")" = "Directory Transport Version: 1.1" ]
  skopeo copy -q "oci-archive:$img" "dir:$WORK/skopeo-dir"
  diff -r "$WORK/dir" "$WORK/skopeo-dir"
  run copy "dir:$WORK/dir" "oci:$WORK/layout:v1"
  expect_success
  [ "$(manifest_digest "oci:$WORK/layout:v1")" = "$digest" ]
  run copy "oci:$WORK/layout:v1" "oci-archive:$WORK/again.tar"
  expect_success
  [ "$(manifest_digest "oci-archive:$WORK/again.tar")" = "$digest" ]
  skopeo copy -q "oci-archive:$WORK/again.tar" "oci:$WORK/skopeo-read:x"
  skopeo copy -q "dir:$WORK/dir" "oci:$WORK/skopeo-read:y"
}

@test "we read skopeo's docker-archive and dir:; skopeo reads ours" {
  local d=$BATS_FILE_TMPDIR/skopeo-d.tar
  run copy "docker-archive:$d" "dir:$WORK/from-docker"
  expect_success
  [ "$(sha256sum <"$WORK/from-docker/manifest.json" | cut -d' ' -f1)" = \
    "$(manifest_digest "docker-archive:$d")" ]
  # By tag (normalized as Docker does) and by index, as containers-transports(5) says.
  run copy "docker-archive:$d:app:1" "dir:$WORK/by-tag"
  expect_success
  run copy "docker-archive:$d:docker.io/library/app:1" "dir:$WORK/by-name"
  expect_success
  run copy "docker-archive:$d:@0" "dir:$WORK/by-index"
  expect_success
  diff -r "$WORK/by-tag" "$WORK/by-index"
  run copy "docker-archive:$d:@1" "dir:$WORK/bad"
  expect_failure 125 "Invalid source index @1, only 1 manifest items available"
  run copy "docker-archive:$d:other:1" "dir:$WORK/bad"
  expect_failure 125 'Tag "docker.io/library/other:1" not found'
  run copy "dir:$BATS_FILE_TMPDIR/skopeo-dir" "dir:$WORK/dir-copy"
  expect_success
  diff -r "$BATS_FILE_TMPDIR/skopeo-dir" "$WORK/dir-copy"

  # Ours, read by skopeo: docker-archive with skopeo's manifest.json and repositories.
  run copy "docker-archive:$d" "docker-archive:$WORK/ours.tar:foo/bar:2"
  expect_success
  [ "$(tar xOf "$WORK/ours.tar" manifest.json | python3 -c 'import json,sys; e=json.load(sys.stdin)[0]; print(list(e), e["RepoTags"])')" = \
    "['Config', 'RepoTags', 'Layers'] ['docker.io/foo/bar:2']" ]
  [ "$(tar xOf "$WORK/ours.tar" repositories | python3 -c 'import json,sys; print(list(json.load(sys.stdin)))')" = "['docker.io/foo/bar']" ]
  [ "$(manifest_digest "docker-archive:$WORK/ours.tar")" = "$(manifest_digest "docker-archive:$d")" ]
  skopeo copy -q "docker-archive:$WORK/ours.tar" "oci:$WORK/skopeo-read:x"
  # A docker-archive holds no manifest: an OCI image gets there, and back as the generated one.
  run copy "oci-archive:$BATS_FILE_TMPDIR/img.tar" "docker-archive:$WORK/from-oci.tar"
  expect_success
  [ "$(blobs_of "docker-archive:$WORK/from-oci.tar" | cut -d' ' -f1)" = \
    "$(blobs_of "oci-archive:$BATS_FILE_TMPDIR/img.tar" | cut -d' ' -f1)" ]
  skopeo copy -q "docker-archive:$WORK/from-oci.tar" "oci:$WORK/skopeo-read:z"
  # A load of our docker-archive gives the image the copy engine described.
  run s load -q -i "$WORK/ours.tar"
  expect_success
  [ "$(s images --no-trunc --format '{{.Digest}}' docker.io/foo/bar:2)" = \
    "sha256:$(manifest_digest "docker-archive:$WORK/ours.tar")" ]
}

@test "docker-archive to OCI converts the manifest, keeps the blobs; --preserve-digests refuses" {
  local d=$BATS_FILE_TMPDIR/skopeo-d.tar
  run copy "docker-archive:$d" "oci-archive:$WORK/o.tar"
  expect_success
  # Layers are plain tars in a docker-archive: typed as such in OCI, not as gzip.
  skopeo inspect --raw "oci-archive:$WORK/o.tar" | grep -q '"application/vnd.oci.image.layer.v1.tar"'
  ! skopeo inspect --raw "oci-archive:$WORK/o.tar" | grep -q 'tar+gzip'
  [ "$(blobs_of "oci-archive:$WORK/o.tar")" = "$(blobs_of "docker-archive:$d")" ]
  skopeo copy -q "oci-archive:$WORK/o.tar" "oci:$WORK/skopeo-read:x"
  run copy --preserve-digests "docker-archive:$d" "oci-archive:$WORK/p.tar"
  expect_failure 125 "cannot preserve digests"
  nothing_at "$WORK/p.tar"
  run copy --preserve-digests "oci-archive:$BATS_FILE_TMPDIR/img.tar" "docker-archive:$WORK/p2.tar"
  expect_failure 125 "cannot preserve digests: docker-archive:$WORK/p2.tar stores no manifest"
  nothing_at "$WORK/p2.tar"
  # Where the bytes allow it, --preserve-digests copies.
  run copy --preserve-digests "oci-archive:$BATS_FILE_TMPDIR/img.tar" "dir:$WORK/kept"
  expect_success
}

@test "a list: --all into oci-archive and dir: keeps the index; docker-archive cannot hold one" {
  local m=$BATS_FILE_TMPDIR/multi.tar
  local digest
  digest=$(manifest_digest "oci-archive:$m")
  run copy --all "oci-archive:$m" "oci-archive:$WORK/all.tar"
  expect_success
  [ "$(manifest_digest "oci-archive:$WORK/all.tar")" = "$digest" ]
  skopeo copy -q --all "oci-archive:$WORK/all.tar" "oci:$WORK/skopeo-read:x"
  run copy --all "oci-archive:$WORK/all.tar" "dir:$WORK/all-dir"
  expect_success
  [ "$(sha256sum <"$WORK/all-dir/manifest.json" | cut -d' ' -f1)" = "$digest" ]
  [ "$(ls "$WORK/all-dir"/*.manifest.json | wc -l)" = 2 ]
  skopeo copy -q --all "dir:$WORK/all-dir" "oci:$WORK/skopeo-read:y"
  run copy --all "dir:$WORK/all-dir" "oci-archive:$WORK/back.tar"
  expect_success
  [ "$(manifest_digest "oci-archive:$WORK/back.tar")" = "$digest" ]
  run copy --all "oci-archive:$m" "docker-archive:$WORK/no.tar"
  expect_failure 125 "the destination cannot store a manifest list"
  nothing_at "$WORK/no.tar"
}

@test "hostile archives: each fails with a message and writes nothing" {
  local d=$BATS_FILE_TMPDIR/skopeo-d.tar img=$BATS_FILE_TMPDIR/img.tar out=$WORK/out.tar
  local layer
  layer=$(tar tf "$d" | grep -E '^[0-9a-f]{64}\.tar$' | head -1)

  retar "$d" "$WORK/no-manifest.tar" 'drop("manifest.json")'
  run copy "docker-archive:$WORK/no-manifest.tar" "oci-archive:$out"
  expect_failure 125 'file "manifest.json" not found in the archive'
  nothing_at "$out"

  retar "$img" "$WORK/no-index.tar" 'drop("index.json")'
  run copy "oci-archive:$WORK/no-index.tar" "oci-archive:$out"
  expect_failure 125 'file "index.json" not found in the archive'
  nothing_at "$out"

  for bad in "../$layer" "/$layer" "a/../../$layer"; do
    retar "$d" "$WORK/escape.tar" "m=json.loads(get('manifest.json')[1]); m[0]['Layers'][0]='$bad'; put('manifest.json', json.dumps(m).encode())"
    run copy "docker-archive:$WORK/escape.tar" "oci-archive:$out"
    expect_failure 125 "escapes the root"
    nothing_at "$out"
  done

  # A symlink out of the archive is not followed; one inside it is (as docker's legacy
  # <id>/layer.tar links are).
  retar "$d" "$WORK/link-out.tar" "link('evil.tar', '../../../etc/passwd'); m=json.loads(get('manifest.json')[1]); m[0]['Layers'][0]='evil.tar'; put('manifest.json', json.dumps(m).encode())"
  run copy "docker-archive:$WORK/link-out.tar" "oci-archive:$out"
  expect_failure 125 'symlink "evil.tar" -> "../../../etc/passwd" leads out of the archive'
  nothing_at "$out"
  retar "$d" "$WORK/link-abs.tar" "link('evil.tar', '/etc/passwd'); m=json.loads(get('manifest.json')[1]); m[0]['Layers'][0]='evil.tar'; put('manifest.json', json.dumps(m).encode())"
  run copy "docker-archive:$WORK/link-abs.tar" "oci-archive:$out"
  expect_failure 125 "leads out of the archive"
  nothing_at "$out"
  retar "$d" "$WORK/link-in.tar" "link('legacy/layer.tar', '../$layer'); m=json.loads(get('manifest.json')[1]); m[0]['Layers'][0]='legacy/layer.tar'; put('manifest.json', json.dumps(m).encode())"
  run copy "docker-archive:$WORK/link-in.tar" "oci-archive:$out"
  expect_success
  rm -f "$out"

  # An entry named out of the root spoils the archive.
  retar "$img" "$WORK/evil-entry.tar" 'put("../escape", b"x")'
  run copy "oci-archive:$WORK/evil-entry.tar" "oci-archive:$out"
  expect_failure 125 'tar entry "../escape" escapes the root'
  nothing_at "$out"

  head -c $(($(stat -c %s "$img") / 2)) "$img" >"$WORK/truncated.tar"
  run copy "oci-archive:$WORK/truncated.tar" "oci-archive:$out"
  expect_failure 125 "truncated tar archive"
  nothing_at "$out"

  head -c 4096 /dev/urandom >"$WORK/random.tar"
  run copy "oci-archive:$WORK/random.tar" "oci-archive:$out"
  expect_failure 125 "not a tar archive"
  nothing_at "$out"

  # A layer whose bytes no longer match its digest: the destination refuses it.
  local blob
  blob=$(skopeo inspect --raw "oci-archive:$img" | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["digest"][7:])')
  retar "$img" "$WORK/corrupt.tar" "b=bytearray(get('blobs/sha256/$blob')[1]); b[100]^=1; put('blobs/sha256/$blob', bytes(b))"
  run copy "oci-archive:$WORK/corrupt.tar" "oci-archive:$out"
  expect_failure 125 "blob sha256:$blob: the bytes do not match the digest"
  nothing_at "$out"
  # In a docker-archive the layer must hash to the config's diff_id.
  retar "$d" "$WORK/corrupt-d.tar" "b=bytearray(get('$layer')[1]); b[600]^=1; put('$layer', bytes(b))"
  run copy "docker-archive:$WORK/corrupt-d.tar" "oci-archive:$out"
  expect_failure 125 "but the config expects sha256:${layer%.tar}"
  nothing_at "$out"

  # JSON over the manifest limit (4 MiB), refused before it is parsed.
  python3 "$FIXTURE" --out "$WORK/huge.tar" --format oci-archive --layers 1 --seed 43 \
    --annotation-kb 5000
  run copy "oci-archive:$WORK/huge.tar" "oci-archive:$out"
  expect_failure 125 "index.json is larger than the 4 MiB limit for JSON documents"
  nothing_at "$out"
}

@test "a compressed archive is refused, naming the limit; load reads it" {
  gzip -c "$BATS_FILE_TMPDIR/skopeo-d.tar" >"$WORK/d.tar.gz"
  run copy "docker-archive:$WORK/d.tar.gz" "oci-archive:$WORK/out.tar"
  expect_failure 125 "a gzip-compressed archive cannot be read in place; decompress it first"
  nothing_at "$WORK/out.tar"
  run s load -q -i "$WORK/d.tar.gz"
  expect_success
}

@test "dir: refuses a non-empty directory that is not an image; replaces one that is" {
  mkdir "$WORK/notes"
  echo keep >"$WORK/notes/todo.txt"
  run copy "oci-archive:$BATS_FILE_TMPDIR/img.tar" "dir:$WORK/notes"
  expect_failure 125 "is not an image destination"
  [ "$(ls "$WORK/notes")" = todo.txt ]
  copy "dir:$BATS_FILE_TMPDIR/skopeo-dir" "dir:$WORK/image"
  run copy "docker-archive:$BATS_FILE_TMPDIR/skopeo-d.tar" "dir:$WORK/image"
  expect_success
  # Only the new image's files: the old layers (gzip) are gone.
  [ "$(ls "$WORK/image" | wc -l)" = 5 ]
  skopeo copy -q "dir:$WORK/image" "oci:$WORK/skopeo-read:x"
}

@test "a rejecting policy refuses each file transport before reading it; nothing is written" {
  printf '%s\n' '{"default":[{"type":"reject"}]}' >"$WORK/reject.json"
  for src in "oci-archive:$BATS_FILE_TMPDIR/img.tar" "docker-archive:$BATS_FILE_TMPDIR/skopeo-d.tar" \
    "dir:$BATS_FILE_TMPDIR/skopeo-dir" "oci-archive:$WORK/no-such.tar"; do
    run s image copy --signature-policy "$WORK/reject.json" "$src" "oci-archive:$WORK/out.tar"
    expect_failure 125 "rejected by policy"
    nothing_at "$WORK/out.tar"
  done
}

@test "a docker-archive with a gzipped layer: served decompressed, the manifest skopeo generates" {
  local d=$BATS_FILE_TMPDIR/skopeo-d.tar layer
  layer=$(tar tf "$d" | grep -E '^[0-9a-f]{64}\.tar$' | head -1)
  retar "$d" "$WORK/gz.tar" "import gzip; put('$layer.gz', gzip.compress(get('$layer')[1])); drop('$layer'); m=json.loads(get('manifest.json')[1]); m[0]['Layers']=[l + '.gz' if l == '$layer' else l for l in m[0]['Layers']]; put('manifest.json', json.dumps(m).encode())"
  run copy "docker-archive:$WORK/gz.tar" "dir:$WORK/dir"
  expect_success
  [ "$(sha256sum <"$WORK/dir/manifest.json" | cut -d' ' -f1)" = "$(manifest_digest "docker-archive:$WORK/gz.tar")" ]
  [ "$(sha256sum <"$WORK/dir/${layer%.tar}" | cut -d' ' -f1)" = "${layer%.tar}" ]
}

@test "dir: signatures: carried into dir:, refused where they cannot go, removed with the image" {
  cp -r "$BATS_FILE_TMPDIR/skopeo-dir" "$WORK/signed"
  printf 'not really signed' >"$WORK/signed/signature-1"
  printf 'second' >"$WORK/signed/signature-2"
  run copy "dir:$WORK/signed" "dir:$WORK/copied"
  expect_success
  cmp "$WORK/signed/signature-1" "$WORK/copied/signature-1"
  cmp "$WORK/signed/signature-2" "$WORK/copied/signature-2"
  # oci: and archives cannot hold them (as skopeo's cannot): refused, nothing written.
  run copy "dir:$WORK/signed" "oci:$WORK/oci-out:x"
  expect_failure 125 "dir:$WORK/signed has 2 signature(s), which oci:$WORK/oci-out:x cannot store: copy with --remove-signatures to leave them behind"
  [ ! -e "$WORK/oci-out" ]
  run copy --remove-signatures "dir:$WORK/signed" "oci:$WORK/oci-out:x"
  expect_success
  # An unsigned image replacing a signed one drops its signatures.
  run copy "dir:$BATS_FILE_TMPDIR/skopeo-dir" "dir:$WORK/copied"
  expect_success
  [ ! -e "$WORK/copied/signature-1" ]
  # A signature in a format containers/image does not write, or a malformed one (zero-byte
  # prefix without a format name): refused, destination untouched. Sigstore ones: sigstore.bats.
  printf '\0other\n{}' >"$WORK/signed/signature-1"
  run copy "dir:$WORK/signed" "dir:$WORK/never"
  expect_failure 125 "dir:$WORK/signed: signature-1: a signature in format \"other\", which schicht does not read"
  printf '\0{}' >"$WORK/signed/signature-1"
  run copy "dir:$WORK/signed" "dir:$WORK/never"
  expect_failure 125 "dir:$WORK/signed: signature-1: invalid signature: no format name after its zero byte"
  [ ! -e "$WORK/never" ]
}
