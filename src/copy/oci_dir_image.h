// oci:DIR[:REF]: an OCI image layout directory, read and written in place. Every file is
// opened beneath DIR (openat2 RESOLVE_BENEATH): a symlink or ".." never leads out of it.
//
// Which image, as containers/image chooses: with REF the index.json entry whose
// org.opencontainers.image.ref.name is REF; without it the only entry (kInvalidInput when
// there are several, kNotFound when there is none).
#pragma once

#include <memory>
#include <string>

#include "copy/image_destination.h"
#include "copy/image_source.h"
#include "core/fs.h"
#include "oci/index.h"

namespace schicht::copy {

// The index.json entry REF names, as described above (also for oci-archive:).
const Descriptor& choose_layout_entry(const Index& index, const std::string& ref,
                                      const std::string& name);

// DIR's index.json (pull --referrers reads the referrer entries from it).
Index layout_index(const fs::path& dir, const std::string& name);

// `name` is the reference as typed ("oci:/tmp/l:1"), for messages.
std::unique_ptr<ImageSource> oci_dir_source(const fs::path& dir, const std::string& ref,
                                            const std::string& name);

// Creates DIR and its oci-layout file when missing. A blob already in blobs/ with the right size
// is taken as it is (as containers/image does): its name is its digest. Blobs are written to a temp
// file, verified and renamed into blobs/ALG/HEX; commit() writes index.json (atomically) with the
// top manifest, replacing an entry with the same REF (without REF it is added unnamed).
// Destroyed before commit(), it removes every file and directory it created (DIR too, when it
// made it): the layout is left as it was.
std::unique_ptr<ImageDestination> oci_dir_destination(const fs::path& dir, const std::string& ref,
                                                      const std::string& name);

}  // namespace schicht::copy
