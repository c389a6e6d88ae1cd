#!/usr/bin/env bats
# Startup: libraries only some commands need are not linked (libcurl is loaded when a registry
# is contacted), and a libcurl that cannot be loaded is a clear error, not a crash. Speed itself
# is measured by bench/run, never asserted.

load helpers

@test "the binary links neither libcurl nor what libarchive.so would drag in" {
  command -v readelf >/dev/null || skip "readelf is not installed"
  run readelf -d "$SCHICHT"
  [ "$status" -eq 0 ]
  needed=$(grep NEEDED <<<"$output")
  for lib in libcurl libxml2 libicu libgssapi libldap libcpp-httplib libbrotli; do
    if grep -q "$lib" <<<"$needed"; then
      echo "$SCHICHT links $lib: $needed"
      return 1
    fi
  done
}

@test "commands that never talk to a registry do not load libcurl" {
  command -v strace >/dev/null || skip "strace is not installed"
  fixture --out "$WORK/a.tar" --format oci-archive --name a:1
  s load -i "$WORK/a.tar" >/dev/null
  # LeakSanitizer cannot run under ptrace; the ASan build checks leaks everywhere else.
  run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -e trace=openat "$SCHICHT" --root "$STORE" images
  [ "$status" -eq 0 ]
  [[ $output != *libcurl* ]]
}

@test "without a loadable libcurl, pull fails with a message naming it and the store unchanged" {
  # A private mount namespace hides libcurl from this one process tree.
  libcurl=$(ldconfig -p | awk '/libcurl\.so\.4 / {print $NF; exit}')
  [ -n "$libcurl" ] || skip "libcurl.so.4 is not installed"
  unshare -m true 2>/dev/null || skip "no mount namespaces here"
  fixture --out "$WORK/a.tar" --format oci-archive --name a:1
  s load -i "$WORK/a.tar" >/dev/null
  before=$(store_state)
  run unshare -m sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' sh "$libcurl" \
    "$SCHICHT" --root "$STORE" pull --tls-verify=false docker://127.0.0.1:1/a:1
  expect_failure 125 "cannot load libcurl.so.4" "install libcurl"
  [ "$(store_state)" = "$before" ]
}
