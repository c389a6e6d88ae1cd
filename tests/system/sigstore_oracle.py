#!/usr/bin/python3
"""A second, independent implementation of sigstore signing for the system tests.

Debian's skopeo and podman are built with sigstore disabled ("Debian-local change: sigstore
disabled"), so they cannot sign or verify. This script stands in for them: it follows
containers/image's and go-tuf's formats with other crypto libraries (PyNaCl for secretbox,
hashlib for scrypt, python3-cryptography for keys and ECDSA) and talks to the registry over
plain HTTP. Run it with Debian's /usr/bin/python3 (the python3-nacl package).

  genkey PREFIX PASSFILE [PEMTYPE]        PREFIX.private (go-tuf encrypted) and PREFIX.pub
  sign KEY PASSFILE REGISTRY REPO DIGEST IDENTITY [CLAIMED_DIGEST]
                                          attach a signature of DIGEST as IDENTITY (the payload
                                          may claim another digest, for negative tests)
  verify PUB REGISTRY REPO DIGEST IDENTITY
                                          verify every signature attached to DIGEST
  check-key KEY PASSFILE PUB              the private key decrypts and PUB is its public key
"""

import base64
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.request

import nacl.secret
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json"
ANNOTATION = "dev.cosignproject.cosign/signature"


def first_line(path):
    with open(path, "rb") as f:
        return f.read().split(b"\n", 1)[0]


def scrypt_key(passphrase, salt):
    return hashlib.scrypt(passphrase, salt=salt, n=32768, r=8, p=1, maxmem=64 << 20, dklen=32)


def pem(kind, body):
    text = base64.b64encode(body).decode()
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (kind, "\n".join(lines), kind)


def genkey(prefix, passfile, pemtype="ENCRYPTED SIGSTORE PRIVATE KEY"):
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    salt = os.urandom(32)
    box = nacl.secret.SecretBox(scrypt_key(first_line(passfile), salt))
    sealed = box.encrypt(der)  # nonce (24 bytes) + MAC + ciphertext
    doc = {"kdf": {"name": "scrypt", "params": {"N": 32768, "r": 8, "p": 1},
                   "salt": base64.b64encode(salt).decode()},
           "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(sealed.nonce).decode()},
           "ciphertext": base64.b64encode(sealed.ciphertext).decode()}
    with open(prefix + ".private", "w") as f:
        f.write(pem(pemtype, json.dumps(doc, separators=(",", ":")).encode()))
    with open(prefix + ".pub", "wb") as f:
        f.write(key.public_key().public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo))


def load_private(path, passfile):
    lines = open(path).read().strip().splitlines()
    kind = lines[0][len("-----BEGIN "):-len("-----")]
    assert kind in ("ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY"), kind
    doc = json.loads(base64.b64decode("".join(lines[1:-1])))
    assert doc["kdf"]["name"] == "scrypt" and doc["cipher"]["name"] == "nacl/secretbox"
    assert doc["kdf"]["params"] == {"N": 32768, "r": 8, "p": 1}, doc["kdf"]["params"]
    key = scrypt_key(first_line(passfile), base64.b64decode(doc["kdf"]["salt"]))
    der = nacl.secret.SecretBox(key).decrypt(base64.b64decode(doc["ciphertext"]),
                                             base64.b64decode(doc["cipher"]["nonce"]))
    return serialization.load_der_private_key(der, password=None)


def request(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    return urllib.request.urlopen(req, timeout=10)


def push_blob(registry, repo, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    location = request("POST", "http://%s/v2/%s/blobs/uploads/" % (registry, repo)).headers[
        "Location"]
    if location.startswith("/"):
        location = "http://%s%s" % (registry, location)
    request("PUT", location + ("&" if "?" in location else "?") + "digest=" + digest, data,
            {"Content-Type": "application/octet-stream"})
    return {"mediaType": "", "digest": digest, "size": len(data)}


def get(registry, repo, what, accept=None):
    url = "http://%s/v2/%s/%s" % (registry, repo, what)
    return request("GET", url, headers={"Accept": accept} if accept else {})


def sign(keyfile, passfile, registry, repo, digest, identity, claimed=None):
    key = load_private(keyfile, passfile)
    payload = json.dumps({"critical": {"identity": {"docker-reference": identity},
                                       "image": {"docker-manifest-digest": claimed or digest},
                                       "type": "cosign container image signature"},
                          "optional": {"creator": "oracle", "timestamp": int(time.time())}},
                         separators=(",", ":"), sort_keys=True).encode()
    signature = base64.b64encode(key.sign(payload, ec.ECDSA(hashes.SHA256()))).decode()
    layer = push_blob(registry, repo, payload)
    layer["mediaType"] = LAYER_TYPE
    layer["annotations"] = {ANNOTATION: signature}
    config_bytes = json.dumps({"architecture": "", "os": "", "config": {},
                               "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]}},
                              separators=(",", ":")).encode()
    config = push_blob(registry, repo, config_bytes)
    config["mediaType"] = OCI_CONFIG
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config,
                           "layers": [layer]}).encode()
    tag = digest.replace(":", "-") + ".sig"
    request("PUT", "http://%s/v2/%s/manifests/%s" % (registry, repo, tag), manifest,
            {"Content-Type": OCI_MANIFEST})


def verify(pubfile, registry, repo, digest, identity):
    public = serialization.load_pem_public_key(open(pubfile, "rb").read())
    tag = digest.replace(":", "-") + ".sig"
    response = get(registry, repo, "manifests/" + tag, OCI_MANIFEST)
    content_type = response.headers["Content-Type"]
    assert content_type == OCI_MANIFEST, content_type
    manifest = json.loads(response.read())
    config = get(registry, repo, "blobs/" + manifest["config"]["digest"]).read()
    diff_ids = json.loads(config)["rootfs"]["diff_ids"]
    verified = 0
    for layer in manifest["layers"]:
        assert layer["mediaType"] == LAYER_TYPE, layer
        assert layer["digest"] in diff_ids, (layer["digest"], diff_ids)
        payload = get(registry, repo, "blobs/" + layer["digest"]).read()
        assert "sha256:" + hashlib.sha256(payload).hexdigest() == layer["digest"]
        signature = base64.b64decode(layer["annotations"][ANNOTATION], validate=True)
        public.verify(signature, payload, ec.ECDSA(hashes.SHA256()))
        claims = json.loads(payload)
        assert set(claims) == {"critical", "optional"}, claims
        critical = claims["critical"]
        assert critical["type"] == "cosign container image signature", critical
        assert critical["image"] == {"docker-manifest-digest": digest}, critical
        assert critical["identity"] == {"docker-reference": identity}, critical
        verified += 1
    assert verified > 0
    print("verified %d signature(s)" % verified)


def check_key(keyfile, passfile, pubfile):
    key = load_private(keyfile, passfile)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    assert public == open(pubfile, "rb").read(), "the public key is not the private key's"
    print("key ok")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"genkey": genkey, "sign": sign, "verify": verify, "check-key": check_key}[command](*args)
