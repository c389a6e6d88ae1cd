// libcurl, loaded with dlopen the first time a command makes an HTTP request.
//
// Linking libcurl would load it and its ~25 dependencies (TLS, Kerberos, LDAP, IDN...) into
// every process: that alone cost each command ~8 ms of dynamic linking, while most commands
// never touch the network. curl_api() resolves the few functions schicht calls; the types and
// constants still come from <curl/curl.h>. When libcurl cannot be loaded, curl_api() fails
// with kUnsupported naming the library and the loader's reason.
#pragma once

#include <curl/curl.h>

namespace schicht::http {

struct CurlApi {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_reset) easy_reset;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_perform) easy_perform;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_share_init) share_init;
  decltype(&::curl_share_setopt) share_setopt;
  decltype(&::curl_share_cleanup) share_cleanup;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
  decltype(&::curl_url) url;
  decltype(&::curl_url_set) url_set;
  decltype(&::curl_url_get) url_get;
  decltype(&::curl_url_cleanup) url_cleanup;
  decltype(&::curl_free) free;
  decltype(&::curl_getdate) getdate;
};

// Loads libcurl once per process (thread-safe) and returns its functions.
const CurlApi& curl_api();

}  // namespace schicht::http
