// skopeo copy's choices that are not registry flags, checked and settled into CopyOptions in
// skopeo's words (image copy; image sync shares the signing checks): the image names, the
// recompression asked for, which signing options go together, and when a --referrers copy is
// possible. Each failure is kInvalidInput, raised before anything is read or written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "copy/copy_image.h"
#include "transport/transport_name.h"

namespace schicht::copy {

// TRANSPORT:REFERENCE; `role` ("source" or "destination") names it in the error.
transport::TransportRef parse_copy_name(const std::string& text, std::string_view role);

// --dest-compress-format (gzip or zstd), else --dest-compress (gzip), and
// --dest-compress-level (nullopt: not given), which needs one of them and the format's range
// (gzip 0-9, zstd 1-22).
void settle_recompression(const std::string& format, bool compress, std::optional<int64_t> level,
                          CopyOptions& options);

// --sign-by and --remove-signatures exclude each other.
void check_signing_choices(bool remove_signatures, const std::string& sign_by);

// Whether a copy from `source` writes or reads signatures and so needs registries.d: it signs,
// or carries the signatures of a docker:// or dir: source.
bool copy_needs_registries_d(const transport::TransportRef& source, const CopyOptions& options);

// --referrers: referrers name the image by digest, so only a byte-exact copy keeps them
// meaningful (no --format, no recompression). Which transports can hold them is
// artifacts::ReferrerCopy's to say.
void check_referrers_copy(const CopyOptions& options);

}  // namespace schicht::copy
