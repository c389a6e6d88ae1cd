// The single streaming pass over a layer blob: its digest and size as stored, its compression,
// and its DiffID and size once decompressed, with the tar structure checked on the way.
//
// Stateless functions; the caller owns the streams and may run passes on several threads, each
// with its own streams.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "archive/compression.h"
#include "core/digest.h"
#include "core/io.h"

namespace schicht {

struct LayerDigests {
  Digest digest;  // sha256 of the blob as stored (compressed)
  uint64_t size;  // bytes of the blob as stored
  Compression compression;
  Digest diff_id;              // sha256 of the uncompressed tar
  uint64_t uncompressed_size;  // bytes of the uncompressed tar, trailing bytes included
};

// What the decompressed stream of a layer holds.
struct LayerContent {
  Compression compression;
  Digest diff_id;
  uint64_t uncompressed_size;
};

// The decompressing half of the pass, for callers that hash the raw bytes elsewhere (an Ingest
// hashes what it stores, on the thread that writes it): reads `raw_blob` to its end exactly
// once and checks it as digest_layer does.
LayerContent read_layer_content(Reader& raw_blob, std::string_view name = "layer");

// The same, with `use_tar` reading the decompressed tar in place of the structure check (to
// extract it in the same pass). It returns true when it read the tar to its end blocks through
// a TarReader named `name` (so the structure was checked alike), false when it stopped part
// way: the rest of the stream is then hashed without being checked, and `tar_checked` in the
// result is false; the caller checks the blob again (read_layer_content) before trusting it.
struct TarUse {
  LayerContent content;
  bool tar_checked = true;
};
TarUse read_layer_content(Reader& raw_blob, std::string_view name,
                          const std::function<bool(Reader& tar)>& use_tar);

// Reads `raw_blob` to its end exactly once. Every raw byte is also written to `raw_sink` when
// it is not null (so the content store can ingest the blob in the same pass). The decompressed
// stream must be a well-formed tar: a corrupt or truncated blob or tar fails with kInvalidInput,
// with `name` naming the layer in the message. Bytes after the tar's end blocks are hashed too.
LayerDigests digest_layer(Reader& raw_blob, Writer* raw_sink, std::string_view name = "layer");

}  // namespace schicht
