// A store whose blobs outlived its database: db.sqlite deleted, truncated or not a database.
// Opening such a store as if it were new would show no images and let `system check --repair`
// delete every blob, so it is an error until `system check --recover` rebuilds the metadata
// (transport/recover.h).
#pragma once

#include "core/fs.h"

namespace schicht::store {

// What to tell the user: run `system check --recover`.
extern const char* const kRecoverHint;

// kIntegrity when <root>/db.sqlite is missing or empty while blobs exist. Costs one stat when
// the database is there.
void check_database_present(const fs::path& root);

// Whether <root>/db.sqlite is missing or empty (nothing to keep).
bool database_missing(const fs::path& root);

// Moves db.sqlite and its -wal and -shm files aside (never deleting them) to
// db.sqlite.damaged-<UTC time>[-wal|-shm]; returns the new name of db.sqlite.
fs::path move_database_aside(const fs::path& root);

}  // namespace schicht::store
