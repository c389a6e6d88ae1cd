#!/usr/bin/env bats
# image sbom: the packages of an image's package databases, read from its layers, as SPDX 2.3
# or CycloneDX 1.5 JSON; checked against dpkg-query run on the same root filesystem.

load helpers
load sbom
bats_require_minimum_version 1.5.0

@test "image sbom of a Debian image lists what dpkg-query lists on its root filesystem" {
  command -v dpkg-query >/dev/null || skip "dpkg-query is not installed"
  [ -f /var/lib/dpkg/status ] || skip "no dpkg status file on this machine"
  sbom_image deb sbom/deb:1
  run --separate-stderr s image sbom sbom/deb:1
  expect_success
  echo "$output" >"$WORK/spdx.json"
  [[ "$stderr" == *"sbom: package database read: /var/lib/dpkg/status"* ]]
  [[ "$stderr" == *"sbom: package database found but not read: /var/lib/rpm/Packages"* ]]
  # The top layer's status wins: one package upgraded (epoch 99), one gone.
  diff <(jq -r '.packages[1:][] | "\(.name) \(.versionInfo)"' "$WORK/spdx.json" | sort) \
    <(dpkg-query --admindir="$WORK/deb/rootfs/var/lib/dpkg" -W \
      -f '${db:Status-Status} ${Package} ${Version}\n' | awk '$1 == "installed" { print $2, $3 }' | sort)
  jq -e '[.packages[1:][] | select(.versionInfo | startswith("99:"))] | length == 1' "$WORK/spdx.json"

  # The required fields of SPDX 2.3.
  jq -e '.spdxVersion == "SPDX-2.3" and .dataLicense == "CC0-1.0" and .SPDXID == "SPDXRef-DOCUMENT"
         and .name == "localhost/sbom/deb:1" and (.documentNamespace | startswith("https://"))
         and (.creationInfo.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))
         and .creationInfo.creators == ["Tool: schicht-0.1.0"]' "$WORK/spdx.json"
  jq -e 'all(.packages[]; (.SPDXID | test("^SPDXRef-[A-Za-z0-9.-]+$")) and .name != ""
         and .downloadLocation == "NOASSERTION" and .filesAnalyzed == false
         and has("licenseConcluded") and has("licenseDeclared") and has("supplier"))' "$WORK/spdx.json"
  jq -e '[.packages[].SPDXID] | length == (unique | length)' "$WORK/spdx.json"
  jq -e 'all(.packages[1:][]; .externalRefs[0].referenceCategory == "PACKAGE-MANAGER"
         and (.externalRefs[0].referenceLocator | test("^pkg:deb/debian/[^@]+@[^?]+\\?arch=[a-z0-9]+&distro=debian-12")))' \
    "$WORK/spdx.json"
  # The document describes the image, by its manifest digest, which contains every package.
  digest=$(s images --no-trunc --format '{{.Digest}}' sbom/deb:1)
  jq -e --arg d "${digest#sha256:}" '.packages[0].SPDXID == "SPDXRef-Image"
         and .packages[0].checksums == [{"algorithm": "SHA256", "checksumValue": $d}]' "$WORK/spdx.json"
  jq -e '.relationships[0] == {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
         "relatedSpdxElement": "SPDXRef-Image"}' "$WORK/spdx.json"
  jq -e '(.relationships | length) == (.packages | length)
         and all(.relationships[1:][]; .spdxElementId == "SPDXRef-Image" and .relationshipType == "CONTAINS")' \
    "$WORK/spdx.json"

  # Two documents differ only in their namespace and creation time.
  SOURCE_DATE_EPOCH=0 s image sbom -o "$WORK/a.json" sbom/deb:1 2>/dev/null
  SOURCE_DATE_EPOCH=0 s image sbom -o "$WORK/b.json" sbom/deb:1 2>/dev/null
  jq -e '.creationInfo.created == "1970-01-01T00:00:00Z"' "$WORK/a.json"
  diff <(grep -v documentNamespace "$WORK/a.json") <(grep -v documentNamespace "$WORK/b.json")
  ! diff <(grep documentNamespace "$WORK/a.json") <(grep documentNamespace "$WORK/b.json")
}

@test "image sbom --format cyclonedx-json" {
  sbom_image apk sbom/alpine:1
  run --separate-stderr s image sbom --format cyclonedx-json sbom/alpine:1
  expect_success
  [[ "$stderr" == *"sbom: package database read: /lib/apk/db/installed"* ]]
  echo "$output" >"$WORK/cdx.json"
  jq -e '.bomFormat == "CycloneDX" and .specVersion == "1.5" and .version == 1
         and (.serialNumber | test("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"))
         and .metadata.component.type == "container" and .metadata.component.name == "localhost/sbom/alpine:1"' \
    "$WORK/cdx.json"
  run jq -r '.components[] | "\(.name) \(.version) \(.purl) \(.licenses[0].expression)"' "$WORK/cdx.json"
  [ "$output" = "busybox 1.36.1-r15 pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1 GPL-2.0-only
musl 1.2.4_git20230717-r4 pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1 MIT
ssl_client 1.36.1-r15 pkg:apk/alpine/ssl_client@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1&upstream=busybox GPL-2.0-only" ]
}

@test "image sbom reads rpm's sqlite database" {
  sbom_image rpm sbom/fedora:1
  run --separate-stderr s image sbom --format cyclonedx-json sbom/fedora:1
  expect_success
  [[ "$stderr" == *"sbom: package database read: /usr/lib/sysimage/rpm/rpmdb.sqlite"* ]]
  run jq -r '.components[] | "\(.name) \(.version) \(.purl)"' <<<"$output"
  # gpg-pubkey is a key rpm imported, not a package.
  [ "$output" = "bash 5.2.15-5.fc39 pkg:rpm/fedora/bash@5.2.15-5.fc39?arch=x86_64&distro=fedora-39
openssl-libs 1:3.1.1-4.fc39 pkg:rpm/fedora/openssl-libs@3.1.1-4.fc39?arch=x86_64&distro=fedora-39&epoch=1&upstream=openssl
tzdata 2024a-1.fc39 pkg:rpm/fedora/tzdata@2024a-1.fc39?arch=noarch&distro=fedora-39" ]
}

@test "image sbom reads distroless's status.d" {
  sbom_image distroless sbom/distroless:1
  run --separate-stderr s image sbom sbom/distroless:1
  expect_success
  [[ "$stderr" == *"sbom: package database read: /var/lib/dpkg/status.d/libc6"* ]]
  run jq -r '.packages[1:][] | "\(.name) \(.versionInfo)"' <<<"$output"
  [ "$output" = "base-files 12.4+deb12u5
libc6 2.36-9+deb12u4
tzdata 2024a-0+deb12u1" ]
}

@test "image sbom of an image without package databases says so" {
  fixture --out "$WORK/plain.tar" --format docker-archive --name plain:1 --layers 1
  s load -i "$WORK/plain.tar" >/dev/null
  run --separate-stderr s image sbom plain:1
  expect_success
  [[ "$stderr" == *"sbom: no package database found in plain:1"* ]]
  jq -e '(.packages | length) == 1' <<<"$output"
}

@test "image sbom refuses bad input by name, leaving the store as it was" {
  sbom_image corrupt sbom/corrupt:1
  BEFORE=$(store_state)
  run s image sbom nosuch:image
  expect_failure 125 "Error: nosuch:image: image not known"
  run s image sbom --format xml sbom/corrupt:1
  expect_failure 125 'Error: unsupported --format "xml": spdx-json or cyclonedx-json'
  run s image sbom
  expect_failure 125 "accepts 1 arg(s), received 0"
  run s image sbom -o "$WORK/out.json" sbom/corrupt:1
  expect_failure 125 "Error: /var/lib/dpkg/status: line 5: not a field (Name: value)"
  [ ! -e "$WORK/out.json" ]
  SOURCE_DATE_EPOCH=soon run s image sbom sbom/corrupt:1
  expect_failure 125 'SOURCE_DATE_EPOCH "soon": not a number of seconds'
  same_as_before "$(store_state)"
}
