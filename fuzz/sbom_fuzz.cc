// Fuzzes the SBOM readers: the input as a layer tar replayed for the package databases, then
// as each database's bytes (dpkg status, apk installed, rpm header and sqlite database,
// os-release), then the documents.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "core/io.h"
#include "sbom/databases.h"
#include "sbom/document.h"
#include "sbom/inventory.h"

namespace {

void documents(const schicht::sbom::Inventory& inventory) {
  schicht::sbom::ImageSubject image{.name = "fuzz", .manifest_digest = "sha256:00"};
  schicht::sbom::DocumentStamp stamp{.created = "2026-01-01T00:00:00Z", .uuid = "u", .tool = "t"};
  schicht::sbom::spdx_json(inventory, image, stamp);
  schicht::sbom::cyclonedx_json(inventory, image, stamp);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using schicht::sbom::Inventory;
  try {
    schicht::StringReader in(text);
    schicht::sbom::RootfsFiles files;
    files.apply(in, "fuzz", schicht::sbom::inventory_wants);
    documents(schicht::sbom::take_inventory(files));
  } catch (const schicht::Error&) {
  }
  Inventory inventory;
  inventory.os = schicht::sbom::parse_os_release(text);
  try {
    inventory.packages = schicht::sbom::parse_dpkg_status(text, "status");
  } catch (const schicht::Error&) {
  }
  try {
    auto apk = schicht::sbom::parse_apk_installed(text, "installed");
    inventory.packages.insert(inventory.packages.end(), apk.begin(), apk.end());
  } catch (const schicht::Error&) {
  }
  try {
    inventory.packages.push_back(schicht::sbom::parse_rpm_header(text, "header"));
  } catch (const schicht::Error&) {
  }
  try {
    auto rpm = schicht::sbom::parse_rpm_sqlite(text, "rpmdb.sqlite");
    inventory.packages.insert(inventory.packages.end(), rpm.begin(), rpm.end());
  } catch (const schicht::Error&) {
  }
  documents(inventory);
  return 0;
}
