#!/usr/bin/env bats
# Installation and packaging: `cmake --install` into a DESTDIR puts the binary, the man pages
# and the completions in place; `cpack -G DEB` makes a package that lists them, depends on the
# shared libraries the binary links, and would install on this system.

load helpers

setup() {
  make_work
  BUILD=$(cd "$(dirname "$SCHICHT")" && pwd)
  [ -f "$BUILD/cmake_install.cmake" ] || skip "$BUILD is not a CMake build directory"
}

installed_files=(
  usr/bin/schicht
  usr/share/man/man1/schicht.1
  usr/share/man/man1/schicht-images.1
  usr/share/man/man1/schicht-image-tree.1
  usr/share/man/man1/schicht-manifest-create.1
  usr/share/man/man1/schicht-image-ls.1
  usr/share/bash-completion/completions/schicht
  usr/share/zsh/site-functions/_schicht
  usr/share/fish/vendor_completions.d/schicht.fish
)

@test "cmake --install puts the binary, man pages and completions in place" {
  command -v go-md2man >/dev/null || skip "go-md2man not installed: no man pages"
  run env DESTDIR="$WORK/dest" cmake --install "$BUILD" --prefix /usr
  expect_success
  for f in "${installed_files[@]}"; do
    [ -f "$WORK/dest/$f" ] || { echo "not installed: $f"; return 1; }
  done
  run "$WORK/dest/usr/bin/schicht" version
  expect_success
  # The completions are the binary's own.
  diff "$WORK/dest/usr/share/bash-completion/completions/schicht" <("$SCHICHT" completion bash)
  # One page for each command and alias.
  [ "$(ls "$WORK/dest/usr/share/man/man1" | wc -l)" -ge "$("$SCHICHT" __commands | wc -l)" ]
}

@test "cpack -G DEB: a package with the files, Depends from the linked libraries" {
  command -v go-md2man >/dev/null || skip "go-md2man not installed: no man pages"
  command -v dpkg-shlibdeps >/dev/null || skip "dpkg-dev not installed"
  cd "$BUILD"
  run cpack -G DEB -B "$WORK/pkg"
  expect_success
  deb=$(ls "$WORK"/pkg/schicht_*.deb)
  run dpkg-deb -c "$deb"
  expect_success
  for f in "${installed_files[@]}"; do
    [[ "$output" == *"./$f"* ]] || { echo "not in the package: $f"; return 1; }
  done
  run dpkg-deb -f "$deb" Package Depends
  expect_success
  # libcurl is dlopen()ed, so it is named explicitly; the packages of the libraries the binary
  # links dynamically (most are static) come from dpkg-shlibdeps.
  [[ "$output" == *libcurl4* ]] || { echo "Depends lacks libcurl4: $output"; return 1; }
  local so path pkg
  for so in $(readelf -d schicht | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
    path=$(ldd schicht | awk -v so="$so" '$1 == so && $3 ~ /^\// {print $3}')
    [ -n "$path" ] || continue
    # dpkg knows a library under /lib or /usr/lib (merged /usr), whichever it shipped.
    pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "${path#/usr}" 2>/dev/null ||
      dpkg -S "/usr$path" 2>/dev/null) || continue
    pkg=${pkg%%:*}
    [[ "$output" == *"$pkg"* ]] || { echo "Depends lacks $pkg ($path): $output"; return 1; }
  done
  # Unpacked, the stripped binary runs; dpkg finds every dependency satisfied here.
  dpkg-deb -x "$deb" "$WORK/root"
  run "$WORK/root/usr/bin/schicht" --root "$WORK/store" images
  expect_success
  run dpkg --dry-run -i "$deb"
  expect_success
}
