#!/usr/bin/env bats
# inspect's supply-chain view: {{.Referrers}} and {{.Signatures}} in --format templates, from the
# stored artifacts that refer to the image; the default JSON and {{json .}} stay podman's.

load helpers

setup_image() {
  fixture --out "$WORK/i.tar" --format oci-archive --name app:1 --seed 71
  s load -q -i "$WORK/i.tar" >/dev/null
  echo '{"spdxVersion":"SPDX-2.3"}' >"$WORK/sbom.json"
  echo '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}' >"$WORK/bundle.json"
  SBOM=sha256:$(s artifact attach -q --subject app:1 --type application/spdx+json "$WORK/sbom.json")
  SIG=sha256:$(s artifact attach -q --subject app:1 \
    --type application/vnd.dev.sigstore.bundle.v0.3+json "$WORK/bundle.json")
}

@test "inspect --format {{.Referrers}} and {{.Signatures}} list what refers to the image" {
  setup_image
  run s inspect --format '{{range .Referrers}}{{.ArtifactType}} {{.Digest}}{{"\n"}}{{end}}' app:1
  expect_success
  [ "$output" = "application/spdx+json $SBOM
application/vnd.dev.sigstore.bundle.v0.3+json $SIG" ]
  run s image inspect --format '{{len .Signatures}} {{(index .Signatures 0).Digest}}' app:1
  expect_success
  [ "$output" = "1 $SIG" ]
  # as Go prints a slice of structs
  run s inspect --format '{{.Signatures}}' app:1
  expect_success
  [[ "$output" == "[{$SIG application/vnd.dev.sigstore.bundle.v0.3+json localhost/app:ref-"*"}]" ]]
  run s inspect --format '{{json .Referrers}}' app:1
  expect_success
  [ "$(jq -r 'length' <<<"$output")" = 2 ]
  [ "$(jq -r '.[0] | keys_unsorted | join(" ")' <<<"$output")" = "Digest ArtifactType Name" ]
}

@test "inspect: the default JSON and {{json .}} keep podman's keys; no referrers is []" {
  setup_image
  run s inspect app:1
  expect_success
  [ "$(jq -r '.[0] | has("Referrers") or has("Signatures")' <<<"$output")" = false ]
  run s inspect --format '{{json .}}' app:1
  expect_success
  [ "$(jq -r '.[0] | has("Referrers") or has("Signatures")' <<<"$output")" = false ]
  # a template that prints the whole view without naming the fields: podman's keys only
  run s inspect --format '{{json .RepoTags}} {{json .}}' app:1
  expect_success
  [ "$(cut -d' ' -f2- <<<"$output" | jq -r 'has("Referrers") or has("Signatures")')" = false ]
  fixture --out "$WORK/j.tar" --format oci-archive --name plain:1 --seed 72
  s load -q -i "$WORK/j.tar" >/dev/null
  run s inspect --format '{{.Referrers}} {{.Signatures}}' plain:1
  expect_success
  [ "$output" = "[] []" ]
}
