#include "sbom/request.h"

#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::sbom {

Format parse_format(std::string_view format) {
  if (format == "spdx-json" || format == "spdx") return Format::kSpdxJson;
  if (format == "cyclonedx-json" || format == "cyclonedx") return Format::kCycloneDxJson;
  fail(ErrorKind::kInvalidInput,
       fmt::format("unsupported --format {:?}: spdx-json or cyclonedx-json", format));
}

std::string creation_time() {
  time_t now = ::time(nullptr);
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch && *epoch) {
    char* end = nullptr;
    errno = 0;
    long long seconds = std::strtoll(epoch, &end, 10);
    if (*end != '\0' || errno != 0 || seconds < 0) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("SOURCE_DATE_EPOCH {:?}: not a number of seconds", epoch));
    }
    now = static_cast<time_t>(seconds);
  }
  struct tm tm {};
  if (!::gmtime_r(&now, &tm)) fail(ErrorKind::kInvalidInput, "SOURCE_DATE_EPOCH: out of range");
  char buffer[64];
  ::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string repository_of(std::string_view name) {
  if (size_t at = name.find('@'); at != std::string_view::npos) name = name.substr(0, at);
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    name = name.substr(0, colon);
  }
  return std::string(name);
}

std::string render_document(Format format, const Inventory& inventory, const ImageSubject& subject,
                            const DocumentStamp& stamp) {
  return format == Format::kSpdxJson ? spdx_json(inventory, subject, stamp)
                                     : cyclonedx_json(inventory, subject, stamp);
}

std::string_view document_title(Format format) {
  return format == Format::kSpdxJson ? "sbom.spdx.json" : "sbom.cdx.json";
}

Reference attach_destination(std::string_view text) {
  std::string_view rest = text;
  if (rest.starts_with("docker://")) rest.remove_prefix(9);
  auto ref = Reference::try_parse(rest);
  if (!ref || !has_explicit_domain(rest)) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("--attach {:?}: expected a registry repository (docker://HOST/REPOSITORY)",
                     text));
  }
  return *ref;
}

std::vector<std::string> subject_candidates(const Reference& destination,
                                            const std::vector<Digest>& digests,
                                            const Digest& manifest_digest,
                                            const std::vector<std::string>& names) {
  if (destination.digest) return {destination.digest->str()};
  if (!destination.tag.empty()) return {destination.tag};
  std::vector<std::string> out;
  auto add = [&out](std::string text) {
    if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(std::move(text));
  };
  for (const auto& digest : digests) add(digest.str());
  add(manifest_digest.str());
  for (const auto& name : names) {
    if (auto ref = Reference::try_parse(name); ref && !ref->tag.empty()) add(ref->tag);
  }
  return out;
}

}  // namespace schicht::sbom
