#include "copy/copy_request.h"

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::copy {

transport::TransportRef parse_copy_name(const std::string& text, std::string_view role) {
  std::optional<transport::TransportRef> ref = transport::parse_transport_name(text);
  if (!ref) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("Invalid {} name {}: Invalid image name {:?}, expected colon-separated "
                     "transport:reference",
                     role, text, text));
  }
  return *ref;
}

void settle_recompression(const std::string& format, bool compress, std::optional<int64_t> level,
                          CopyOptions& options) {
  if (!format.empty()) {
    std::optional<Compression> chosen = parse_compression(format);
    if (!chosen || (*chosen != Compression::kGzip && *chosen != Compression::kZstd)) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("--dest-compress-format: unsupported compression {:?} (gzip or zstd)",
                       format));
    }
    options.compression = chosen;
  } else if (compress) {
    options.compression = Compression::kGzip;
  }
  if (!level) return;
  if (!options.compression) {
    fail(ErrorKind::kInvalidInput,
         "--dest-compress-level needs --dest-compress-format or --dest-compress");
  }
  int highest = *options.compression == Compression::kZstd ? 22 : 9;
  int lowest = *options.compression == Compression::kZstd ? 1 : 0;
  if (*level < lowest || *level > highest) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("--dest-compress-level {}: {} levels are {} to {}", *level,
                     compression_name(*options.compression), lowest, highest));
  }
  options.compression_level = static_cast<int>(*level);
}

void check_signing_choices(bool remove_signatures, const std::string& sign_by) {
  if (remove_signatures && !sign_by.empty()) {
    fail(ErrorKind::kInvalidInput, "cannot use --sign-by together with --remove-signatures");
  }
}

bool copy_needs_registries_d(const transport::TransportRef& source, const CopyOptions& options) {
  bool carries = (source.transport == transport::Transport::kDocker ||
                  source.transport == transport::Transport::kDir) &&
                 !options.remove_signatures;
  return options.sigstore_key || !options.sign_by.empty() || carries;
}

void check_referrers_copy(const CopyOptions& options) {
  if (options.format || options.compression) {
    fail(ErrorKind::kInvalidInput,
         "--referrers cannot be used with --format or --dest-compress*: the digest would change");
  }
}

}  // namespace schicht::copy
