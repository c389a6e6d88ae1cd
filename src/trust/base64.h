// Standard base64 (RFC 4648 with padding), strict on input as Go's StdEncoding: what policy.json
// keyData and sigstore signature annotations use.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace schicht::trust {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not exactly valid padded base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace schicht::trust
