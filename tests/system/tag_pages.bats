#!/usr/bin/env bats
# pull --all-tags reads the tag list page by page as the registry's Link headers say; a chain
# that never ends is cut off with a clear error, before anything is pulled.

load helpers

teardown() {
  [ -f "$WORK/server.pid" ] && kill "$(cat "$WORK/server.pid")" 2>/dev/null
  remove_work
}

@test "pull --all-tags stops an endless Link chain with a clear error; the store is unchanged" {
  # Every page names a new next page, so no URL repeats.
  cat >"$WORK/server.py" <<'PY'
import http.server, json, sys, urllib.parse

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/v2/":
            body, headers = b"{}", []
        elif url.path == "/v2/app/tags/list":
            page = int(urllib.parse.parse_qs(url.query).get("page", ["0"])[0])
            body = json.dumps({"name": "app", "tags": [f"t{page}"]}).encode()
            headers = [("Link", f'</v2/app/tags/list?page={page + 1}>; rel="next"')]
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1], "w") as f:
    f.write(f"127.0.0.1:{server.server_address[1]}")
server.serve_forever()
PY
  python3 "$WORK/server.py" "$WORK/addr.tmp" >/dev/null 2>&1 3>&- &
  echo $! >"$WORK/server.pid"
  for _ in $(seq 100); do
    [ -s "$WORK/addr.tmp" ] && break
    sleep 0.05
  done
  addr=$(cat "$WORK/addr.tmp")
  start=$SECONDS
  run timeout 120 "$SCHICHT" --root "$STORE" pull -q --all-tags --tls-verify=false "$addr/app"
  expect_failure 125 "fetching tags list of $addr/app: more than 1000 pages (the registry's Link chain does not end)"
  [ $((SECONDS - start)) -lt 60 ]
  [ -z "$(s images -q)" ]
}
