#!/usr/bin/env bats
# login, logout and credentials against an htpasswd-protected docker-registry on loopback.

load helpers
load registry

setup_file() {
  have_registry || skip "docker-registry is not installed"
  start_file_registry alice s3cret
}

teardown_file() {
  stop_file_registry
}

setup() {
  make_work
  # Every command reads and writes this file only: the user's own credentials stay untouched.
  export REGISTRY_AUTH_FILE=$WORK/auth.json
}

@test "login with a wrong password fails as podman does and writes nothing" {
  run s login --tls-verify=false -u alice -p wrong "$REG"
  expect_failure 125 "Error: logging into \"$REG\": invalid username/password"
  [ ! -e "$WORK/auth.json" ]
}

@test "login stores credentials in auth.json with mode 0600; --get-login reads them" {
  run s login --tls-verify=false -u alice -p s3cret "$REG"
  expect_success
  [ "$output" = "Login Succeeded!" ]
  [ "$(stat -c %a "$WORK/auth.json")" = 600 ]
  python3 - "$WORK/auth.json" "$REG" <<'EOF'
import base64, json, sys
auths = json.load(open(sys.argv[1]))["auths"]
assert base64.b64decode(auths[sys.argv[2]]["auth"]) == b"alice:s3cret", auths
EOF
  run s login --get-login "$REG"
  expect_success
  [ "$output" = alice ]
  if have_podman; then
    [ "$(podman login --get-login "$REG")" = alice ]
  fi
  run s login --tls-verify=false "$REG" </dev/null
  expect_success
  [ "${lines[0]}" = "Authenticating with existing credentials for $REG" ]
  [ "${lines[1]}" = "Existing credentials are valid. Already logged in to $REG" ]
}

@test "--password-stdin, and podman's refusals of conflicting or missing input" {
  run bash -c "echo s3cret | '$SCHICHT' login --tls-verify=false -u alice --password-stdin '$REG'"
  expect_success
  [ "$output" = "Login Succeeded!" ]
  run s login --tls-verify=false -u alice -p s3cret --password-stdin "$REG"
  expect_failure 125 "Can't specify both --password-stdin and --password"
  run s login --tls-verify=false -u alice "$REG" </dev/null
  expect_failure 125 "reading password"
  run s login --get-login "127.0.0.1:1"
  expect_failure 125 "not logged into 127.0.0.1:1"
  run s login -u alice -p s3cret "docker://$REG"
  expect_failure 125 "invalid reference format"
}

@test "pull and push need credentials: refused without, working after login or with --creds" {
  fixture --out "$WORK/a.tar" --format oci-archive --name app:1 --seed 31
  s load -i "$WORK/a.tar" >/dev/null
  BEFORE=$(store_state)
  echo '{"auths": {}}' >"$WORK/auth.json"
  run s push --tls-verify=false app:1 "$REG/app:1"
  expect_failure 125 "trying to reuse blob" "nauthorized"
  run s pull --tls-verify=false "$REG/app:1"
  expect_failure 125 "reading manifest 1 in $REG/app: unauthorized: authentication required"
  [ "$(store_state)" = "$BEFORE" ]

  run s push -q --tls-verify=false --creds alice:s3cret app:1 "$REG/app:1"
  expect_success
  id=$(s inspect --format '{{.Id}}' app:1)
  rm -rf "$STORE"
  run s pull -q --tls-verify=false --creds alice:wrong "$REG/app:1"
  expect_failure 125 "unauthorized"
  [ ! -e "$STORE/blobs/sha256" ] || [ -z "$(ls "$STORE/blobs/sha256")" ]
  s login --tls-verify=false -u alice -p s3cret "$REG" >/dev/null
  run s pull -q --tls-verify=false "$REG/app:1"
  expect_success
  [ "$output" = "$id" ]
}

@test "logout removes the entry, then says not logged in; logout -a empties the file" {
  s login --tls-verify=false -u alice -p s3cret "$REG" >/dev/null
  s login --tls-verify=false -u alice -p s3cret "$REG/some/repo" >/dev/null
  run s logout "$REG"
  expect_success
  [ "$output" = "Removed login credentials for $REG" ]
  run s logout "$REG"
  expect_failure 125 "Error: not logged into $REG"
  run s logout -a
  expect_success
  [ "$output" = "Removed login credentials for all registries" ]
  run s login --get-login "$REG/some/repo"
  expect_failure 125 "not logged into"
  [ "$(stat -c %a "$WORK/auth.json")" = 600 ]
}

@test "a missing --authfile or REGISTRY_AUTH_FILE is an error, as in podman" {
  run s pull --tls-verify=false "$REG/app:1"
  expect_failure 125 "stat $WORK/auth.json: no such file or directory"
  run s push --authfile "$WORK/nope.json" --tls-verify=false app:1 "$REG/app:1"
  expect_failure 125 "stat $WORK/nope.json: no such file or directory"
}

@test "credentials podman login wrote are used here" {
  have_podman || skip "podman is not installed"
  podman login --tls-verify=false -u alice -p s3cret "$REG" >/dev/null
  fixture --out "$WORK/a.tar" --format oci-archive --name app:2 --seed 32
  s load -i "$WORK/a.tar" >/dev/null
  run s push -q --tls-verify=false app:2 "$REG/app:2"
  expect_success
}
