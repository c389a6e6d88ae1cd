#!/usr/bin/env bats
# image analyze: per-layer added/modified/removed files and wasted bytes, whiteouts and opaque
# directories included; CI thresholds exit 1.

load helpers

# Three layers: the second overwrites a and deletes b, the third hides dir/ (opaque) and adds
# dir/d. Wasted: a (1000) + b (2000) + dir/c (500) = 3500 of 5100 bytes.
make_wasteful() {
  python3 - "$WORK/w.tar" <<'PY'
import hashlib, io, json, sys, tarfile
def tar(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, size in entries:
            info = tarfile.TarInfo(name)
            if size is None:
                info.type = tarfile.DIRTYPE
                t.addfile(info)
            else:
                info.size = size
                t.addfile(info, io.BytesIO(b"x" * size))
    return buf.getvalue()
layers = [tar([("a", 1000), ("b", 2000), ("dir", None), ("dir/c", 500)]),
          tar([("a", 1500), (".wh.b", 0)]),
          tar([("dir", None), ("dir/.wh..wh..opq", 0), ("dir/d", 100)])]
ids = ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                     "rootfs": {"type": "layers", "diff_ids": ids},
                     "history": [{"created_by": "step %d" % i} for i in range(3)]}).encode()
files = [(i[7:] + ".tar", l) for i, l in zip(ids, layers)]
cname = hashlib.sha256(config).hexdigest() + ".json"
files.append((cname, config))
files.append(("manifest.json", json.dumps([{"Config": cname, "RepoTags": ["waste:1"],
                                             "Layers": [f for f, _ in files[:3]]}]).encode()))
with tarfile.open(sys.argv[1], "w") as t:
    for name, data in files:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
PY
  s load -i "$WORK/w.tar" >/dev/null
}

@test "analyze finds the wasted bytes of overwrites, whiteouts and opaque directories" {
  make_wasteful
  run s image analyze --format json waste:1
  expect_success
  echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["totalBytes"] == 5100, d
assert d["wastedBytes"] == 3500, d
assert abs(d["efficiency"] - 1600 / 5100) < 1e-9, d
l = d["layers"]
assert [x["added"] for x in l] == [3, 0, 1], l
assert [x["modified"] for x in l] == [0, 1, 0], l
assert [x["removed"] for x in l] == [0, 1, 1], l
assert [x["wastedBytes"] for x in l] == [3500, 0, 0], l
assert l[1]["createdBy"] == "step 1"
assert d["largestWasted"][0]["path"] == "b" and d["largestWasted"][0]["bytes"] == 2000
'
  run s image analyze waste:1
  expect_success
  [[ "${lines[0]}" == *"3.5kB wasted, efficiency 31.4%"* ]]
}

@test "analyze thresholds make it exit 1" {
  make_wasteful
  run s image analyze --lowest-efficiency 0.5 waste:1
  [ "$status" -eq 1 ]
  [[ "$output" == *"below the lowest allowed"* ]]
  run s image analyze --lowest-efficiency 0.3 waste:1
  expect_success
  run s image analyze --highest-wasted-bytes 3kB waste:1
  [ "$status" -eq 1 ]
  run s image analyze --highest-wasted-bytes 4kB waste:1
  expect_success
  run s image analyze --lowest-efficiency 2 waste:1
  expect_failure 125 "invalid efficiency"
}
