#!/usr/bin/python3
"""Keyless sigstore signatures the cosign way, for the system tests (cosign is not packaged).

A throwaway Fulcio CA and Rekor log live in DIR; signatures are made with a fresh key certified
by the CA for signer@example.com by https://issuer.example.com, and logged (a signed entry
timestamp over a hashedrekord or dsse entry). Built on python3-cryptography, independently of
schicht's OpenSSL code.

  init DIR                                       DIR/ca.pem, DIR/rekor.pub (and their keys)
  sign-sig DIR REGISTRY REPO DIGEST IDENTITY [TAMPER]
                                                 a `.sig` attachment layer with the
                                                 dev.sigstore.cosign/certificate and
                                                 dev.sigstore.cosign/bundle annotations
  attach-bundle DIR REGISTRY REPO DIGEST KIND [TAMPER]
                                                 a Sigstore bundle v0.3 (KIND message or dsse)
                                                 pushed as a referrer of DIGEST, listed in the
                                                 sha256-<hex> fallback tag's index

TAMPER is one of payload, certificate (another CA issued it), identity (another email), issuer
(another OIDC issuer) or timestamp (integratedTime altered after the log signed).
"""

import base64
import datetime
import hashlib
import json
import os
import sys
import urllib.error

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sigstore_oracle import (ANNOTATION, LAYER_TYPE, OCI_CONFIG, OCI_MANIFEST, get,  # noqa: E402
                             push_blob, request)

EMAIL = "signer@example.com"
ISSUER = "https://issuer.example.com"
BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
EMPTY_TYPE = "application/vnd.oci.empty.v1+json"


def b64(data):
    return base64.b64encode(data).decode()


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def save_key(path, key):
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))


def load_key(path):
    return serialization.load_pem_private_key(open(path, "rb").read(), password=None)


def public_pem(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def utf8_der(text):
    data = text.encode()
    assert len(data) < 128
    return bytes([0x0C, len(data)]) + data


def make_ca(key, name):
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))


def init(directory):
    os.makedirs(directory, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    save_key(os.path.join(directory, "ca.key"), ca_key)
    with open(os.path.join(directory, "ca.pem"), "wb") as f:
        f.write(make_ca(ca_key, "test fulcio").public_bytes(serialization.Encoding.PEM))
    rekor = ec.generate_private_key(ec.SECP256R1())
    save_key(os.path.join(directory, "rekor.key"), rekor)
    with open(os.path.join(directory, "rekor.pub"), "wb") as f:
        f.write(public_pem(rekor))


def leaf(directory, key, tamper):
    ca_key = load_key(os.path.join(directory, "ca.key"))
    ca = x509.load_pem_x509_certificate(open(os.path.join(directory, "ca.pem"), "rb").read())
    if tamper == "certificate":
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = make_ca(ca_key, "test fulcio")
    email = "mallory@example.com" if tamper == "identity" else EMAIL
    issuer = "https://evil.example.com" if tamper == "issuer" else ISSUER
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(x509.Name([]))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(minutes=9))
            .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]),
                           critical=False)
            .add_extension(x509.UnrecognizedExtension(
                x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.8"), utf8_der(issuer)), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def log_entry(directory, body, tamper):
    """The entry's members and its SET, signed by the log as of now."""
    rekor = load_key(os.path.join(directory, "rekor.key"))
    der = rekor.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    entry = {"body": b64(body), "integratedTime": int(datetime.datetime.now().timestamp()),
             "logID": sha256_hex(der), "logIndex": 7}
    canonical = json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()
    entry_set = rekor.sign(canonical, ec.ECDSA(hashes.SHA256()))
    if tamper == "timestamp":
        entry["integratedTime"] -= 30
    return entry, entry_set


def hashedrekord(signature, verifier_pem, hex_digest):
    return json.dumps({"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
        "data": {"hash": {"algorithm": "sha256", "value": hex_digest}},
        "signature": {"content": b64(signature), "publicKey": {"content": b64(verifier_pem)}}}},
        sort_keys=True, separators=(",", ":")).encode()


def sign_sig(directory, registry, repo, digest, identity, tamper=""):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = leaf(directory, key, tamper)
    payload = json.dumps({"critical": {"identity": {"docker-reference": identity},
                                       "image": {"docker-manifest-digest": digest},
                                       "type": "cosign container image signature"},
                          "optional": None}, separators=(",", ":"), sort_keys=True).encode()
    signature = key.sign(payload, ec.ECDSA(hashes.SHA256()))
    entry, entry_set = log_entry(directory, hashedrekord(signature, cert, sha256_hex(payload)),
                                 tamper)
    if tamper == "payload":
        payload = payload.replace(b"cosign container", b"cosign Container")
    layer = push_blob(registry, repo, payload)
    layer["mediaType"] = LAYER_TYPE
    layer["annotations"] = {
        ANNOTATION: b64(signature),
        "dev.sigstore.cosign/certificate": cert.decode(),
        "dev.sigstore.cosign/chain": open(os.path.join(directory, "ca.pem")).read(),
        "dev.sigstore.cosign/bundle": json.dumps({"SignedEntryTimestamp": b64(entry_set),
                                                  "Payload": entry}),
    }
    config = push_blob(registry, repo, json.dumps(
        {"architecture": "", "os": "", "config": {},
         "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]}}).encode())
    config["mediaType"] = OCI_CONFIG
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config,
                           "layers": [layer]}).encode()
    tag = digest.replace(":", "-") + ".sig"
    request("PUT", "http://%s/v2/%s/manifests/%s" % (registry, repo, tag), manifest,
            {"Content-Type": OCI_MANIFEST})


def attach_bundle(directory, registry, repo, digest, kind, tamper=""):
    key = ec.generate_private_key(ec.SECP256R1())
    cert_pem = leaf(directory, key, tamper)
    cert_der = x509.load_pem_x509_certificate(cert_pem).public_bytes(serialization.Encoding.DER)
    hex_digest = digest.split(":", 1)[1]
    if kind == "message":
        raw = bytes.fromhex(hex_digest)
        signature = key.sign(raw, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
        body = hashedrekord(signature, cert_pem, hex_digest)
        if tamper == "payload":
            raw = bytes.fromhex(sha256_hex(b"another manifest"))
        content = {"messageSignature": {
            "messageDigest": {"algorithm": "SHA2_256", "digest": b64(raw)},
            "signature": b64(signature)}}
    else:
        statement = json.dumps({"_type": "https://in-toto.io/Statement/v1",
                                "subject": [{"name": "%s/%s" % (registry, repo),
                                             "digest": {"sha256": hex_digest}}],
                                "predicateType": "https://example.com/test",
                                "predicate": {}}).encode()
        payload_type = "application/vnd.in-toto+json"
        pae = b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type.encode(), len(statement),
                                        statement)
        signature = key.sign(pae, ec.ECDSA(hashes.SHA256()))
        body = json.dumps({"apiVersion": "0.0.1", "kind": "dsse", "spec": {
            "payloadHash": {"algorithm": "sha256", "value": sha256_hex(statement)},
            "signatures": [{"signature": b64(signature), "verifier": b64(cert_pem)}]}},
            sort_keys=True, separators=(",", ":")).encode()
        if tamper == "payload":
            statement = statement.replace(b"example.com/test", b"example.com/Test")
        content = {"dsseEnvelope": {"payload": b64(statement), "payloadType": payload_type,
                                    "signatures": [{"sig": b64(signature), "keyid": ""}]}}
    entry, entry_set = log_entry(directory, body, tamper)
    bundle = {"mediaType": BUNDLE_TYPE, "verificationMaterial": {
        "certificate": {"rawBytes": b64(cert_der)},
        "tlogEntries": [{
            "logIndex": str(entry["logIndex"]),
            "logId": {"keyId": b64(bytes.fromhex(entry["logID"]))},
            "kindVersion": {"kind": "hashedrekord" if kind == "message" else "dsse",
                            "version": "0.0.1"},
            "integratedTime": str(entry["integratedTime"]),
            "inclusionPromise": {"signedEntryTimestamp": b64(entry_set)},
            "canonicalizedBody": entry["body"]}]}}
    bundle.update(content)
    layer = push_blob(registry, repo, json.dumps(bundle).encode())
    layer["mediaType"] = BUNDLE_TYPE
    config = push_blob(registry, repo, b"{}")
    config["mediaType"] = EMPTY_TYPE
    subject_size = len(get(registry, repo, "manifests/" + digest, OCI_MANIFEST).read())
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "artifactType": BUNDLE_TYPE, "config": config, "layers": [layer],
                           "subject": {"mediaType": OCI_MANIFEST, "digest": digest,
                                       "size": subject_size}}).encode()
    manifest_digest = "sha256:" + sha256_hex(manifest)
    request("PUT", "http://%s/v2/%s/manifests/%s" % (registry, repo, manifest_digest), manifest,
            {"Content-Type": OCI_MANIFEST})
    # The referrers tag scheme: the index under sha256-<hex> lists every referrer.
    tag = digest.replace(":", "-")
    try:
        index = json.loads(get(registry, repo, "manifests/" + tag, OCI_INDEX).read())
    except urllib.error.HTTPError:
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}
    index["manifests"].append({"mediaType": OCI_MANIFEST, "digest": manifest_digest,
                               "size": len(manifest), "artifactType": BUNDLE_TYPE})
    request("PUT", "http://%s/v2/%s/manifests/%s" % (registry, repo, tag),
            json.dumps(index).encode(), {"Content-Type": OCI_INDEX})


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"init": init, "sign-sig": sign_sig, "attach-bundle": attach_bundle}[command](*args)
