#include "sbom/document.h"

#include <sys/random.h>

#include <nlohmann/json.hpp>
#include <set>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::sbom {

using nlohmann::ordered_json;

namespace {

// SPDX identifiers allow letters, digits, '.' and '-'.
std::string spdx_id_part(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-';
    out += ok ? static_cast<char>(c) : '-';
  }
  return out;
}

std::string_view digest_hex(std::string_view digest) {
  size_t colon = digest.find(':');
  return colon == std::string_view::npos ? digest : digest.substr(colon + 1);
}

std::string digest_algorithm(std::string_view digest) {
  return digest.starts_with("sha512:") ? "SHA512" : "SHA256";
}

// pkg:oci/debian@sha256%3A...?repository_url=docker.io/library/debian
std::string image_purl(const ImageSubject& image) {
  std::string_view repo = image.repository;
  size_t slash = repo.rfind('/');
  std::string_view last = slash == std::string_view::npos ? repo : repo.substr(slash + 1);
  std::string digest = purl_escape(image.manifest_digest);
  // ':' is kept by purl_escape for versions; a digest's is encoded, as the oci type shows it.
  for (size_t pos = 0; (pos = digest.find(':', pos)) != std::string::npos;) {
    digest.replace(pos, 1, "%3A");
  }
  std::string url;
  for (char c : repo) url += c == '@' || c == '?' || c == '&' || c == '#' ? '_' : c;
  return fmt::format("pkg:oci/{}@{}?repository_url={}", purl_escape(last), digest, url);
}

// rpm's epoch goes before the version, as rpm -q --qf '%{EPOCH}:%{VERSION}-%{RELEASE}' shows it.
std::string display_version(const Package& p) {
  return p.epoch.empty() ? p.version : p.epoch + ":" + p.version;
}

std::string license_or_noassertion(const Package& p) {
  return plausible_license_expression(p.license) ? p.license : "NOASSERTION";
}

}  // namespace

std::string_view media_type(Format format) {
  return format == Format::kSpdxJson ? "application/spdx+json" : "application/vnd.cyclonedx+json";
}

bool plausible_license_expression(std::string_view license) {
  if (license.empty()) return false;
  int depth = 0;
  bool expect_id = true;  // an identifier (or '(') must come next
  size_t pos = 0;
  while (pos < license.size()) {
    char c = license[pos];
    if (c == ' ') {
      ++pos;
      continue;
    }
    if (c == '(') {
      if (!expect_id) return false;
      ++depth;
      ++pos;
      continue;
    }
    if (c == ')') {
      if (expect_id || --depth < 0) return false;
      ++pos;
      continue;
    }
    size_t end = pos;
    while (end < license.size() &&
           (std::isalnum(static_cast<unsigned char>(license[end])) || license[end] == '.' ||
            license[end] == '-' || license[end] == '+')) {
      ++end;
    }
    if (end == pos) return false;
    std::string_view word = license.substr(pos, end - pos);
    bool op = word == "AND" || word == "OR" || word == "WITH";
    if (op == expect_id) return false;
    expect_id = op;
    pos = end;
  }
  return !expect_id && depth == 0;
}

std::string random_uuid() {
  unsigned char b[16];
  size_t got = 0;
  while (got < sizeof b) {
    ssize_t n = ::getrandom(b + got, sizeof b - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno("getrandom", "");
    }
    got += static_cast<size_t>(n);
  }
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  std::string hex;
  for (unsigned char c : b) hex += fmt::format("{:02x}", c);
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20));
}

std::string spdx_json(const Inventory& inventory, const ImageSubject& image,
                      const DocumentStamp& stamp) {
  ordered_json doc;
  doc["spdxVersion"] = "SPDX-2.3";
  doc["dataLicense"] = "CC0-1.0";
  doc["SPDXID"] = "SPDXRef-DOCUMENT";
  doc["name"] = image.name;
  doc["documentNamespace"] =
      fmt::format("https://schicht.invalid/spdx/{}-{}", spdx_id_part(image.name), stamp.uuid);
  doc["creationInfo"] = {{"created", stamp.created},
                         {"creators", ordered_json::array({"Tool: " + stamp.tool})}};
  if (!inventory.os.pretty_name.empty()) {
    doc["comment"] = "Distribution: " + inventory.os.pretty_name;
  }

  ordered_json packages = ordered_json::array();
  ordered_json relationships = ordered_json::array();
  ordered_json image_package = {
      {"SPDXID", "SPDXRef-Image"},
      {"name", image.name},
      {"versionInfo", image.manifest_digest},
      {"supplier", "NOASSERTION"},
      {"downloadLocation", "NOASSERTION"},
      {"filesAnalyzed", false},
      {"checksums", ordered_json::array({{{"algorithm", digest_algorithm(image.manifest_digest)},
                                          {"checksumValue", digest_hex(image.manifest_digest)}}})},
      {"licenseConcluded", "NOASSERTION"},
      {"licenseDeclared", "NOASSERTION"},
      {"copyrightText", "NOASSERTION"},
      {"primaryPackagePurpose", "CONTAINER"},
  };
  if (!image.repository.empty()) {
    image_package["externalRefs"] =
        ordered_json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                              {"referenceType", "purl"},
                              {"referenceLocator", image_purl(image)}}});
  }
  packages.push_back(std::move(image_package));
  relationships.push_back({{"spdxElementId", "SPDXRef-DOCUMENT"},
                           {"relationshipType", "DESCRIBES"},
                           {"relatedSpdxElement", "SPDXRef-Image"}});

  size_t index = 0;
  for (const auto& p : inventory.packages) {
    std::string id = fmt::format("SPDXRef-Package-{}-{}-{}", p.type, spdx_id_part(p.name), ++index);
    ordered_json entry = {
        {"SPDXID", id},
        {"name", p.name},
        {"versionInfo", display_version(p)},
        {"supplier", "NOASSERTION"},
        {"downloadLocation", "NOASSERTION"},
        {"filesAnalyzed", false},
        {"sourceInfo", "listed in " + p.database},
        {"licenseConcluded", "NOASSERTION"},
        {"licenseDeclared", license_or_noassertion(p)},
        {"copyrightText", "NOASSERTION"},
        {"externalRefs", ordered_json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                               {"referenceType", "purl"},
                                               {"referenceLocator", purl(p, inventory.os)}}})},
    };
    packages.push_back(std::move(entry));
    relationships.push_back({{"spdxElementId", "SPDXRef-Image"},
                             {"relationshipType", "CONTAINS"},
                             {"relatedSpdxElement", id}});
  }
  doc["packages"] = std::move(packages);
  doc["relationships"] = std::move(relationships);
  return doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

std::string cyclonedx_json(const Inventory& inventory, const ImageSubject& image,
                           const DocumentStamp& stamp) {
  ordered_json doc;
  doc["bomFormat"] = "CycloneDX";
  doc["specVersion"] = "1.5";
  doc["serialNumber"] = "urn:uuid:" + stamp.uuid;
  doc["version"] = 1;
  std::string tool_version = stamp.tool;
  if (tool_version.starts_with("schicht-")) tool_version = tool_version.substr(8);
  ordered_json component = {
      {"type", "container"},
      {"bom-ref", "image"},
      {"name", image.name},
      {"version", image.manifest_digest},
      {"hashes",
       ordered_json::array(
           {{{"alg", digest_algorithm(image.manifest_digest) == "SHA512" ? "SHA-512" : "SHA-256"},
             {"content", digest_hex(image.manifest_digest)}}})},
  };
  if (!image.repository.empty()) component["purl"] = image_purl(image);
  doc["metadata"] = {
      {"timestamp", stamp.created},
      {"tools",
       {{"components",
         ordered_json::array(
             {{{"type", "application"}, {"name", "schicht"}, {"version", tool_version}}})}}},
      {"component", std::move(component)},
  };
  ordered_json components = ordered_json::array();
  ordered_json depends = ordered_json::array();
  std::set<std::string> refs;
  for (const auto& p : inventory.packages) {
    std::string package_url = purl(p, inventory.os);
    // bom-refs are unique: a package two databases list twice gets a suffix the second time.
    std::string ref = package_url;
    for (int n = 2; !refs.insert(ref).second; ++n) ref = fmt::format("{}#{}", package_url, n);
    ordered_json entry = {{"type", "library"},
                          {"bom-ref", ref},
                          {"name", p.name},
                          {"version", display_version(p)},
                          {"purl", package_url}};
    if (plausible_license_expression(p.license)) {
      entry["licenses"] = ordered_json::array({{{"expression", p.license}}});
    }
    ordered_json properties = ordered_json::array();
    if (!p.architecture.empty()) {
      properties.push_back({{"name", "schicht:package:architecture"}, {"value", p.architecture}});
    }
    if (!p.source.empty()) {
      properties.push_back({{"name", "schicht:package:source"}, {"value", p.source}});
    }
    properties.push_back({{"name", "schicht:package:database"}, {"value", p.database}});
    entry["properties"] = std::move(properties);
    components.push_back(std::move(entry));
    depends.push_back(ref);
  }
  doc["components"] = std::move(components);
  doc["dependencies"] =
      ordered_json::array({{{"ref", "image"}, {"dependsOn", std::move(depends)}}});
  return doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace schicht::sbom
