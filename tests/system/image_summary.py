#!/usr/bin/env python3
"""Prints what the build oracle compares of an image saved as a docker-dir (`save --format
docker-dir`, which keeps Healthcheck, OnBuild and Shell) or an OCI layout: the config fields a
Containerfile sets, the history entries without times (the intermediate image IDs in comments
and, unless STRICT_DIGESTS is set, buildah's content digests in COPY/ADD lines replaced by
placeholders), and every layer's members with type, permission bits, owner, size and content
digest (without mtimes)."""
import hashlib
import json
import os
import re
import sys
import tarfile

CONFIG_FIELDS = ["Env", "Cmd", "Entrypoint", "WorkingDir", "User", "Labels", "ExposedPorts",
                 "Volumes", "StopSignal", "Healthcheck", "OnBuild", "Shell"]
TYPES = {tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.DIRTYPE: "dir",
         tarfile.SYMTYPE: "symlink", tarfile.LNKTYPE: "hardlink", tarfile.CHRTYPE: "char",
         tarfile.BLKTYPE: "block", tarfile.FIFOTYPE: "fifo"}


def blob(layout, digest):
    if os.path.exists(f"{layout}/index.json"):
        return f"{layout}/blobs/{digest.replace(':', '/', 1)}"
    return f"{layout}/{digest.split(':', 1)[1]}"


def normalize(text):
    text = re.sub(r"^FROM [0-9a-f]{12}$", "FROM <intermediate>", text)
    if not os.environ.get("STRICT_DIGESTS"):
        text = re.sub(r"\b(file|dir|multi):[0-9a-f]{64}\b", r"\1:<digest>", text)
    return text


def main(layout):
    if os.path.exists(f"{layout}/index.json"):
        index = json.load(open(f"{layout}/index.json"))
        manifest = json.load(open(blob(layout, index["manifests"][0]["digest"])))
    else:
        manifest = json.load(open(f"{layout}/manifest.json"))
    config = json.load(open(blob(layout, manifest["config"]["digest"])))
    settings = config.get("config") or {}
    # Labels are compared whole, io.buildah.version (the identity label both builders set)
    # included.
    for field in CONFIG_FIELDS:
        # Absent, null and empty mean the same to every runtime.
        value = settings.get(field) or None
        print(f"config.{field}: {json.dumps(value, sort_keys=True)}")
    for i, h in enumerate(config.get("history", [])):
        print(f"history[{i}]: empty_layer={bool(h.get('empty_layer'))} "
              f"created_by={normalize(h.get('created_by', ''))!r} "
              f"comment={normalize(h.get('comment', ''))!r}")
    for i, layer in enumerate(manifest["layers"]):
        print(f"layer[{i}]:")
        with tarfile.open(blob(layout, layer["digest"]), "r:*") as tar:
            members = []
            for m in tar:
                path = m.name[2:] if m.name.startswith("./") else m.name
                path = path.rstrip("/")
                if not path or path == ".":
                    continue
                what = TYPES.get(m.type, repr(m.type))
                extra = ""
                if m.isfile():
                    extra = hashlib.sha256(tar.extractfile(m).read()).hexdigest()[:16]
                elif m.issym() or m.islnk():
                    extra = "-> " + m.linkname.removeprefix("./")
                members.append(f"  {path} {what} {m.mode & 0o7777:04o} {m.uid}:{m.gid} {m.size} {extra}")
            print("\n".join(sorted(members)))


if __name__ == "__main__":
    main(sys.argv[1])
