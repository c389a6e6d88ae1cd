#!/usr/bin/env python3
"""Layer tars for the image sbom tests, and the root filesystem they make.

Usage: sbom_fixture.py KIND DIR
Writes DIR/layer-N.tar (bottom first) for KIND and DIR/rootfs, those layers applied in order
(whiteouts and opaque directories as overlayfs reads them), for dpkg-query to read.

KIND:
  deb        the status file of this machine (a real Debian one) in layer 1; layer 2 whites it
             out (and adds a BerkeleyDB rpm database, which is named and not read); layer 3 writes it
             again with one package upgraded and one removed; os-release behind a symlink
  distroless one status file a package in /var/lib/dpkg/status.d (and their .md5sums)
  apk        an Alpine installed database with /lib a symlink to usr/lib (/usr merged)
  rpm        an rpm sqlite database in WAL mode (rpm >= 4.16), /var/lib/rpm a symlink to
             /usr/lib/sysimage/rpm as on Fedora
  corrupt    a status file with a line that is no field
"""
import io
import os
import shutil
import sqlite3
import struct
import sys
import tarfile
import tempfile

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


def rpm_header(tags):
    """An rpm header blob: (tag, value) pairs; the epoch (1003) an int32, strings else."""
    index, data = b"", b""
    for tag, value in tags:
        if tag == 1003:
            index += struct.pack(">IIII", tag, 4, len(data), 1)
            data += struct.pack(">I", value)
        else:
            index += struct.pack(">IIII", tag, 6, len(data), 1)
            data += value.encode() + b"\0"
    return struct.pack(">II", len(tags), len(data)) + index + data


RPM_PACKAGES = [  # name, epoch, version, release, arch, license, source rpm
    ("bash", None, "5.2.15", "5.fc39", "x86_64", "GPL-3.0-or-later", "bash-5.2.15-5.fc39.src.rpm"),
    ("gpg-pubkey", None, "18b8e74c", "62f2920f", None, None, None),
    ("openssl-libs", 1, "3.1.1", "4.fc39", "x86_64", "Apache-2.0", "openssl-3.1.1-4.fc39.src.rpm"),
    ("tzdata", None, "2024a", "1.fc39", "noarch", "Public Domain", "tzdata-2024a-1.fc39.src.rpm"),
]


def rpm_database():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "rpmdb.sqlite")
        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
        for name, epoch, version, release, arch, lic, srpm in RPM_PACKAGES:
            tags = [(1000, name), (1001, version), (1002, release)]
            if epoch is not None:
                tags.append((1003, epoch))
            for tag, value in ((1014, lic), (1022, arch), (1044, srpm)):
                if value is not None:
                    tags.append((tag, value))
            db.execute("INSERT INTO Packages (blob) VALUES (?)", (rpm_header(tags),))
        db.commit()
        db.close()
        return open(path, "rb").read()


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
                       ("var/lib/rpm/Packages", "file", "\0\0\0\0\x61\x15\x06\x00")])
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
    elif kind == "rpm":
        layers.append([("etc/os-release", "file", 'NAME="Fedora Linux"\nVERSION_ID=39\nID=fedora\n'),
                       ("usr/lib/sysimage/rpm/rpmdb.sqlite", "file", rpm_database()),
                       ("usr/lib/sysimage/rpm/rpmdb.sqlite-wal", "file", b""),
                       ("var/lib/rpm", "symlink", "../../usr/lib/sysimage/rpm")])
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
