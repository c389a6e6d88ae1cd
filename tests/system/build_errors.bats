#!/usr/bin/env bats
# build failures: the build stops with podman 4.3's message naming the step (schicht adds the
# file and line), exits as podman does (a RUN's own status, else 1 when it could not start or
# was killed, 125 for everything else), and tags nothing.

load helpers
load build

setup() {
  make_work
  have_busybox || skip "needs $BUSYBOX (busybox-static)"
  have_build || skip "schicht has no build command yet"
  make_context
  make_base_tar
  s import "$WORK/base.tar" localhost/base >/dev/null
}

# Builds the Containerfile given as text, as localhost/err.
build_text() {
  printf '%s\n' "$1" > "$WORK/Containerfile"
  run s build -t localhost/err -f "$WORK/Containerfile" "$WORK/ctx"
}

nothing_tagged() {
  run s images --format '{{.Repository}}'
  [[ "$output" != *localhost/err* ]]
}

@test "a failing RUN stops the build with its exit status and names the step" {
  build_text $'FROM localhost/base\nRUN echo before && exit 3\nRUN echo never'
  expect_failure 3 'building at STEP "RUN echo before && exit 3": exit status 3' before \
    "Containerfile:2"
  [[ "$output" != *never* ]]
  nothing_tagged
}

@test "a RUN whose command does not exist exits 1 with podman's message" {
  build_text $'FROM localhost/base\nRUN ["/nosuch"]'
  expect_failure 1 'fork/exec /nosuch: no such file or directory' \
    'building at STEP "RUN /nosuch": exit status 1'
  build_text $'FROM localhost/base\nRUN ["nosuch"]'
  expect_failure 1 'exec: "nosuch": executable file not found in $PATH' \
    'building at STEP "RUN nosuch": exit status 1'
  nothing_tagged
}

@test "a RUN killed by a signal fails the build with exit status 1, as podman's does" {
  build_text $'FROM localhost/base\nRUN kill -TERM $$'
  expect_failure 1 'building at STEP "RUN kill -TERM $$": exit status 1'
  nothing_tagged
}

@test "a RUN as a user the image does not know fails before it starts" {
  build_text $'FROM localhost/base\nUSER nosuch\nRUN true'
  expect_failure 125 \
    'building at STEP "RUN true": determining run uid: user: unknown user error looking up user "nosuch"'
  nothing_tagged
}

@test "a missing COPY source names the source and the context" {
  build_text $'FROM localhost/base\nCOPY nosuch.txt /'
  expect_failure 125 'building at STEP "COPY nosuch.txt /"' nosuch.txt 'no such file or directory'
  nothing_tagged
}

@test "an unknown instruction is a syntax error naming it" {
  build_text $'FROM localhost/base\nFROBNICATE x'
  expect_failure 125 FROBNICATE
  # podman: Unknown instruction: "FROBNICATE" (followed by a Go struct dump)
  [[ "${output,,}" == *"unknown instruction"* ]]
  nothing_tagged
}

@test "COPY --from an unknown stage or image" {
  build_text $'FROM localhost/base\nCOPY --from=nosuch /x /'
  expect_failure 125 'COPY --from=nosuch: no stage or image found with that name'
  nothing_tagged
}

@test "ADD of an unreachable URL says what it could not reach" {
  build_text $'FROM localhost/base\nADD http://127.0.0.1:1/x /x'
  expect_failure 125 'building at STEP "ADD http://127.0.0.1:1/x /x"' 'http://127.0.0.1:1/x'
  nothing_tagged
}

# A scripted HTTP server on a free port of 127.0.0.1 ($URL): /flaky answers 503 once, then
# "fetched"; everything else is a 404. The port comes back through a fifo once it listens.
start_http_server() {
  mkfifo "$WORK/port"
  python3 -c '
import http.server
calls = {}
class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args): pass
    def do_GET(self):
        calls[self.path] = calls.get(self.path, 0) + 1
        if self.path == "/flaky" and calls[self.path] == 1:
            status, body = 503, b"busy"
        elif self.path == "/flaky":
            status, body = 200, b"fetched\n"
        else:
            status, body = 404, b"no"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_port, flush=True)
server.serve_forever()' >"$WORK/port" 2>/dev/null 3>&- &
  SERVER=$!
  read -r port <"$WORK/port"
  URL=http://127.0.0.1:$port
}

teardown() {
  [ -z "${SERVER:-}" ] || kill "$SERVER"
  remove_work
}

@test "ADD of a URL retries a server error, and a 404 fails naming the URL" {
  start_http_server
  build_text "FROM localhost/base
ADD $URL/flaky /fetched
RUN test \"\$(cat /fetched)\" = fetched"
  expect_success
  s rmi localhost/err >/dev/null
  build_text "FROM localhost/base
ADD $URL/nope /x"
  expect_failure 125 "building at STEP \"ADD $URL/nope /x\"" \
    "getting \"$URL/nope\": the server answered 404 Not Found"
  nothing_tagged
}

@test "COPY through a symlink loop or a link to a file fails naming the path" {
  build_text $'FROM localhost/base\nRUN ln -s loop2 /loop1 && ln -s loop1 /loop2\nCOPY a.txt /loop1/x'
  expect_failure 125 'building at STEP "COPY a.txt /loop1/x"' \
    'resolving "/loop1": too many levels of symbolic links'
  nothing_tagged
  build_text $'FROM localhost/base\nRUN echo x > /file && ln -s /file /f\nCOPY a.txt /f/x'
  expect_failure 125 'building at STEP "COPY a.txt /f/x"' '"/file" is not a directory'
  nothing_tagged
}

@test "COPY --chown of a name only on a malformed passwd or group line fails as podman's lookup does" {
  # An image whose passwd and group hold malformed lines (a non-numeric id, too few fields).
  mkdir -p "$WORK/bad/etc"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'baduid:x:12x:1::/:/bin/sh' 'badgid:x:5:zz::/:/bin/sh' \
    'short:x' 'six:x:3:4::/' 'good:x:7:8::/:/bin/sh' > "$WORK/bad/etc/passwd"
  printf '%s\n' 'root:x:0:' 'badgroup:x:zz:' 'three:x:3' 'goodgroup:x:9:' > "$WORK/bad/etc/group"
  tar -C "$WORK/bad" -cf "$WORK/bad.tar" .
  s import "$WORK/bad.tar" localhost/badpasswd >/dev/null
  BEFORE=$(store_state)
  local name
  for name in baduid badgid short six; do
    build_text "FROM localhost/badpasswd
COPY --chown=$name a.txt /"
    expect_failure 125 "building at STEP \"COPY --chown=$name a.txt /\": looking up UID/GID for \"$name\": determining run uid: user: unknown user error looking up user \"$name\"" \
      'Containerfile:2'
    unchanged
  done
  for name in badgroup three; do
    build_text "FROM localhost/badpasswd
COPY --chown=root:$name a.txt /"
    expect_failure 125 "looking up UID/GID for \"root:$name\": determining run gid: group: unknown group error looking up group \"$name\""
    unchanged
  done
  nothing_tagged
  # Names after the malformed lines are still found (podman 4.3 stops at the first malformed
  # line; later buildah skips it, as here).
  build_text $'FROM localhost/badpasswd\nCOPY --chown=good:goodgroup a.txt /'
  expect_success
  s save --format docker-dir -o "$WORK/out" localhost/err >/dev/null
  python3 "$BATS_TEST_DIRNAME/image_summary.py" "$WORK/out" | grep -q '^  a.txt file 0644 7:9 '
}

@test "a WORKDIR through a file or a symlink loop fails at the WORKDIR step, as podman's does" {
  # podman: 'building at STEP "WORKDIR /bin/busybox/x": copier: mkdir: error checking directory
  # "/bin/busybox/x": mkdir /bin/busybox/x: not a directory' and '... error resolving "/l1/x":
  # open /l1/x: too many levels of symbolic links'. Here the directory is made when the next
  # RUN, COPY or ADD needs it, and its failure names the WORKDIR.
  build_text $'FROM localhost/base\nWORKDIR /bin/busybox/x\nRUN true'
  expect_failure 125 'building at STEP "WORKDIR /bin/busybox/x"' \
    'creating working directory "/bin/busybox/x": "/bin/busybox" is not a directory' \
    'Containerfile:2'
  build_text $'FROM localhost/base\nRUN ln -s /l2 /l1 && ln -s /l1 /l2\nWORKDIR /l1/x\nENV A=b\nCOPY a.txt .'
  expect_failure 125 'building at STEP "WORKDIR /l1/x"' 'Containerfile:3' \
    'creating working directory "/l1/x": resolving' 'too many levels of symbolic links'
  # A working directory of the base image names the step that needs it.
  s import -c 'WORKDIR /bin/busybox/y' "$WORK/base.tar" localhost/badwd >/dev/null
  build_text $'FROM localhost/badwd\nRUN true'
  expect_failure 125 'building at STEP "RUN true"' 'Containerfile:2' \
    'creating working directory "/bin/busybox/y": "/bin/busybox" is not a directory'
  nothing_tagged
}

@test "numbers too large for their field fail naming the input, not a library's exception" {
  build_text $'FROM localhost/base\nCOPY --from=99999999999999999999999999 /x /'
  expect_failure 125 'COPY --from=99999999999999999999999999: no stage or image found with that name'
  [[ "$output" != *"internal error"* ]]
  # HEALTHCHECK is kept only in the docker format.
  printf '%s\n' 'FROM localhost/base' 'HEALTHCHECK --interval=. CMD true' >"$WORK/Containerfile"
  run s build --format docker -t localhost/err -f "$WORK/Containerfile" "$WORK/ctx"
  expect_failure 125 'invalid duration "." for --interval'
  printf '%s\n' 'FROM localhost/base' 'HEALTHCHECK --timeout=99999999999999999999h CMD true' \
    >"$WORK/Containerfile"
  run s build --format docker -t localhost/err -f "$WORK/Containerfile" "$WORK/ctx"
  expect_failure 125 'invalid duration "99999999999999999999h" for --timeout'
  [[ "$output" != *"internal error"* ]]
  nothing_tagged
}
