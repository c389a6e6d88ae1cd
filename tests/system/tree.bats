#!/usr/bin/env bats
# image tree: podman's drawing and layer IDs, plus which images share a layer.

load helpers

@test "image tree matches podman's output" {
  have_podman || skip "podman is not installed"
  fixture --out "$WORK/d.tar" --format docker-archive --name app:1 --layers 3
  p load -i "$WORK/d.tar" >/dev/null 2>&1
  p tag app:1 other:2
  s load -i "$WORK/d.tar" >/dev/null
  s tag app:1 other:2
  diff <(p image tree app:1) <(s image tree app:1)
  diff <(p image tree --whatrequires app:1) <(s image tree --whatrequires app:1)
}

@test "image tree marks layers shared with other images" {
  # Same seed and layer count: b's layers are a's; c differs.
  fixture --out "$WORK/a.tar" --format oci-archive --name a:1 --layers 2 --seed 5
  s load -i "$WORK/a.tar" >/dev/null
  s save -o "$WORK/a-docker.tar" a:1
  mkdir "$WORK/x" && tar -xf "$WORK/a-docker.tar" -C "$WORK/x"
  # A second image with the same layers but another config (a different label).
  python3 - "$WORK/x" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json")))
cfg_path = os.path.join(d, m[0]["Config"])
cfg = json.load(open(cfg_path))
cfg["config"]["Labels"]["variant"] = "b"
data = json.dumps(cfg).encode()
name = hashlib.sha256(data).hexdigest() + ".json"
open(os.path.join(d, name), "wb").write(data)
m[0]["Config"] = name
m[0]["RepoTags"] = ["b:1"]
open(os.path.join(d, "manifest.json"), "w").write(json.dumps(m))
PY
  (cd "$WORK/x" && tar -cf "$WORK/b.tar" *.tar *.json)
  s load -i "$WORK/b.tar" >/dev/null
  run s image tree a:1
  expect_success
  [[ "${lines[4]}" == *"Shared with: [localhost/b:1]"* ]]
  run s image tree nope
  expect_failure 125 "nope: image not known"
}

# A docker-archive of images sharing layers, one image per argument: the layer numbers of its
# chain ("1.2.3"), untagged when prefixed with "u", tagged localhost/iK:1 otherwise (K from 0).
family() {
  python3 - "$WORK/family.tar" "$@" <<'PY'
import hashlib, io, json, sys, tarfile
files, manifest = {}, []
def add(name, data):
    files[name] = data
    return name
def layer(k):
    data = (f"layer {k}\n" * 50 * k).encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as t:
        info = tarfile.TarInfo(f"f{k}")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return out.getvalue()
for n, spec in enumerate(sys.argv[2:]):
    chain = [layer(int(k)) for k in spec.lstrip("u").split(".")]
    diff_ids = ["sha256:" + hashlib.sha256(d).hexdigest() for d in chain]
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Labels": {"n": str(n)}},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    manifest.append({"Config": add(hashlib.sha256(config).hexdigest() + ".json", config),
                     "RepoTags": [] if spec[0] == "u" else [f"i{n}:1"],
                     "Layers": [add(d[7:] + ".tar", data) for d, data in zip(diff_ids, chain)]})
add("manifest.json", json.dumps(manifest).encode())
with tarfile.open(sys.argv[1], "w") as t:
    for name, data in files.items():
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
PY
}

@test "image tree --whatrequires branches where a layer has several children, as podman" {
  # i0 is the base; i1 and i3 build on it (i1 and the untagged image share a top layer), i4 on
  # i1, i5 only shares the base layer, i6 is unrelated.
  family 1.2 1.2.3 u1.2.3 1.2.4 1.2.3.5 1.6 7
  s load -i "$WORK/family.tar" >/dev/null
  run s image tree --whatrequires i0:1
  expect_success
  [ "${lines[4]}" = "└── ID: ${lines[4]:8:12} Size: 10.24kB Top Layer of: [localhost/i0:1]" ]
  [[ "${lines[5]}" == "    ├── ID: "*" Top Layer of: [localhost/i1:1]" ]]
  [[ "${lines[6]}" == "    │   └── ID: "*" Top Layer of: [localhost/i4:1]" ]]
  [[ "${lines[7]}" == "    └── ID: "*" Top Layer of: [localhost/i3:1]" ]]
  [ "${#lines[@]}" -eq 8 ]
  # The untagged image adds no name to "Top Layer of", as in podman; beyond podman, "Shared
  # with" names it by its short ID.
  run s image tree i1:1
  expect_success
  [[ "${lines[6]}" == *"Top Layer of: [localhost/i1:1] Shared with: ["*" localhost/i4:1]" ]]
  [[ "${lines[4]}" == *"Shared with: [localhost/i0:1 "????????????" localhost/i3:1 localhost/i4:1 localhost/i5:1]" ]]
  if have_podman; then
    p load -i "$WORK/family.tar" >/dev/null 2>&1
    for id in $(p images -a -q); do
      diff <(p image tree "$id") <(s image tree "$id" | sed 's/ Shared with: \[[^]]*\]//')
      diff <(p image tree --whatrequires "$id") <(s image tree --whatrequires "$id")
    done
  fi
}
