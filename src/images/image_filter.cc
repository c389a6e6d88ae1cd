#include "images/image_filter.h"

#include <fnmatch.h>

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "core/error.h"
#include "core/reference.h"
#include "core/time.h"
#include "store/image_children.h"
#include "store/lookup.h"

namespace schicht::images {
namespace {

bool glob(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), FNM_PATHNAME) == 0;
}

// A timestamp (RFC 3339, a date, unix seconds) or a duration before now ("10m", "2h").
int64_t parse_point_in_time(const std::string& text, int64_t now) {
  if (auto t = try_parse_rfc3339(text)) return rfc3339_to_unix_nanos(text);
  if (auto t = try_parse_rfc3339(text + "T00:00:00Z"))
    return rfc3339_to_unix_nanos(text + "T00:00:00Z");
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc() && end == text.data() + text.size()) return n * 1'000'000'000;
  if (ec == std::errc() && end + 1 == text.data() + text.size()) {
    int64_t unit = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : 0;
    if (unit != 0) return now - n * unit * 1'000'000'000;
  }
  fail(ErrorKind::kInvalidInput,
       fmt::format("failed to parse value as time or duration: {:?}", text));
}

// Go's strconv.ParseBool, with podman 4.3's message (its key and value swapped).
bool parse_bool_filter(const std::string& key, const std::string& value) {
  for (std::string_view yes : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (value == yes) return true;
  }
  for (std::string_view no : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (value == no) return false;
  }
  fail(ErrorKind::kInvalidInput,
       fmt::format("non-boolean value {:?} for {} filter: strconv.ParseBool: parsing {:?}: "
                   "invalid syntax",
                   key, value, value));
}

bool is_single_valued(const std::string& key) {
  return key == "dangling" || key == "intermediate" || key == "readonly" || key == "manifest" ||
         key == "containers";
}

}  // namespace

bool reference_matches(const std::string& pattern, const store::ImageInfo& image) {
  for (const auto& name : image.names) {
    auto ref = Reference::try_parse(name);
    if (!ref) continue;
    std::string repo = ref->name();
    std::string tagged = repo + ":" + ref->tag;
    std::vector<std::string> forms = {tagged, repo, ref->path + ":" + ref->tag, ref->path};
    size_t slash = ref->path.rfind('/');
    std::string last = slash == std::string::npos ? ref->path : ref->path.substr(slash + 1);
    forms.push_back(last + ":" + ref->tag);
    forms.push_back(last);
    for (const auto& form : forms) {
      if (glob(pattern, form)) return true;
    }
  }
  return false;
}

ImageFilter::ImageFilter(store::Store& store, const std::vector<std::string>& filters, int64_t now)
    : store_(store) {
  for (const auto& f : filters) {
    size_t eq = f.find('=');
    if (eq == std::string::npos) {
      fail(ErrorKind::kInvalidInput,
           fmt::format(R"(invalid image filter {:?}: must be in the format "filter=value or )"
                       R"(filter!=value")",
                       f));
    }
    std::string key = f.substr(0, eq), value = f.substr(eq + 1);
    static const std::vector<std::string> kKeys = {
        "dangling", "reference", "label",    "before",   "since",      "until",       "id",
        "digest",   "label!",    "readonly", "manifest", "containers", "intermediate"};
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      fail(ErrorKind::kInvalidInput, fmt::format("unsupported image filter {:?}", key));
    }
    auto it = std::find_if(clauses_.begin(), clauses_.end(),
                           [&](const Clause& c) { return c.key == key; });
    if (is_single_valued(key) && it != clauses_.end() && it->values.front() != value) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("specifying {:?} filter more than once with different values is not "
                       "supported",
                       key));
    }
    if (key == "containers") {
      if (value == "external") {
        // podman's `images` gives libimage no way to know external containers.
        fail(ErrorKind::kInvalidInput,
             "libimage error: external containers filter without callback");
      }
      if (value != "true" && value != "false") {
        fail(ErrorKind::kInvalidInput,
             fmt::format("unsupported value {:?} for containers filter", value));
      }
      for (const auto& c : store.containers()) used_by_containers_.insert(c.image_id.str());
    } else if (is_single_valued(key)) {
      parse_bool_filter(key, value);
    }
    if (key == "before" || key == "since") {
      // podman's words (its "filter" twice too) before the lookup's own error.
      Digest id = with_context(
          fmt::format("could not find local image for filter filter {:?}={:?}", key, value),
          [&] { return store::resolve_image(store, value); });
      auto image = store.image(id);
      (key == "before" ? before_ : since_) = image->created;
    }
    if (key == "until") until_ = parse_point_in_time(value, now);
    if (it == clauses_.end()) {
      clauses_.push_back(
          {key,
           {value},
           is_single_valued(key) && key != "containers" && parse_bool_filter(key, value)});
    } else {
      it->values.push_back(value);
    }
  }
}

bool ImageFilter::has(std::string_view key) const {
  return std::any_of(clauses_.begin(), clauses_.end(),
                     [&](const Clause& c) { return c.key == key; });
}

std::string literal_of_reference(std::string_view pattern) {
  std::string longest, run;
  auto end_run = [&] {
    if (run.size() > longest.size()) longest = run;
    run.clear();
  };
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      run += pattern[++i];
    } else if (c == '[') {  // a class: skip to its end
      end_run();
      for (++i; i < pattern.size() && pattern[i] != ']'; ++i) {
        if (pattern[i] == '\\') ++i;
      }
    } else if (c == '*' || c == '?' || c == ':' || c == ']' || c == '\\') {
      end_run();
    } else {
      run += c;
    }
  }
  end_run();
  return longest;
}

store::ImageListing ImageFilter::listing() const {
  store::ImageListing out{.digests = has("digest"), .details = has("label") || has("label!")};
  for (const Clause& c : clauses_) {
    if (c.key == "reference" && c.values.size() == 1) {
      out.name_contains = literal_of_reference(c.values.front());
    }
  }
  return out;
}

bool ImageFilter::has_child(const store::ImageInfo& image) const {
  auto [it, fresh] = children_.try_emplace(image.id.str(), false);
  if (fresh) it->second = store::has_child_image(store_, image.id);
  return it->second;
}

bool ImageFilter::matches(const store::ImageInfo& image) const {
  return std::all_of(clauses_.begin(), clauses_.end(),
                     [&](const Clause& c) { return clause_matches(c, image); });
}

bool ImageFilter::clause_matches(const Clause& c, const store::ImageInfo& image) const {
  if (c.key == "before") return image.created < before_;
  if (c.key == "since") return image.created > since_;
  if (c.key == "until") return image.created < until_;
  if (c.key == "label" || c.key == "label!") {
    // Every label clause must hold (podman ANDs labels); label! negates.
    auto labels = nlohmann::json::parse(image.labels_json, nullptr, false);
    bool all = std::all_of(c.values.begin(), c.values.end(), [&](const std::string& v) {
      size_t eq = v.find('=');
      std::string k = v.substr(0, eq);
      if (!labels.is_object() || !labels.contains(k)) return false;
      return eq == std::string::npos || labels[k] == v.substr(eq + 1);
    });
    return c.key == "label" ? all : !all;
  }
  // The boolean keys hold one value (a second must equal it), parsed into c.flag.
  if (c.key == "dangling" || c.key == "intermediate") {
    bool untagged_with_child = !store::has_names(image) && has_child(image);
    bool want = c.key == "dangling" ? !store::has_names(image) && !untagged_with_child
                                    : untagged_with_child;
    return c.flag == want;
  }
  if (c.key == "readonly") return c.flag == image.read_only;
  if (c.key == "manifest") return !c.flag;
  return std::any_of(c.values.begin(), c.values.end(), [&](const std::string& v) {
    if (c.key == "containers") return (v == "true") == used_by_containers_.contains(image.id.str());
    if (c.key == "reference") return reference_matches(v, image);
    if (c.key == "id") {
      std::string hex(image.id.hex());
      std::string want = v.rfind("sha256:", 0) == 0 ? v.substr(7) : v;
      return hex.rfind(want, 0) == 0;
    }
    if (c.key == "digest") {
      return std::any_of(image.digests.begin(), image.digests.end(),
                         [&](const Digest& d) { return d.str() == v; });
    }
    return false;
  });
}

}  // namespace schicht::images
