# Fixture images for the image sbom tests (sbom.bats, sbom_attach.bats).

SBOM_FIXTURE=$BATS_TEST_DIRNAME/sbom_fixture.py

# sbom_image KIND NAME: layers of KIND (sbom_fixture.py) loaded as NAME; the root filesystem
# they make is in $WORK/KIND/rootfs.
sbom_image() {
  python3 "$SBOM_FIXTURE" "$1" "$WORK/$1"
  local layers=()
  for l in "$WORK/$1"/layer-*.tar; do layers+=(--layer-tar "$l"); done
  fixture --out "$WORK/$1.tar" --format docker-archive --name "$2" "${layers[@]}"
  s load -i "$WORK/$1.tar" >/dev/null
}
