#include "oci/descriptor.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "core/error.h"
#include "core/media_type.h"
#include "oci/json_internal.h"

namespace schicht {
namespace oci_internal {
namespace {

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t count = std::min<size_t>(3, bytes.size() - i);
    uint32_t group = 0;
    for (size_t j = 0; j < 3; ++j) {
      group = (group << 8) | (j < count ? static_cast<unsigned char>(bytes[i + j]) : 0);
    }
    for (size_t j = 0; j < 4; ++j) {
      out += j <= count ? kBase64Alphabet[(group >> (18 - 6 * j)) & 0x3F] : '=';
    }
  }
  return out;
}

// Standard alphabet with padding, as Go decodes a []byte; nullopt on anything else.
std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::array<int, 256> value;
  value.fill(-1);
  for (int i = 0; i < 64; ++i) value[static_cast<unsigned char>(kBase64Alphabet[i])] = i;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    size_t padding = 0;
    if (last && text[i + 3] == '=') padding = text[i + 2] == '=' ? 2 : 1;
    uint32_t group = 0;
    for (size_t j = 0; j < 4; ++j) {
      int digit = 0;
      if (j < 4 - padding) {
        digit = value[static_cast<unsigned char>(text[i + j])];
        if (digit < 0) return std::nullopt;
      }
      group = (group << 6) | static_cast<uint32_t>(digit);
    }
    for (size_t j = 0; j < 3 - padding; ++j)
      out += static_cast<char>((group >> (16 - 8 * j)) & 0xFF);
  }
  return out;
}

bool is_digest_of_empty_content(const Digest& digest) {
  Hasher hasher(digest.algorithm());
  return hasher.finish() == digest;
}

Platform parse_platform(const Json& object, const std::string& path) {
  Platform platform;
  platform.architecture = read_string(object, "architecture", path);
  platform.os = read_string(object, "os", path);
  platform.os_version = read_string(object, "os.version", path);
  platform.os_features = read_string_array(object, "os.features", path);
  platform.variant = read_string(object, "variant", path);
  return platform;
}

// The platform as image-spec's and Docker's platform structs write it (same field order).
void write_platform(GoJsonWriter& out, const Platform& platform) {
  out.begin_object();
  out.key("architecture").string(platform.architecture);
  out.key("os").string(platform.os);
  if (!platform.os_version.empty()) out.key("os.version").string(platform.os_version);
  if (!platform.os_features.empty()) {
    out.key("os.features").begin_array();
    for (const std::string& feature : platform.os_features) out.string(feature);
    out.end_array();
  }
  if (!platform.variant.empty()) out.key("variant").string(platform.variant);
  out.end_object();
}

void write_urls(GoJsonWriter& out, const std::vector<std::string>& urls) {
  if (urls.empty()) return;
  out.key("urls").begin_array();
  for (const std::string& url : urls) out.string(url);
  out.end_array();
}

}  // namespace

Descriptor parse_descriptor_value(const Json& value, const std::string& path,
                                  DescriptorDialect dialect) {
  if (!value.is_object()) {
    fail_at(path, fmt::format("expected a descriptor object, got a JSON {}", value.type_name()));
  }
  std::string media_type = read_string(value, "mediaType", path);
  if (media_type.empty()) fail_at(path, "descriptor has no mediaType");
  std::optional<std::string> digest_text = read_optional_string(value, "digest", path);
  if (!digest_text) fail_at(path, "descriptor has no digest");
  std::optional<int64_t> size = read_int64(value, "size", path);
  if (!size) fail_at(path, "descriptor has no size");
  Descriptor descriptor{
      .media_type = std::move(media_type),
      .digest = parse_digest_text(*digest_text, member_path(path, "digest")),
      .size = *size,
      .urls = read_string_array(value, "urls", path),
  };
  if (descriptor.size < 0) fail_at(path, fmt::format("negative size {}", descriptor.size));
  // Zero bytes have exactly one digest: anything else can never verify.
  if (descriptor.size == 0 && !is_digest_of_empty_content(descriptor.digest)) {
    fail_at(path, fmt::format("size is 0 but {} is not the digest of empty content",
                              descriptor.digest.str()));
  }
  if (const Json* platform = find_object(value, "platform", path)) {
    descriptor.platform = parse_platform(*platform, member_path(path, "platform"));
  }
  if (dialect == DescriptorDialect::kDocker) return descriptor;

  descriptor.annotations = read_string_map(value, "annotations", path);
  descriptor.artifact_type = read_string(value, "artifactType", path);
  if (std::optional<std::string> encoded = read_optional_string(value, "data", path)) {
    std::optional<std::string> data = base64_decode(*encoded);
    if (!data) fail_at(member_path(path, "data"), "invalid base64");
    if (static_cast<int64_t>(data->size()) != descriptor.size) {
      fail_at(member_path(path, "data"),
              fmt::format("holds {} bytes but the size is {}", data->size(), descriptor.size));
    }
    Hasher hasher(descriptor.digest.algorithm());
    hasher.update(*data);
    if (hasher.finish() != descriptor.digest) {
      fail_at(member_path(path, "data"),
              fmt::format("content does not match digest {}", descriptor.digest.str()));
    }
    // Go leaves an empty []byte out when it marshals; keeping it would not round-trip.
    if (!data->empty()) descriptor.data = std::move(*data);
  }
  return descriptor;
}

void write_oci_descriptor(GoJsonWriter& out, const Descriptor& descriptor) {
  out.begin_object();
  out.key("mediaType").string(descriptor.media_type);
  out.key("digest").string(descriptor.digest.str());
  out.key("size").integer(descriptor.size);
  write_urls(out, descriptor.urls);
  if (!descriptor.annotations.empty())
    write_string_map(out.key("annotations"), descriptor.annotations);
  if (descriptor.data && !descriptor.data->empty()) {
    out.key("data").string(base64_encode(*descriptor.data));
  }
  if (descriptor.platform) write_platform(out.key("platform"), *descriptor.platform);
  if (!descriptor.artifact_type.empty()) out.key("artifactType").string(descriptor.artifact_type);
  out.end_object();
}

void write_docker_descriptor(GoJsonWriter& out, const Descriptor& descriptor, bool list_entry) {
  out.begin_object();
  out.key("mediaType").string(descriptor.media_type);
  out.key("size").integer(descriptor.size);
  out.key("digest").string(descriptor.digest.str());
  write_urls(out, descriptor.urls);
  if (list_entry) write_platform(out.key("platform"), descriptor.platform.value_or(Platform{}));
  out.end_object();
}

}  // namespace oci_internal

Descriptor empty_descriptor() {
  return Descriptor{
      .media_type = std::string(media_type::kOciEmpty),
      .digest = Digest::sha256_of("{}"),
      .size = 2,
      .data = "{}",
  };
}

Descriptor parse_descriptor(std::string_view json) {
  return with_context("invalid descriptor", [&] {
    return oci_internal::parse_descriptor_value(oci_internal::parse_json_object(json), "",
                                                oci_internal::DescriptorDialect::kOci);
  });
}

std::string serialize_descriptor(const Descriptor& descriptor) {
  GoJsonWriter out;
  oci_internal::write_oci_descriptor(out, descriptor);
  return out.take();
}

}  // namespace schicht
