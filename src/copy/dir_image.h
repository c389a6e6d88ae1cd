// dir:PATH: skopeo's directory layout, read and written in place: manifest.json (the image's
// manifest or list, byte-exact), <hex>.manifest.json for each instance of a list, every blob as
// <hex> of its sha256 digest, and a `version` file ("Directory Transport Version: 1.1\n").
// Files are opened beneath PATH (copy/beneath.h): a symlink never leads out of it.
//
// The destination, as containers/image's: PATH is created when missing; an existing non-empty
// PATH without a `version` file is refused (it is not an image). Blobs are written verified,
// each through a temp file; manifest.json and version are written by commit(), which then
// removes the files of the previous image the new one does not use (containers/image empties
// the directory first: here a copy that fails leaves the previous image whole). Destroyed
// before commit(), it removes every file it created (and PATH, when it made it).
//
// Signatures, as skopeo keeps them there: signature-1, -2, ..., each one file in
// containers/image's form (signature_blobs.h: a simple signing signature's signed message as
// lookaside storage holds it, a sigstore signature prefixed "\0sigstore-json\n").
// copy_signatures.h reads and writes them beside the image; commit() removes those of the image
// it replaces.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "copy/image_destination.h"
#include "copy/image_source.h"
#include "core/fs.h"

namespace schicht::copy {

// `name` is the reference as typed ("dir:/tmp/d"), for messages.
std::unique_ptr<ImageSource> dir_source(const fs::path& dir, const std::string& name);
std::unique_ptr<ImageDestination> dir_destination(const fs::path& dir, const std::string& name);

// The signature files of the image in `dir`: signature-1, -2, ... up to the first missing one,
// as stored (signature_blobs.h reads them).
std::vector<std::string> read_dir_signatures(const fs::path& dir);

// Writes `signatures` (files, signature_blobs.h) as signature-1, -2, ... of the image committed
// in `dir`.
void write_dir_signatures(const fs::path& dir, const std::vector<std::string>& signatures);

}  // namespace schicht::copy
