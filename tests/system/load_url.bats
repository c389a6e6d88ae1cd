#!/usr/bin/env bats
# load -i http(s)://...: the archive is downloaded, then loaded, as podman does; a 404, a host
# that does not resolve and a refused connection fail as podman fails (exit 125, its first
# line) and leave the store unchanged.

load helpers

# A static HTTP server over $WORK/www on a free port of 127.0.0.1; $URL is its address. The
# port comes back through a fifo once the socket listens: no polling.
setup() {
  make_work
  mkdir -p "$WORK/www"
  fixture --out "$WORK/www/a.tar" --format docker-archive --name a:1 --layers 1 --layer-kb 1
  echo "not an archive" >"$WORK/www/note.txt"
  mkfifo "$WORK/port"
  python3 -c '
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
handler.log_message = lambda *args: None
server = http.server.HTTPServer(("127.0.0.1", 0), handler)
print(server.server_port, flush=True)
server.serve_forever()' "$WORK/www" >"$WORK/port" 2>/dev/null 3>&- &
  SERVER=$!
  read -r port <"$WORK/port"
  URL=http://127.0.0.1:$port
}

teardown() {
  [ -z "${SERVER:-}" ] || kill "$SERVER"
  remove_work
}

@test "load -i URL loads what podman loads from it" {
  run s load -i "$URL/a.tar"
  expect_success
  [ "$output" = "Loaded image: localhost/a:1" ]
  run s images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
  [ "$output" = "localhost/a:1 $(s images -q a:1)" ]
  run s load -q -i "$URL/a.tar"
  expect_success
  [ "$output" = "Loaded image: localhost/a:1" ]
  if have_podman; then
    run p load -q -i "$URL/a.tar"
    expect_success
    [ "$output" = "$(s load -q -i "$URL/a.tar" 2>&1)" ]
    [ "$(p images --format '{{.Repository}}:{{.Tag}} {{.ID}}')" = "$(s images --format '{{.Repository}}:{{.Tag}} {{.ID}}')" ]
  fi
}

@test "load -i URL: a 404, a body that is no archive, a bad host fail as in podman; the store is unchanged" {
  s load -i "$WORK/www/a.tar" >/dev/null
  BEFORE=$(store_state)
  for what in "$URL/nope.tar" "$URL/note.txt"; do
    run s load -i "$what"
    expect_failure 125 "Error: payload does not match any of the supported image formats:" "$what"
    if have_podman; then
      s_first=$(echo "$output" | head -1)
      run p load -i "$what"
      [ "$status" -eq 125 ]
      [ "$(echo "$output" | grep '^Error:')" = "$s_first" ]
    fi
  done
  [[ "$(s load -i "$URL/nope.tar" 2>&1)" == *"the server answered 404 Not Found"* ]]
  for what in http://nosuchhost.invalid/a.tar http://127.0.0.1:1/a.tar; do
    run s load -i "$what"
    expect_failure 125 "Error: downloading $what: "
    if have_podman; then
      run p load -i "$what"
      expect_failure 125 "Error: downloading $what: "
    fi
  done
  run s load -i ftp://127.0.0.1/a.tar
  expect_failure 125 "Error: stat ftp://127.0.0.1/a.tar: no such file or directory"
  unchanged
}
