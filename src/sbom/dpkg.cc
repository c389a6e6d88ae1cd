#include <fmt/format.h>

#include "core/error.h"
#include "sbom/databases.h"
#include "sbom/lines.h"

namespace schicht::sbom {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

struct Paragraph {
  size_t line = 0;  // where it starts
  std::string package, version, architecture, source, status;
  bool has_status = false;
};

class StatusParser {
 public:
  explicit StatusParser(std::string_view path) : path_(path) {}

  std::vector<Package> parse(std::string_view text) {
    Lines lines(text);
    std::string_view line;
    while (lines.next(line)) {
      if (trim(line).empty()) {
        finish();
        continue;
      }
      if (line.front() == ' ' || line.front() == '\t') {
        if (!in_paragraph_) bad(lines.number(), "a continuation line outside a field");
        continue;  // continuations of multi-line fields (Description, Conffiles) are not needed
      }
      if (line.front() == '#') continue;
      size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0)
        bad(lines.number(), "not a field (Name: value)");
      if (!in_paragraph_) {
        current_ = Paragraph{.line = lines.number()};
        in_paragraph_ = true;
      }
      field(line.substr(0, colon), trim(line.substr(colon + 1)));
    }
    finish();
    return std::move(packages_);
  }

 private:
  [[noreturn]] void bad(size_t line, std::string_view what) const {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: line {}: {}", path_, line, what));
  }

  void field(std::string_view name, std::string_view value) {
    // Field names are case-insensitive in deb822; dpkg writes them capitalized.
    auto is = [name](std::string_view want) {
      if (name.size() != want.size()) return false;
      for (size_t i = 0; i < name.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(name[i])) !=
            std::tolower(static_cast<unsigned char>(want[i]))) {
          return false;
        }
      }
      return true;
    };
    if (is("Package")) {
      current_.package = value;
    } else if (is("Version")) {
      current_.version = value;
    } else if (is("Architecture")) {
      current_.architecture = value;
    } else if (is("Source")) {
      current_.source = value;
    } else if (is("Status")) {
      current_.status = value;
      current_.has_status = true;
    }
  }

  void finish() {
    if (!in_paragraph_) return;
    in_paragraph_ = false;
    Paragraph p = std::move(current_);
    if (p.package.empty()) bad(p.line, "a paragraph without a Package field");
    // "install ok installed": the last word is the state; half-installed, config-files (a
    // removed package's leftovers) and not-installed are not installed.
    if (p.has_status) {
      std::string_view status = p.status;
      size_t space = status.rfind(' ');
      std::string_view state = space == std::string_view::npos ? status : status.substr(space + 1);
      if (state != "installed") return;
    }
    if (p.version.empty()) bad(p.line, fmt::format("package {} has no Version", p.package));
    if (packages_.size() >= kMaxPackages) {
      bad(p.line,
          fmt::format("more than {} packages (the limit of what an SBOM reads)", kMaxPackages));
    }
    Package out{.type = "deb",
                .name = p.package,
                .version = p.version,
                .architecture = p.architecture,
                .database = std::string(path_)};
    // "Source: glibc" or "Source: glibc (2.36-9)" when the source version differs.
    std::string_view source = p.source;
    if (size_t paren = source.find('('); paren != std::string_view::npos) {
      size_t close = source.find(')', paren);
      if (close == std::string_view::npos) bad(p.line, "a Source field without its ')'");
      out.source_version = trim(source.substr(paren + 1, close - paren - 1));
      source = trim(source.substr(0, paren));
    }
    out.source = source;
    packages_.push_back(std::move(out));
  }

  std::string_view path_;
  bool in_paragraph_ = false;
  Paragraph current_;
  std::vector<Package> packages_;
};

}  // namespace

std::vector<Package> parse_dpkg_status(std::string_view text, std::string_view path) {
  return StatusParser(path).parse(text);
}

}  // namespace schicht::sbom
