#!/usr/bin/env bats
# inspect and history: podman's JSON and tables.

load helpers

@test "inspect prints podman's JSON, field for field" {
  fixture --out "$WORK/d.tar" --format docker-archive --name app:1 --layers 2
  s load -i "$WORK/d.tar"
  s tag app:1 other:2
  run s inspect app:1
  expect_success
  echo "$output" | python3 -c '
import json, sys
doc = json.load(sys.stdin)[0]
want = ["Id", "Digest", "RepoTags", "RepoDigests", "Parent", "Comment", "Created", "Config",
        "Version", "Author", "Architecture", "Os", "Size", "VirtualSize", "GraphDriver", "RootFS",
        "Labels", "Annotations", "ManifestType", "User", "History", "NamesHistory"]
assert list(doc) == want, list(doc)
assert doc["RepoTags"] == ["localhost/app:1", "localhost/other:2"], doc["RepoTags"]
assert doc["NamesHistory"] == ["localhost/other:2", "localhost/app:1"], doc["NamesHistory"]
assert len(doc["RootFS"]["Layers"]) == 2
'
}

@test "inspect matches podman for the same archive" {
  have_podman || skip "podman is not installed"
  fixture --out "$WORK/d.tar" --format docker-archive --name app:1 --layers 2
  p load -i "$WORK/d.tar" >/dev/null 2>&1
  s load -i "$WORK/d.tar"
  diff <(p inspect app:1 | grep -v '"Name": "vfs"') <(s inspect app:1 | grep -v '"Name": "schicht"')
}

@test "inspect --format, and an unknown image" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1
  s load -i "$WORK/a.tar"
  run s inspect --format '{{.Os}}/{{.Architecture}} {{len .RootFS.Layers}}' app:1
  expect_success
  [ "$output" = "linux/amd64 2" ]
  run s inspect nope
  expect_failure 125 'Error: inspecting object: no such object: "nope"'
  run s inspect --format '{{.Nope}}' app:1
  expect_failure 125 "can't evaluate field Nope"
}

@test "history matches podman: table, --no-trunc, -q, json" {
  have_podman || skip "podman is not installed"
  fixture --out "$WORK/d.tar" --format docker-archive --name app:1 --layers 3
  p load -i "$WORK/d.tar" >/dev/null 2>&1
  s load -i "$WORK/d.tar"
  for args in "" "--no-trunc" "-q" "--format json" "--human=false" "--format {{.ID}}|{{.Size}}|{{.CreatedBy}}"; do
    diff <(p history $args app:1) <(s history $args app:1)
  done
  run s history nope
  expect_failure 125 "nope: image not known"
}

@test "inspect --format runs over podman's field names: {{.ID}}, {{.Id}} rewritten, {{json .Id}} refused" {
  have_podman || skip "podman is not installed"
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layers 2
  p load -i "$WORK/a.tar" >/dev/null 2>&1
  s load -i "$WORK/a.tar" >/dev/null
  for format in '{{.ID}}' '{{.Id}}' '{{ .Id }}' '{{.ID}} {{.Digest}} {{.RepoTags}}' \
    '{{.HealthCheck}}' '{{.Config.Healthcheck}}' '{{json .Id}}' '{{.ImageID}}'; do
    for tool in p s; do
      if out=$($tool image inspect --format "$format" app:1 2>&1); then
        echo "$format: $out"
      else
        echo "$format: failed: $(grep -o "can't evaluate field .*" <<<"$out")"
      fi
    done | uniq -c | awk -v f="$format" '$1 != 2 { print "differs for " f; bad = 1 } END { exit bad }'
  done
}

@test "history's {{.CreatedAt}} is the image list's, as podman prints it" {
  have_podman || skip "podman is not installed"
  fixture --out "$WORK/d.tar" --format docker-archive --name app:1 --layers 2
  p load -i "$WORK/d.tar" >/dev/null 2>&1
  s load -i "$WORK/d.tar" >/dev/null
  format='{{.CreatedSince}}--{{.CreatedAt}}'
  diff <(p image history --format "$format" app:1) <(s image history --format "$format" app:1)
  [ "$(s image history --format "$format" app:1 | head -1)" = \
    "$(s image list --format "$format" app:1)" ]
}
