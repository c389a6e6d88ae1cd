#!/usr/bin/env bats
# version --format, info, image diff, events: compared with podman 4.3 where podman's output is
# not machine-specific, by structure where it is.

load helpers

@test "version: podman's labels, one JSON line with Client, templates over {Client, Server}" {
  run s version
  expect_success
  [ "${lines[0]}" = "Client:       schicht" ]
  [ "${lines[1]}" = "Version:      $(s --version | cut -d' ' -f3)" ]
  [[ "${lines[2]}" == "API Version:  "* ]]
  [[ "${lines[3]}" == "OS/Arch:      linux/"* ]]
  run s version --format '{{.Client.Version}}'
  expect_success
  [ "$output" = "$(s --version | cut -d' ' -f3)" ]
  # A template written for a podman with a server falls back to the client.
  [ "$(s version --format '{{.Server.Version}}')" = "$output" ]
  [ "$(s version --format '{{.Version}}')" = "$output" ]
  [ "$(s version --format '{{.Client.Os}}/{{.Server}}')" = "linux/<nil>" ]
  have_podman || skip "podman not installed"
  # The labels podman prints, in podman's columns (its Go-only lines aside).
  p version | grep -E '^(Version|API Version|OS/Arch):' | sed 's/:  *.*/:/' > "$WORK/podman.txt"
  s version | grep -E '^(Version|API Version|OS/Arch):' | sed 's/:  *.*/:/' > "$WORK/schicht.txt"
  diff "$WORK/podman.txt" "$WORK/schicht.txt"
  [ "$(p version | grep '^Version:' | sed 's/[^ ]*$//')" = "$(s version | grep '^Version:' | sed 's/[^ ]*$//')" ]
  for f in json ' json ' '{{json .}}'; do
    [ "$(s version --format "$f" | wc -l)" -eq 1 ]
    s version --format "$f" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert list(d) == ["Client"], d
assert {"APIVersion", "Version", "OsArch", "Os"} <= set(d["Client"]), d'
  done
  [ "$(p version --format '{{.Client.Os}} {{.Server}}')" = "$(s version --format '{{.Client.Os}} {{.Server}}')" ]
  [ "$(p version --format '{{.Client.Os}}\t{{.Client.Os}}')" = "$(s version --format '{{.Client.Os}}\t{{.Client.Os}}')" ]
}

@test "version: bad templates and arguments fail as podman's" {
  run s version --format '{{.Bad}}'
  expect_failure 125 'Error: template: version:1:2: executing "version" at <.Bad>: can'"'"'t evaluate field Bad in type *define.Version'
  run s version --format 'x{{.Client.Bad}}'
  expect_failure 125 'can'"'"'t evaluate field Client in type *define.Version'
  [ "${lines[0]}" = "xxError: template: version:1:10: executing \"version\" at <.Client.Bad>: can't evaluate field Client in type *define.Version" ]
  run s version --format '{{.Client.Version'
  expect_failure 125 'template: version:1: unclosed action'
  run s version foo
  expect_failure 125 'takes no arguments'
  have_podman || skip "podman not installed"
  for f in '{{.Bad}}' 'x{{.Client.Bad}}' '{{.Client.Version' '{{.Client.Version}}{{.Server.Bad}}'; do
    run p version --format "$f"
    want_status=$status want=$output
    run s version --format "$f"
    [ "$status" -eq "$want_status" ]
    [ "$output" = "${want//4.3.1/$(s --version | cut -d' ' -f3)}" ]
  done
}

# A registries.conf with every kind of entry podman's info shows.
write_registries_conf() {
  cat >"$WORK/registries.conf" <<'CONF'
unqualified-search-registries = ["docker.io", "quay.io"]
[[registry]]
location = "localhost:5000"
insecure = true
[[registry]]
prefix = "example.com/foo"
location = "mirror.example.com/foo"
blocked = true
[[registry.mirror]]
location = "m1.example.com"
[[registry.mirror]]
location = "m2.example.com"
pull-from-mirror = "digest-only"
CONF
  export CONTAINERS_REGISTRIES_CONF=$WORK/registries.conf
}

@test "info: podman's keys and YAML, the store's own values" {
  fixture --out "$WORK/a.tar" --format oci-archive --name a:1 --seed 1
  run s info
  expect_success
  [ "${lines[0]}" = "host:" ]
  s info | python3 -c '
import os, sys, yaml
d = yaml.safe_load(sys.stdin)
assert sorted(d) == ["host", "registries", "store", "version"], sorted(d)
assert d["store"]["imageStore"] == {"number": 0}, d["store"]
assert d["store"]["graphDriverName"] in ("overlay", "vfs")
assert d["host"]["os"] == "linux" and d["host"]["cpus"] >= 1'
  [ "$(s info --format '{{.Store.GraphRoot}}')" = "$(realpath "$STORE")" ]
  [ "$(s info --format '{{.Store.RunRoot}}')" = "$(realpath "$STORE")" ]
  [ "$(s --runroot "$WORK/run" info --format '{{.Store.RunRoot}}')" = "$WORK/run" ]
  [ "$(TMPDIR=$WORK s info --format '{{.Store.ImageCopyTmpDir}}')" = "$WORK" ]
  s load -i "$WORK/a.tar" >/dev/null
  s tag a:1 b:1
  [ "$(s --storage-driver vfs system info --format '{{.Store.ImageStore.Number}} {{.Store.GraphDriverName}}')" = "1 vfs" ]
  [ "$(s info --format '{{.Version.Version}} {{.Host.OS}}/{{.Host.Arch}}')" = "$(s version --format '{{.Client.Version}} {{.Client.OsArch}}')" ]
  s create a:1 >/dev/null
  [ "$(s info --format '{{.Store.ContainerStore.Number}} {{.Store.ContainerStore.Stopped}} {{.Store.ContainerStore.Running}}')" = "1 1 0" ]
  run s info --format json
  expect_success
  [ "${lines[1]}" = '  "host": {' ]
  echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert list(d) == ["host", "store", "registries", "version"], list(d)
assert d["store"]["imageStore"]["number"] == 1'
}

@test "info: the same keys, types and YAML lines as podman's where they apply" {
  have_podman || skip "podman not installed"
  write_registries_conf
  p info --format json >"$WORK/podman.json"
  # p is podman with vfs, whose graphStatus is empty; overlay's is compared below.
  s --storage-driver vfs info --format json >"$WORK/schicht.json"
  # Every key schicht prints is podman's, with a value of the same JSON type.
  python3 - "$WORK/podman.json" "$WORK/schicht.json" <<'PY'
import json, sys
want, got = (json.load(open(f)) for f in sys.argv[1:])
def walk(w, g, path):
    assert type(w) is type(g) or (w is None and isinstance(g, list)), (path, w, g)
    if isinstance(g, dict) and path not in ("registries",):
        for k in g:
            assert k in w, f"{path}.{k} is not podman's"
            walk(w[k], g[k], f"{path}.{k}")
walk(want, got, "")
assert want["registries"] == got["registries"], (want["registries"], got["registries"])
for key in ("arch", "os", "hostname", "kernel", "cpus", "memTotal", "swapTotal", "distribution"):
    assert want["host"][key] == got["host"][key], key
PY
  # The YAML of values that are not machine-specific is podman's, byte for byte.
  block() { sed -n "/^$1:/,/^[a-z]/p" | sed '$d'; }
  diff <(p info | block registries) <(s info | block registries)
  diff <(p info | grep -A3 '^  distribution:') <(s info | grep -A3 '^  distribution:')
  diff <(p info | grep -E '^  (arch|os|hostname|kernel|cpus|memTotal|swapTotal):') \
    <(s info | grep -E '^  (arch|os|hostname|kernel|cpus|memTotal|swapTotal):')
  # podman ends its YAML with an empty line.
  [ -z "$(p info | tail -n1)" ] && [ -z "$(s info | tail -n1)" ]
  for f in '{{.Host.Arch}} {{.Host.OS}} {{.Host.Security.Rootless}} {{.Host.Distribution}}' \
    '{{.Store.GraphDriverName}} {{.Store.GraphOptions}} {{.Store.GraphStatus}} {{.Store.ImageStore}}' \
    '{{.Store.ContainerStore}}' '{{range $k, $v := .Registries}}{{$k}} {{end}}' \
    '{{.Registries.nope}}'; do
    [ "$(p info --format "$f")" = "$(s --storage-driver vfs info --format "$f")" ]
  done
  if [ "$(s info --format '{{.Store.GraphDriverName}}')" = overlay ]; then
    f='{{.Store.GraphDriverName}} {{.Store.GraphStatus}}'
    [ "$(podman --root "$WORK/po" --runroot "$WORK/por" --storage-driver overlay info --format "$f")" = \
      "$(s info --format "$f")" ]
  fi
}

@test "info: bad templates and arguments fail as podman's, the store unchanged" {
  BEFORE=$(store_state)
  run s info --format '{{.Bad}}'
  expect_failure 125 'Error: template: info:1:2: executing "info" at <.Bad>: can'"'"'t evaluate field Bad in type *define.Info'
  run s info --format '{{.Host.Bad}}'
  expect_failure 125 "can't evaluate field Bad in type *define.HostInfo"
  run s info --format '{{.Store.ImageStore.Bad}}'
  expect_failure 125 "can't evaluate field Bad in type define.ImageStore"
  run s info --format '{{.Store.GraphRoot'
  expect_failure 125 'Error: template: info:1: unclosed action'
  run s info extra
  expect_failure 125 'takes no arguments'
  unchanged
  have_podman || skip "podman not installed"
  for f in '{{.Bad}}' '{{.Host.Bad}}' '{{.Store.Bad}}' '{{.Version.Bad}}' '{{.Store.ContainerStore.Bad}}' \
    '{{.Host.Distribution.Bad}}' '{{.Host.Security.Bad}}' '{{.Store.GraphRoot'; do
    run p info --format "$f"
    want_status=$status want=$output
    run s info --format "$f"
    [ "$status" -eq "$want_status" ]
    [ "$output" = "$want" ]
  done
}

# Layers with every kind of change image diff tells apart, and images stacking them:
# x = l1, y = l1 l2, z = l1 l2 l3, w = l3 alone (no layer shared with the others).
diff_fixtures() {
  python3 - "$WORK" <<'PY'
import io, sys, tarfile
work = sys.argv[1]
def layer(name, entries):
    with tarfile.open(f"{work}/{name}.tar", "w", format=tarfile.PAX_FORMAT) as t:
        for path, kind, data, attrs in entries:
            ti = tarfile.TarInfo(path)
            ti.mtime, ti.mode, ti.uid, ti.gid = 1000, 0o644, 0, 0
            for k, v in attrs.items():
                setattr(ti, k, v)
            if kind == "d":
                ti.type, ti.mode = tarfile.DIRTYPE, attrs.get("mode", 0o755)
            elif kind == "l":
                ti.type, ti.linkname = tarfile.SYMTYPE, data
            elif kind == "h":
                ti.type, ti.linkname = tarfile.LNKTYPE, data
            elif kind == "f":
                ti.size = len(data)
            t.addfile(ti, io.BytesIO(data) if kind == "f" else None)
d, f, l, h = "d", "f", "l", "h"
layer("l1", [
    ("a", d, None, {}), ("a/same", f, b"s", {}), ("a/content", f, b"one", {}),
    ("a/mode", f, b"m", {}), ("a/owner", f, b"o", {}), ("a/time", f, b"t", {}),
    ("a/tolink", f, b"x", {}), ("a/hard", f, b"h", {}),
    ("gone", d, None, {}), ("gone/sub", d, None, {}), ("gone/sub/deep", f, b"d", {}),
    ("dir2file", d, None, {}), ("dir2file/child", f, b"c", {}),
    ("file2dir", f, b"f", {}), ("opq", d, None, {}), ("opq/old", f, b"o", {}),
    ("keep", d, None, {}), ("keep/x", f, b"x", {}),
    ("etc", d, None, {}), ("etc/hosts", f, b"h", {}), ("etc/resolv.conf", f, b"r", {}),
    ("dev", d, None, {}), ("sys", d, None, {}), ("proc", d, None, {}),
])
layer("l2", [
    ("a/content", f, b"two", {}), ("a/mode", f, b"m", {"mode": 0o600}),
    ("a/owner", f, b"o", {"uid": 1000}), ("a/time", f, b"t", {"mtime": 2000}),
    ("a/tolink", l, "same", {}), ("a/hardlink", h, "a/hard", {}),
    (".wh.gone", f, b"", {}), ("dir2file", f, b"now a file", {}),
    ("file2dir", d, None, {}), ("file2dir/in", f, b"i", {}),
    ("opq/.wh..wh..opq", f, b"", {}), ("opq/new", f, b"n", {}),
    ("implicit/parent/file", f, b"p", {}),
    ("etc/hosts", f, b"hh", {}), ("etc/resolv.conf", f, b"rr", {}), ("dev/null2", f, b"", {}),
])
layer("l3", [("keep", d, None, {"mode": 0o700}), ("a/content", f, b"three", {}),
             ("new", d, None, {}), ("new/file", f, b"n", {})])
PY
  fixture --out "$WORK/x.tar" --format oci-archive --name x:1 --layer-tar "$WORK/l1.tar"
  fixture --out "$WORK/y.tar" --format oci-archive --name y:1 --layer-tar "$WORK/l1.tar" --layer-tar "$WORK/l2.tar"
  fixture --out "$WORK/z.tar" --format oci-archive --name z:1 --layer-tar "$WORK/l1.tar" \
    --layer-tar "$WORK/l2.tar" --layer-tar "$WORK/l3.tar"
  fixture --out "$WORK/w.tar" --format oci-archive --name w:1 --layer-tar "$WORK/l3.tar"
}

@test "image diff: every kind of change, parents first, the same set as podman's" {
  diff_fixtures
  for i in x y z w; do s load -i "$WORK/$i.tar" >/dev/null; done
  # As for podman: a/content keeps its size and mtime, so it did not change; /dev is a
  # container mount; what a file replaced is not listed.
  run s image diff y:1
  expect_success
  expected='C /a
A /a/hardlink
C /a/mode
C /a/owner
C /a/time
C /a/tolink
A /dev/null2
C /dir2file
C /etc
C /file2dir
A /file2dir/in
D /gone
A /implicit
A /implicit/parent
A /implicit/parent/file
C /opq
A /opq/new
D /opq/old'
  diff <(echo "$expected") <(echo "$output")
  run s image diff --format json x:1 y:1
  expect_success
  [ "$(echo "$output" | python3 -c 'import json, sys; print(sorted(json.load(sys.stdin)))')" = "['added', 'changed', 'deleted']" ]
  [ "$(s image diff --format json x:1 x:1)" = "{}" ]
  [ -z "$(s image diff x:1 x:1)" ]
  # One layer: everything it holds is added.
  [ "$(s image diff w:1)" = "$(printf 'A /a\nA /a/content\nA /keep\nA /new\nA /new/file')" ]
  have_podman || skip "podman not installed"
  for i in x y z w; do p load -i "$WORK/$i.tar" >/dev/null; done
  # podman lists siblings in random order: compare the sets, and JSON groups sorted.
  for args in "y:1" "z:1" "x:1" "w:1" "z:1 x:1" "x:1 z:1" "w:1 z:1" "z:1 w:1" "y:1 y:1"; do
    diff <(p image diff $args | sort) <(s image diff $args | sort) || { echo "differs: $args"; return 1; }
    norm='import json, sys; print({k: sorted(v) for k, v in json.load(sys.stdin).items()})'
    diff <(p image diff --format json $args | python3 -c "$norm") \
      <(s image diff --format json $args | python3 -c "$norm") || { echo "json differs: $args"; return 1; }
  done
  # The same indentation as podman's.
  [ "$(p image diff --format json x:1 x:1)" = "$(s image diff --format json x:1 x:1)" ]
  # (Lines without their commas: which entry is last, and so has none, is podman's random order.)
  diff <(p image diff --format json w:1 | sed 's/,$//' | sort) \
    <(s image diff --format json w:1 | sed 's/,$//' | sort)
}

@test "image diff: unknown images, bad --format, wrong arguments fail as podman's" {
  fixture --out "$WORK/a.tar" --format oci-archive --name a:1 --seed 1
  s load -i "$WORK/a.tar" >/dev/null
  BEFORE=$(store_state)
  run s image diff nope
  expect_failure 125 "Error: nope not found: nope: image not known"
  run s image diff a:1 nope
  expect_failure 125 "Error: nope not found: nope: image not known"
  run s image diff nope1 nope2
  expect_failure 125 "Error: nope1 not found: nope1: image not known"
  run s image diff --format yaml a:1
  expect_failure 125 "Error: only supported value for '--format' is 'json'"
  run s image diff --format yaml nope
  expect_failure 125 "Error: nope not found: nope: image not known"
  run s image diff
  expect_failure 125 "Error: accepts between 1 and 2 arg(s), received 0"
  run s image diff a:1 a:1 a:1
  expect_failure 125 "Error: accepts between 1 and 2 arg(s), received 3"
  unchanged
  have_podman || skip "podman not installed"
  p load -i "$WORK/a.tar" >/dev/null
  for args in "nope" "a:1 nope" "--format yaml a:1" "--format {{.X}} a:1" "--format JSON nope" "" "a:1 a:1 a:1"; do
    run p image diff $args
    want_status=$status want=$output
    run s image diff $args
    [ "$status" -eq "$want_status" ] && [ "$output" = "$want" ] || { echo "$args: $output != $want"; return 1; }
  done
}

# podman with an event log of its own in $WORK (not the machine's).
podman_events_conf() {
  printf '[engine]\nevents_logger="file"\nevents_logfile_path="%s"\n' "$WORK/podman-events.log" \
    >"$WORK/containers.conf"
  export CONTAINERS_CONF=$WORK/containers.conf
}

# The image commands that record events, run by `tool` from $WORK.
event_sequence() {
  local tool=$1
  (
    cd "$WORK" || exit 1
    $tool load -q -i a.tar >/dev/null
    $tool load -q -i b.tar >/dev/null
    $tool tag a:1 t:2 other/name:3
    $tool untag a:1 localhost/t:2
    $tool save -o "saved-$tool.tar" a:1
    $tool push -q a:1 "dir:pushed-$tool"
    $tool pull -q oci-archive:c.tar >/dev/null
    $tool tag a:1 extra:1
    $tool rmi extra:1 >/dev/null
    $tool rmi b:1 >/dev/null
  )
}

event_fixtures() {
  fixture --out "$WORK/a.tar" --format docker-archive --name a:1 --seed 1
  fixture --out "$WORK/b.tar" --format oci-archive --name b:1 --seed 2
  fixture --out "$WORK/c.tar" --format oci-archive --name c:1 --seed 3
}

@test "events: what each image command records, as podman records it" {
  event_fixtures
  event_sequence s
  run s events --stream=false
  expect_success
  [ "${#lines[@]}" -eq 13 ]
  [[ "${lines[0]}" =~ ^20[0-9-]+\ [0-9:.]+\ \+0000\ UTC\ image\ loadfromarchive\ \ a.tar$ ]]
  id=$(s images -q --no-trunc a:1 | sed 's/sha256://')
  [[ "${lines[2]}" == *" image tag $id t:2" ]]
  run s events --stream=false --format json
  expect_success
  echo "${lines[2]}" | python3 -c '
import json, sys
e = json.loads(sys.stdin.read())
assert list(e) == ["ID", "Name", "Status", "Time", "Type", "Attributes"], list(e)
assert e["Status"] == "tag" and e["Type"] == "image" and e["Attributes"] is None, e'
  have_podman || skip "podman not installed"
  podman_events_conf
  event_sequence p
  fields='{{.Type}} {{.Status}} {{.ID}} {{.Name}}'
  diff <(p events --stream=false --format "$fields" | sed 's/-p\b//') \
    <(s events --stream=false --format "$fields" | sed 's/-s\b//')
  # The default line and JSON have podman's shape: only times differ.
  diff <(p events --stream=false | cut -d' ' -f4- | sed 's/-p\b//') \
    <(s events --stream=false | cut -d' ' -f4- | sed 's/-s\b//')
  diff <(p events --stream=false --format json | sed 's/"Time":"[^"]*"/T/; s/-p\b//') \
    <(s events --stream=false --format json | sed 's/"Time":"[^"]*"/T/; s/-s\b//')
}

@test "events: filters, --since/--until, --no-trunc and templates select and print as podman's" {
  event_fixtures
  event_sequence s
  have_podman && { podman_events_conf; event_sequence p; }
  id=$(s images -q --no-trunc a:1 | sed 's/sha256://')
  [ "$(s events --stream=false --filter event=untag --format '{{.Name}}' | wc -l)" -eq 3 ]
  [ "$(s events --stream=false --filter event=remove --format '{{.Name}}')" = "$(printf 'localhost/extra:1\nlocalhost/b:1')" ]
  [ "$(s events --stream=false --filter image=${id:0:12} --filter event=save --format '{{.Status}}')" = save ]
  [ "$(s events --stream=false --filter event=tag --no-trunc=false --format '{{.ID}}' | sort -u)" = "$id" ]
  [[ "$(s events --stream=false --filter event=save --no-trunc=false)" == *" image save ${id:0:12} saved-s.tar" ]]
  [ -z "$(s events --stream=false --since 1m --until -1m)" ]
  [ "$(s events --stream=false --since 1m | wc -l)" -eq 13 ]
  [ "$(s events --stream=false --until "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)" | wc -l)" -eq 0 ]
  [ "$(s events --stream=false --since "$(date +%s -d '-1 hour')" | wc -l)" -eq 13 ]
  # --until bounds the stream: it ends once that time has passed.
  [ "$(s events --until 0s | wc -l)" -eq 13 ]
  have_podman || skip "podman not installed"
  for f in "--filter event=untag" "--filter event=tag --filter event=save" \
    "--filter type=image --filter event=remove" "--filter image=localhost/a:1" \
    "--filter image=${id:0:12}" "--filter type=container" "--filter image=a:1" "--no-trunc=false" \
    "--filter status=pull"; do
    # shellcheck disable=SC2086 # each is several words
    diff <(p events --stream=false $f | cut -d' ' -f4- | sed 's/-p\b//') \
      <(s events --stream=false $f | cut -d' ' -f4- | sed 's/-s\b//') || { echo "differs: $f"; return 1; }
  done
  f='{{.ID}}|{{.Name}}|{{.Status}}|{{.Type}}|{{.Image}}|{{.Attributes}}'
  diff <(p events --stream=false --format "$f" | sed 's/-p\b//') \
    <(s events --stream=false --format "$f" | sed 's/-s\b//')
}

@test "events: bad filters, times, templates and arguments fail; the store unchanged" {
  event_fixtures
  s load -i "$WORK/a.tar" >/dev/null
  BEFORE=$(store_state)
  run s events --stream=false --filter foo
  expect_failure 125 "Error: foo is an invalid filter"
  run s events --stream=false --filter bogus=1
  expect_failure 125 "Error: bogus is an invalid filter"
  run s events --stream=false --since yesterday
  expect_failure 125 'Error: unable to interpret time value "yesterday" for --since'
  run s events --stream=false --until 5parsecs
  expect_failure 125 'for --until'
  run s events --stream=false --format '{{.Bad}}'
  expect_failure 125 'Error: template: events:1:2: executing "events" at <.Bad>: can'"'"'t evaluate field Bad in type *events.Event'
  run s events --stream=false --format '{{.Name'
  expect_failure 125 'Error: template: events:1: unclosed action'
  run s events extra
  expect_failure 125 'takes no arguments'
  unchanged
  have_podman || skip "podman not installed"
  podman_events_conf
  p load -i "$WORK/a.tar" >/dev/null
  for f in '{{.Bad}}' '{{.Name'; do
    run p events --stream=false --format "$f"
    want_status=$status want=$output
    run s events --stream=false --format "$f"
    [ "$status" -eq "$want_status" ] && [ "$output" = "$want" ]
  done
}

@test "events: an unwritable log never fails a command; torn lines are skipped; writers never mix lines" {
  event_fixtures
  s load -i "$WORK/a.tar" >/dev/null
  # A crash in the middle of a line.
  printf '{"ID":"abc","Status":"ta' >>"$STORE/events.log"
  s tag a:1 after:1
  run s events --stream=false --format '{{.Status}} {{.Name}}'
  expect_success
  [ "$output" = "$(printf 'loadfromarchive a.tar\ntag after:1' | sed "s|a.tar|$WORK/a.tar|")" ]
  # Writers at once: every line whole.
  for w in 1 2 3 4; do
    (for i in 1 2 3 4 5 6 7 8; do s tag a:1 "w$w:$i"; done) &
  done
  wait
  [ "$(s events --stream=false --filter event=tag | wc -l)" -eq 33 ]
  python3 - "$STORE/events.log" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().split("\n")
good = [json.loads(l) for l in lines[2:] if l]
assert len(good) == 33 and all(e["Status"] == "tag" for e in good), good
PY
  # No log can be written: the command still succeeds, with a warning.
  rm "$STORE/events.log"
  mkdir "$STORE/events.log"
  run s tag a:1 warned:1
  expect_success
  [[ "$output" == "WARN[0000] unable to write image event: open $(realpath "$STORE")/events.log: Is a directory" ]]
  run s image exists warned:1
  expect_success
}

@test "events: the default follows the log and prints what other commands record" {
  event_fixtures
  s load -i "$WORK/a.tar" >/dev/null
  # Not through s(): $! must be schicht itself, not a subshell around it.
  "$SCHICHT" --root "$STORE" events --format '{{.Status}} {{.Name}}' >"$WORK/followed" &
  follower=$!
  s tag a:1 live:1
  # The follower polls the log every 100 ms: wait for the line (at most 20 s), then stop it.
  for _ in $(seq 200); do
    grep -q '^tag live:1$' "$WORK/followed" && break
    sleep 0.1
  done
  kill "$follower"
  wait "$follower" || true
  [ "$(cat "$WORK/followed")" = "$(printf 'loadfromarchive %s\ntag live:1' "$WORK/a.tar")" ]
}

@test "events: import records the tag it gives, build the image it built, as podman does" {
  mkdir -p "$WORK/ctx" && echo hi >"$WORK/ctx/f"
  printf 'FROM scratch\nCOPY f /f\n' >"$WORK/ctx/Containerfile"
  tar -C "$WORK/ctx" -cf "$WORK/root.tar" f
  sequence() {
    $1 import -q "$WORK/root.tar" imp:1 >/dev/null
    $1 import -q "$WORK/root.tar" >/dev/null
    $1 build -q -t built:1 "$WORK/ctx" >/dev/null
  }
  sequence s
  imported=$(s images -q --no-trunc imp:1 | sed 's/sha256://')
  built=$(s images -q --no-trunc built:1 | sed 's/sha256://')
  run s events --stream=false --format '{{.Status}} {{.ID}} {{.Name}}'
  expect_success
  [ "$output" = "$(printf 'tag %s imp:1\nbuild  %s' "$imported" "$built")" ]
  have_podman || skip "podman not installed"
  podman_events_conf
  sequence p
  # The same events; build IDs are each tool's own.
  diff <(p events --stream=false --format '{{.Status}} {{.Name}}' | sed 's/^build .*/build/') \
    <(s events --stream=false --format '{{.Status}} {{.Name}}' | sed 's/^build .*/build/')
  diff <(p events --stream=false --format json | sed 's/"Time":"[^"]*"/T/; s/[0-9a-f]\{64\}/H/g') \
    <(s events --stream=false --format json | sed 's/"Time":"[^"]*"/T/; s/[0-9a-f]\{64\}/H/g')
}

@test "events: the log rotates at containers.conf's events_logfile_max_size, as podman's does" {
  fixture --out "$WORK/a.tar" --format docker-archive --name a:1 --seed 1
  printf '[engine]\nevents_logfile_max_size = "1k"\n' >"$WORK/small.conf"
  export CONTAINERS_CONF=$WORK/small.conf
  s load -q -i "$WORK/a.tar" >/dev/null
  for i in $(seq 1 12); do s tag a:1 "t:$i"; done
  size=$(stat -c %s "$STORE/events.log")
  [ "$size" -le 1000 ]
  run s events --stream=false --format '{{.Type}} {{.Status}} {{.Name}}'
  expect_success
  # The newer half, then the rotation, then the event that caused it: the tags left are
  # consecutive and end with the last.
  [[ "$output" == *"system log-rotation $STORE/events.log"* ]]
  [ "${lines[-1]}" = "image tag t:12" ]
  tags=$(grep -o 'image tag t:[0-9]*' <<<"$output" | sed 's/.*://' | tr '\n' ' ')
  [ "$tags" = "$(seq "${tags%% *}" 12 | tr '\n' ' ')" ]
  run s events --stream=false
  [[ "$output" == *" UTC system log-rotation $STORE/events.log"* ]]
  if have_podman; then
    printf '[engine]\nevents_logger="file"\nevents_logfile_path="%s"\nevents_logfile_max_size = "1k"\n' \
      "$WORK/podman-events.log" >"$WORK/small.conf"
    p load -q -i "$WORK/a.tar" >/dev/null
    for i in $(seq 1 12); do p tag a:1 "t:$i"; done
    run p events --stream=false --format '{{.Type}} {{.Status}} {{.Name}}'
    [[ "$output" == *"system log-rotation $WORK/podman-events.log"* ]]
    [ "${lines[-1]}" = "image tag t:12" ]
  fi
  # 0: no limit.
  printf '[engine]\nevents_logfile_max_size = 0\n' >"$WORK/small.conf"
  for i in $(seq 13 30); do s tag a:1 "t:$i"; done
  [ "$(stat -c %s "$STORE/events.log")" -gt 2000 ]
}

@test "events: events_logger none records nothing and events refuses, as podman does; a bad size warns" {
  fixture --out "$WORK/a.tar" --format docker-archive --name a:1 --seed 1
  s load -q -i "$WORK/a.tar" >/dev/null
  printf '[engine]\nevents_logger = "none"\n' >"$WORK/none.conf"
  export CONTAINERS_CONF=$WORK/none.conf
  before=$(stat -c %s "$STORE/events.log")
  run s tag a:1 t:1
  expect_success
  [ "$(stat -c %s "$STORE/events.log")" -eq "$before" ]
  run s events --stream=false
  expect_failure 125 'Error: cannot read events with the "none" backend'
  if have_podman; then
    run p events --stream=false
    expect_failure 125 'Error: cannot read events with the "none" backend'
  fi
  # A size podman would refuse: the command still does its work, says why no event rotates.
  printf '[engine]\nevents_logfile_max_size = "lots"\n' >"$WORK/none.conf"
  run s tag a:1 t:2
  expect_success
  [[ "$output" == *"WARN[0000] $WORK/none.conf: events_logfile_max_size: invalid size: \"lots\"; using the default event settings"* ]]
  [ "$(s images --format '{{.Tag}}' --filter reference=t)" != "" ]
  run s events --stream=false
  expect_failure 125 "Error: $WORK/none.conf: events_logfile_max_size: invalid size: \"lots\""
}
