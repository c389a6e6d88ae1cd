// `system check --recover`: the image metadata rebuilt from the blobs, after the database was
// lost (deleted, truncated, or damaged).
//
// A damaged or empty db.sqlite is moved aside (kept, never deleted: lost_database.h) and a new
// one made; a healthy one is kept and only completed. Then every manifest blob whose config and
// layers are all present, with the sizes its descriptors give and the diffIDs its config lists,
// becomes an image again (an image with several manifests gets them all, the newest last as
// its current one); names come from names.journal (names_journal.h), else the image stays
// unnamed. Every OCI artifact manifest (an artifactType or the empty config) whose blobs are
// all there becomes an artifact again, so that no repair deletes its blobs; artifact names are
// not journaled, so a referrer is named "<its subject image's repository>:ref-<subject>-<self>"
// (as pull --referrers names one; "localhost/referrers" without a named subject) and any other
// "localhost/recovered-artifact:<short digest>". With a kept database, the rows of an artifact
// whose blobs are missing or the wrong size go (its blobs stay). What the database alone knew is
// not recovered: manifest lists, containers, the build cache, the tag log, and times (an image's
// added time is the recovery's). Runs with gc.lock held exclusively, so nothing deletes a blob
// while the images are rebuilt.
#pragma once

#include <string>
#include <vector>

#include "core/fs.h"

namespace schicht::transport {

struct RecoverReport {
  fs::path moved_aside;                // where the damaged database went; empty when kept
  std::string why_moved;               // what was wrong with it
  std::vector<std::string> recovered;  // "<image ID> <names...>", one per image
  std::vector<std::string> skipped;    // manifests that could not become images, and why
  size_t names = 0;                    // names restored from the journal
  std::vector<std::string> artifacts;  // "<manifest digest> <name>", one per artifact recovered
  std::vector<std::string> removed_artifacts;  // "<name>: <what was wrong>"
};

RecoverReport recover_store(const fs::path& root);

}  // namespace schicht::transport
