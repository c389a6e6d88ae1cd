#!/usr/bin/env python3
"""Layer tars for the image sbom tests, and the root filesystem they make.

Usage: sbom_fixture.py KIND DIR
Writes DIR/layer-N.tar (bottom first) for KIND and DIR/rootfs, those layers applied in order
(whiteouts and opaque directories as overlayfs reads them), for dpkg-query to read.

KIND:
  deb        the status file of this machine (a real Debian one) in layer 1; layer 2 whites it
             out (and adds an rpm database, which is named and not read); layer 3 writes it
             again with one package upgraded and one removed; os-release behind a symlink
  distroless one status file a package in /var/lib/dpkg/status.d (and their .md5sums)
  apk        an Alpine installed database with /lib a symlink to usr/lib (/usr merged)
  corrupt    a status file with a line that is no field
"""
import io
import os
import shutil
import sys
import tarfile

HOST_STATUS = "/var/lib/dpkg/status"
OS_RELEASE_DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'
OS_RELEASE_ALPINE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n'


def installed_paragraphs(text):
    out = []
    for p in text.split("\n\n"):
        if not p.strip():
            continue
        fields = dict(line.split(": ", 1) for line in p.splitlines() if ": " in line and not line.startswith(" "))
        if fields.get("Status", "").endswith(" installed") and "Package" in fields:
            out.append(p.strip("\n"))
    return out


def layer(path, entries):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, data in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 1700000000
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            elif kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = data
                tar.addfile(info)
            else:
                raw = data.encode() if isinstance(data, str) else data
                info.size = len(raw)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(raw))


def apply(rootfs, tar_path):
    with tarfile.open(tar_path) as tar:
        members = tar.getmembers()
        for m in members:  # whiteouts first: they hide lower layers only
            base = os.path.basename(m.name)
            parent = os.path.join(rootfs, os.path.dirname(m.name))
            if base == ".wh..wh..opq":
                for child in os.listdir(parent):
                    target = os.path.join(parent, child)
                    shutil.rmtree(target) if os.path.isdir(target) and not os.path.islink(target) else os.remove(target)
            elif base.startswith(".wh."):
                target = os.path.join(parent, base[4:])
                if os.path.isdir(target) and not os.path.islink(target):
                    shutil.rmtree(target)
                elif os.path.lexists(target):
                    os.remove(target)
        for m in members:
            if os.path.basename(m.name).startswith(".wh."):
                continue
            target = os.path.join(rootfs, m.name)
            if os.path.lexists(target) and not m.isdir():
                os.remove(target)
            tar.extract(m, rootfs)


def main():
    kind, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    layers = []
    if kind == "deb":
        status = open(HOST_STATUS).read()
        paragraphs = installed_paragraphs(status)
        # Upgrade the first package, remove the second.
        upgraded = paragraphs[0].replace("\nVersion: ", "\nVersion: 99:", 1)
        changed = "\n\n".join([upgraded] + paragraphs[2:]) + "\n"
        layers.append([("usr/lib/os-release", "file", OS_RELEASE_DEBIAN),
                       ("etc/os-release", "symlink", "../usr/lib/os-release"),
                       ("var/lib/dpkg/status", "file", status)])
        layers.append([("var/lib/dpkg/.wh.status", "file", ""),
                       ("var/lib/rpm/rpmdb.sqlite", "file", "SQLite format 3\0")])
        layers.append([("var/lib/dpkg/status", "file", changed)])
    elif kind == "distroless":
        entries = [("etc/os-release", "file", OS_RELEASE_DEBIAN)]
        for name, version in [("base-files", "12.4+deb12u5"), ("libc6", "2.36-9+deb12u4"),
                              ("tzdata", "2024a-0+deb12u1")]:
            entries.append((f"var/lib/dpkg/status.d/{name}", "file",
                            f"Package: {name}\nVersion: {version}\nArchitecture: amd64\nMaintainer: x\n"))
            entries.append((f"var/lib/dpkg/status.d/{name}.md5sums", "file", "0 /x\n"))
        layers.append(entries)
    elif kind == "apk":
        installed = ("C:Q1x=\nP:musl\nV:1.2.4_git20230717-r4\nA:x86_64\nL:MIT\no:musl\nF:lib\nR:ld-musl-x86_64.so.1\n\n"
                     "C:Q1y=\nP:busybox\nV:1.36.1-r15\nA:x86_64\nL:GPL-2.0-only\no:busybox\n\n"
                     "C:Q1z=\nP:ssl_client\nV:1.36.1-r15\nA:x86_64\nL:GPL-2.0-only\no:busybox\n\n")
        layers.append([("lib", "symlink", "usr/lib"),
                       ("usr/lib/apk/db/installed", "file", installed),
                       ("etc/os-release", "file", OS_RELEASE_ALPINE)])
    elif kind == "corrupt":
        layers.append([("var/lib/dpkg/status", "file",
                        "Package: a\nStatus: install ok installed\nVersion: 1\n\nthis is not a field\n")])
    else:
        sys.exit(f"unknown kind {kind}")
    rootfs = os.path.join(out, "rootfs")
    os.makedirs(rootfs, exist_ok=True)
    for i, entries in enumerate(layers, 1):
        path = os.path.join(out, f"layer-{i}.tar")
        layer(path, entries)
        apply(rootfs, path)


if __name__ == "__main__":
    main()
