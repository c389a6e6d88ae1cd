#!/usr/bin/env bats
# search against a registry's catalog (a local docker-registry behind htpasswd): columns, tags,
# --limit, --filter, --format, --compatible, --authfile, and podman's errors and exit codes.
# search changes no store; the bad-input tests check that it stays untouched anyway.

load helpers
load registry

setup_file() {
  have_registry || skip "docker-registry is not installed"
  start_file_registry alice s3cret
  local dir=$BATS_FILE_TMPDIR/image
  python3 "$BATS_TEST_DIRNAME/../fixtures/mkfixture.py" --out "$dir" --format oci-dir --layers 1 \
    --layer-kb 1 >/dev/null
  for name in alpha/app:1 alpha/app:2 beta:1 gamma/tool:latest; do
    skopeo copy -q --dest-tls-verify=false --dest-creds alice:s3cret "oci:$dir" \
      "docker://$REG/$name" >/dev/null
  done
  printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REG" "$(printf alice:s3cret | base64)" \
    >"$BATS_FILE_TMPDIR/auth.json"
}

teardown_file() {
  stop_file_registry
}

setup() {
  make_work
  # Nothing but --authfile may lend credentials.
  export REGISTRY_AUTH_FILE=$WORK/none.json
  echo '{}' >"$REGISTRY_AUTH_FILE"
  AUTH=$BATS_FILE_TMPDIR/auth.json
}

transcript() {
  local tool=$1 args rc
  for args in "$REG/" "$REG/app" "$REG/nomatch" "--limit 2 $REG/" "--limit -1 $REG/" \
    "--limit 0 $REG/" "--list-tags $REG/alpha/app" "--limit 1 --list-tags $REG/alpha/app" \
    "--list-tags --format json $REG/alpha/app" "--list-tags --format {{.Name}} $REG/alpha/app" \
    "--format json $REG/a" "--format json $REG/nomatch" "--filter stars=1 $REG/" \
    "--filter is-official=true $REG/" "--filter is-automated=false $REG/" \
    "--filter is-official=x $REG/" "--filter stars=0 --filter is-official=false $REG/" \
    "--format {{.Name}}|{{.Index}}|{{.Stars}}|{{.Official}}|{{.Automated}}|{{.Tag}} $REG/" \
    "--no-trunc $REG/beta" "--compatible $REG/beta" \
    "--filter stars=x $REG/" "--filter stars=99999999999999999999 $REG/" "--filter bogus=1 $REG/" \
    "--filter stars $REG/" "--list-tags --filter stars=1 $REG/alpha/app" "--list-tags $REG/" \
    "--list-tags $REG/Alpha" "$REG/ extra" "--authfile /nonexistent $REG/"; do
    echo "== $args"
    rc=0
    # shellcheck disable=SC2086
    $tool search --tls-verify=false --authfile "$AUTH" $args 2>&1 || rc=$?
    echo "rc=$rc"
  done
  echo "== table"
  $tool search --tls-verify=false --authfile "$AUTH" \
    --format 'table {{.Index}}\t{{.Name}}\t{{.Stars}}\t{{.Official}}\t{{.Tag}}' "$REG/beta"
}

@test "search prints what podman prints against the same registry" {
  have_podman || skip "podman is not installed"
  transcript p >"$WORK/podman.txt"
  transcript s >"$WORK/schicht.txt"
  diff "$WORK/podman.txt" "$WORK/schicht.txt"
  grep -q "^$REG/gamma/tool *\$" "$WORK/schicht.txt"
  grep -q "^$REG/alpha/app *2\$" "$WORK/schicht.txt"
}

@test "without podman: search lists the catalog, tags, a limit and JSON" {
  run s search --tls-verify=false --authfile "$AUTH" "$REG/"
  expect_success
  [ "$(echo "$output" | awk '{print $1}' | tr '\n' ' ')" = "NAME $REG/alpha/app $REG/beta $REG/gamma/tool " ]
  run s search --tls-verify=false --authfile "$AUTH" --list-tags --limit 1 "$REG/alpha/app"
  expect_success
  # One tag: the registry's first.
  first=$(curl -s -u alice:s3cret "http://$REG/v2/alpha/app/tags/list" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tags"][0])')
  [ "$(echo "$output" | tr -s ' ')" = "$(printf 'NAME TAG\n%s %s' "$REG/alpha/app" "$first")" ]
  run s search --tls-verify=false --authfile "$AUTH" --format json "$REG/beta"
  expect_success
  [ "$(echo "$output" | python3 -c 'import json,sys; print([r["Name"] for r in json.load(sys.stdin)])')" = "['$REG/beta']" ]
}

@test "search: no credentials, a registry that is not there, TLS against plain HTTP, bad filters" {
  mkdir -p "$STORE"
  BEFORE=$(store_state)
  run s search --tls-verify=false "$REG/"
  expect_failure 125 "Error: 1 error occurred:" "couldn't search registry \"$REG\""
  if have_podman; then
    # podman logs a line of its own first; the error then names the registry as here.
    shape() { grep -v '^time=' | head -2 | sed 's/\(registry "[^"]*"\).*/\1/'; }
    [ "$(echo "$output" | shape)" = "$(p search --tls-verify=false "$REG/" 2>&1 | shape)" ]
  fi
  run s search --tls-verify=false 127.0.0.1:1/x
  expect_failure 125 'couldn'"'"'t search registry "127.0.0.1:1": pinging container registry 127.0.0.1:1:'
  run s search --authfile "$AUTH" "$REG/"
  expect_failure 125 "couldn't search registry \"$REG\": pinging container registry $REG:"
  run s search --tls-verify=false --authfile "$AUTH" --list-tags "$REG/nope"
  expect_failure 125 "* getting repository tags: "
  run s search --tls-verify=false --filter stars=x "$REG/"
  expect_failure 125 'Error: incorrect value type for stars filter: strconv.Atoi: parsing "x": invalid syntax'
  run s search --tls-verify=false --authfile "$AUTH" --list-tags --filter is-official "$REG/alpha/app"
  expect_failure 125 "Error: filters are not applicable to list tags result"
  run s search
  expect_failure 125 "Error: accepts 1 arg(s), received 0"
  unchanged
}
