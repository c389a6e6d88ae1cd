// A layer recompressed on its way between two transports (image copy --dest-compress-format):
// read from the source, decompressed and compressed again in one streaming pass. A destination
// needs a blob's digest and size before its bytes (ImageDestination::put_blob), and those of
// the new bytes are known only at their end, so they go to an unnamed temp file (O_TMPFILE in
// temp_root(): it vanishes with its descriptor, whatever happens) and are put from there.
// The uncompressed bytes, and so the layer's diffID, do not change.
#pragma once

#include <atomic>

#include "archive/compression.h"
#include "copy/image_source.h"
#include "core/fs.h"

namespace schicht::copy {

struct RecompressedLayer {
  Descriptor descriptor;  // the new digest and size; the media type is the caller's to set
  UniqueFd file;          // positioned at its start
};

// `layer` of `source` compressed as `to` at `level` (kDefaultCompressionLevel: the format's
// default). A set `cancelled` stops it with an error.
RecompressedLayer recompress_layer(ImageSource& source, const Descriptor& layer, Compression to,
                                   int level, const std::atomic<bool>* cancelled);

}  // namespace schicht::copy
