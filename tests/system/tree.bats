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
