#include "http/curl_api.h"

#include <dlfcn.h>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::http {
namespace {

// The soname of the libcurl schicht is compiled against (Debian's libcurl4).
constexpr const char* kLibrary = "libcurl.so.4";

template <typename Fn>
void resolve(void* library, Fn& fn, const char* name) {
  fn = reinterpret_cast<Fn>(dlsym(library, name));
  if (fn == nullptr) {
    fail(ErrorKind::kUnsupported,
         fmt::format("{} lacks {}: a newer libcurl is needed to talk to registries", kLibrary,
                     name));
  }
}

CurlApi load() {
  // Never closed: curl's global state and connections live until the process exits.
  void* library = dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* reason = dlerror();
    fail(ErrorKind::kUnsupported,
         fmt::format("cannot load {} ({}): install libcurl (Debian: libcurl4) to talk to "
                     "registries",
                     kLibrary, reason != nullptr ? reason : "unknown reason"));
  }
  CurlApi api{};
  resolve(library, api.global_init, "curl_global_init");
  resolve(library, api.easy_init, "curl_easy_init");
  resolve(library, api.easy_cleanup, "curl_easy_cleanup");
  resolve(library, api.easy_reset, "curl_easy_reset");
  resolve(library, api.easy_setopt, "curl_easy_setopt");
  resolve(library, api.easy_getinfo, "curl_easy_getinfo");
  resolve(library, api.easy_perform, "curl_easy_perform");
  resolve(library, api.easy_strerror, "curl_easy_strerror");
  resolve(library, api.share_init, "curl_share_init");
  resolve(library, api.share_setopt, "curl_share_setopt");
  resolve(library, api.share_cleanup, "curl_share_cleanup");
  resolve(library, api.slist_append, "curl_slist_append");
  resolve(library, api.slist_free_all, "curl_slist_free_all");
  resolve(library, api.url, "curl_url");
  resolve(library, api.url_set, "curl_url_set");
  resolve(library, api.url_get, "curl_url_get");
  resolve(library, api.url_cleanup, "curl_url_cleanup");
  resolve(library, api.free, "curl_free");
  resolve(library, api.getdate, "curl_getdate");
  return api;
}

}  // namespace

const CurlApi& curl_api() {
  // A failed load throws out of the initializer, so the next call tries again.
  static const CurlApi api = load();
  return api;
}

}  // namespace schicht::http
