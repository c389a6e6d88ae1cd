# The image full of whiteouts that storage_driver.bats and fuse_overlay.bats mount, and the
# listing that compares trees. Loaded after helpers.

# An image whose three layers remove, hide and replace what the ones below hold.
load_whiteouts() {
  python3 - "$WORK" <<'PY'
import io, sys, tarfile
work = sys.argv[1]
def layer(name, entries):
    with tarfile.open(f"{work}/{name}", "w", format=tarfile.PAX_FORMAT) as t:
        for path, kind, arg in entries:
            info = tarfile.TarInfo(path)
            info.mtime = 1700000000
            data = None
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, arg
            elif kind == "file":
                data = arg.encode()
                info.size, info.mode = len(data), 0o644
            elif kind == "link":
                info.type, info.linkname = tarfile.LNKTYPE, arg
            elif kind == "sym":
                info.type, info.linkname = tarfile.SYMTYPE, arg
            t.addfile(info, io.BytesIO(data) if data is not None else None)
layer("l1.tar", [("etc", "dir", 0o755), ("etc/a", "file", "a"), ("etc/b", "file", "b"),
                 ("opt", "dir", 0o750), ("opt/x", "file", "x"), ("opt/sub", "dir", 0o755),
                 ("opt/sub/y", "file", "y"), ("f2d", "file", "file"), ("d2f", "dir", 0o755),
                 ("d2f/in", "file", "in"), ("h1", "file", "shared"), ("h2", "link", "h1"),
                 ("s", "sym", "etc/a"), ("keep", "dir", 0o755), ("keep/k", "file", "k")])
layer("l2.tar", [("etc", "dir", 0o755), ("etc/.wh.a", "file", ""), ("opt", "dir", 0o700),
                 ("opt/.wh..wh..opq", "file", ""), ("opt/new", "file", "new"),
                 ("f2d", "dir", 0o755), ("f2d/in", "file", "in"), ("d2f", "file", "now a file"),
                 (".wh.keep", "file", ""), ("h1", "file", "changed")])
layer("l3.tar", [(".wh.f2d", "file", ""), ("f2d", "dir", 0o755), ("f2d/again", "file", "again"),
                 ("keep", "dir", 0o755), ("keep/z", "file", "z"), (".wh.s", "file", "")])
PY
  fixture --out "$WORK/w.tar" --format docker-archive --name wh:1 \
    --layer-tar "$WORK/l1.tar" --layer-tar "$WORK/l2.tar" --layer-tar "$WORK/l3.tar"
  s load -i "$WORK/w.tar" >/dev/null
}

# A tree as text: every path with its type, mode, owner, link target and the digest of its
# content; with "links", the link count of files too (overlayfs shows a lower file's count,
# which a hardlinked twin replaced above still adds to, and 1 for every merged directory).
listing() {
  local links=
  [ "${2:-}" = links ] && links='%n'
  (cd "$1" && find . -mindepth 1 \( -type d -printf '%P %y %m %U:%G %l ' \) -o \
    \( -printf "%P %y %m %U:%G $links %l " \) -exec sh -c \
    'if [ -f "$1" ] && [ ! -L "$1" ]; then md5sum <"$1" | cut -c1-32; else echo; fi' _ {} \; |
    sort)
}
