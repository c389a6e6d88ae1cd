// A layer into the store with its two passes on two threads: the calling thread reads the
// blob, writes it to an Ingest and hashes it (its digest); a second thread decompresses the
// same bytes and hashes the tar (its diffID). On one thread the slower of the two (inflating a
// large gzip layer) would also pay for the other; split, a pull's layer moves at the speed of
// the slower pass alone, as the hand-written pull did with its download thread. A layer of at
// most 256 KiB (one chunk) is stored on the calling thread alone: nothing would overlap.
//
// Internal to copy/: the store destination (storage_image.h) uses it for every layer.
#pragma once

#include <memory>
#include <string>

#include "archive/layer.h"
#include "core/io.h"
#include "oci/descriptor.h"
#include "snapshot/snapshotter.h"
#include "store/image_writer.h"

namespace schicht::copy {

// Stores exactly the bytes of `data` as `blob` through `writer` (verified against its digest
// and size, kept as ImageWriter::put_ingest keeps a blob) and returns its digests. Bytes that
// are not a layer: kInvalidInput, unless they are not the blob expected at all, which is then
// reported (kIntegrity) as the cause. Nothing is stored on any error.
LayerDigests store_layer(store::ImageWriter& writer, const Descriptor& blob, Reader& data,
                         const std::string& what);

// The same, with the layer also extracted as a diff by `snapshots` in the same pass, on the
// inflating thread (unpack while pulling; Snapshotter::unpack): `unpacked` receives it, with
// its diff ID set, for Snapshotter::place once its chain ID is known. A layer that could not
// be extracted whole is checked again from the stored blob, so what is stored and the errors
// are those of store_layer.
LayerDigests store_layer(store::ImageWriter& writer, const Descriptor& blob, Reader& data,
                         const std::string& what, snapshot::Snapshotter& snapshots,
                         std::unique_ptr<snapshot::UnpackedLayer>& unpacked);

}  // namespace schicht::copy
