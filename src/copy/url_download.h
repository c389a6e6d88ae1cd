// `load -i URL`: an archive fetched over HTTP(S) into a temporary file before it is loaded, as
// podman does (a load reads its archive in one pass but checks it whole before recording
// anything, so the download must complete first either way).
#pragma once

#include <string>
#include <string_view>

#include "core/fs.h"
#include "http/client.h"

namespace schicht::copy {

// Whether podman's load treats `input` as a URL to download (http:// or https://).
bool is_download_url(std::string_view input);

struct Downloaded {
  UniqueFd file;  // positioned at its start; empty unless the status is 2xx
  long status = 0;
};

// GETs `url` into an unnamed file in `dir` (gone when closed, even after a crash). Uses the
// HTTP client's timeouts, TLS and retries. A transport failure is kNetwork "downloading URL:
// ..."; a status other than 2xx is returned without a file (the caller says what it means).
Downloaded download_to_temp_file(const std::string& url, const fs::path& dir,
                                 const http::HttpOptions& http);

}  // namespace schicht::copy
