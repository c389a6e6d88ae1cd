// The SQLite schema of the store and its forward migrations (PRAGMA user_version).
//
//   blobs(digest PK, size, media_type)              every blob some image or list references
//   layers(digest PK → blobs, diff_id, uncompressed_size)
//   images(id PK = config digest, manifest_digest, manifest_media_type, created, added,
//          last_used, size, os, architecture, variant, labels)
//   image_manifests(digest PK, image_id → images, media_type, added)   all manifests of an image
//   manifest_layers(manifest_digest → image_manifests, position, layer_digest)
//
// GC edges: an image references its config (its id), its manifests, and their layers; a
// container references its image, which cannot be removed while it exists.
//   names(name PK, image_id → images, added)                 tags; moving one is a tag_log row
//     (`added` orders an image's names, podman's order: a tag goes last, with the time it was
//     added; names a load, pull, build or import records go first, keyed just below the
//     image's first name)
//   tag_log(id, time, name, action, from_image, to_image)    every move of every name
//   leases(id, pid, boot_id, expires)  +  lease_blobs(lease_id → leases, digest)
//   containers(id PK, name UNIQUE, image_id → images, image_name, command (JSON array),
//              created, chain_id of the image's top snapshot, size of its root filesystem)
//   (version 2)
//   lists(digest PK → blobs, media_type of the blob, format, added)   manifest lists / indexes
//   list_names(name PK, list_digest → lists, added)                  names of lists
//   (version 3)
//   list_sources(list_digest → lists, instance digest, repository)  where an instance added
//                                                          from a registry can be copied from
//   (version 4)
//
//   artifacts(name PK, manifest_digest, added)                   OCI artifacts (artifacts.h)
//   artifact_blobs(name → artifacts, digest)         every blob of an artifact, a GC root
//   (version 7)
//
// Lists: a name in list_names denotes a manifest list or image index; the same name may also
// be in names (a pull of a list records both: the image for this platform and the list). A
// list is a root for GC: its blob stays while a list row exists, and a list row goes with its
// last name. The images a list references are NOT roots: like podman, an instance may be
// removed while a list names it (pushing the list with --all then fails clearly). `format` is
// the media type the list is shown and pushed as: lists built here keep an OCI index blob (it
// holds every annotation and platform field) with format = Docker manifest list, podman's
// default; pulled lists keep the registry's bytes, format = their own media type, and go
// when the image named like them is removed (rmi).
//
// Times are unix nanoseconds. Digests are "sha256:<hex>" text.
#pragma once

namespace schicht::store {

class Db;

// The schema version migrate() brings a store to.
int latest_schema_version();

// Brings the database to the newest schema, one transaction per migration.
void migrate(Db& db);
// Whether the database is at the version migrate() brings it to (a read-only store cannot
// be migrated).
bool schema_current(Db& db);

}  // namespace schicht::store
