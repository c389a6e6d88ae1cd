#!/usr/bin/env bats
# pull and push with the local transports podman names: oci-archive:, docker-archive:, oci:, dir:.

load helpers

@test "push to every local transport, then pull each back with the same image ID" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --layers 2
  s load -i "$WORK/a.tar" >/dev/null
  id=$(s inspect --format '{{.Id}}' app:1)
  s push app:1 "oci-archive:$WORK/o.tar"
  s push app:1 "docker-archive:$WORK/d.tar"
  s push app:1 "oci:$WORK/odir"
  s push app:1 "dir:$WORK/ddir"
  [ -f "$WORK/o.tar" ] && [ -f "$WORK/d.tar" ] && [ -f "$WORK/odir/index.json" ] && [ -f "$WORK/ddir/manifest.json" ]
  for src in "oci-archive:$WORK/o.tar" "docker-archive:$WORK/d.tar" "oci:$WORK/odir" "dir:$WORK/ddir"; do
    rm -rf "$STORE"
    run s pull "$src"
    expect_success
    [ "${lines[-1]}" = "$id" ] || { echo "$src: $output"; false; }
    s image exists "$id"
  done
}

@test "skopeo reads what push wrote to oci: and dir:" {
  command -v skopeo >/dev/null || skip "skopeo is not installed"
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1
  s load -i "$WORK/a.tar" >/dev/null
  s push app:1 "oci:$WORK/odir"
  s push app:1 "dir:$WORK/ddir"
  run skopeo inspect "oci:$WORK/odir"
  expect_success
  run skopeo inspect "dir:$WORK/ddir"
  expect_success
  [ "$(skopeo inspect "dir:$WORK/ddir" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')" = "$(s inspect --format '{{.Digest}}' app:1)" ]
}

@test "pull from a missing local path fails and changes nothing" {
  run s pull "oci-archive:$WORK/missing.tar"
  expect_failure 125 "$WORK/missing.tar"
  run s pull "dir:$WORK/nothing"
  expect_failure 125 "nothing"
  run s images -q
  [ -z "$output" ]
}
