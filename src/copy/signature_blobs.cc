#include "copy/signature_blobs.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "oci/go_json.h"
#include "trust/base64.h"
#include "trust/sigstore_attachment.h"

namespace schicht::copy {
namespace {

constexpr std::string_view kSigstoreFormat = "sigstore-json";
constexpr std::string_view kSimpleSigningFormat = "simple-signing";

trust::Signature sigstore_from_json(std::string_view text, const std::string& name) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto malformed = [&](std::string_view why) {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: invalid sigstore signature: {}", name, why));
  };
  if (!doc.is_object()) malformed("not a JSON object");
  auto string_member = [&](const char* key) {
    auto found = doc.find(key);
    if (found == doc.end() || !found->is_string()) malformed(fmt::format("no string {:?}", key));
    return found->get<std::string>();
  };
  std::string mime_type = string_member("mimeType");
  if (mime_type != trust::kSigstoreLayerType) {
    fail(ErrorKind::kUnsupported,
         fmt::format("{}: a sigstore signature of type {:?}, which schicht does not read", name,
                     mime_type));
  }
  std::optional<std::string> payload = trust::base64_decode(string_member("payload"));
  if (!payload) malformed("its payload is not base64");
  trust::Signature out{.format = std::string(trust::kSigstore), .bytes = std::move(*payload)};
  auto annotations = doc.find("annotations");
  if (annotations != doc.end() && !annotations->is_null()) {
    if (!annotations->is_object()) malformed("its annotations are not an object");
    for (const auto& [key, value] : annotations->items()) {
      if (!value.is_string()) malformed(fmt::format("annotation {:?} is not a string", key));
      out.annotations[key] = value.get<std::string>();
    }
  }
  auto signature = out.annotations.find(std::string(trust::kSigstoreSignatureAnnotation));
  if (signature != out.annotations.end()) out.sigstore_signature = signature->second;
  out.origin = name;
  return out;
}

}  // namespace

std::string sigstore_signature_blob(const trust::Signature& signature) {
  std::map<std::string, std::string> annotations = signature.annotations;
  if (!signature.sigstore_signature.empty()) {
    annotations[std::string(trust::kSigstoreSignatureAnnotation)] = signature.sigstore_signature;
  }
  GoJsonWriter json;
  json.begin_object();
  json.key("mimeType").string(trust::kSigstoreLayerType);
  json.key("payload").string(trust::base64_encode(signature.bytes));
  // Go writes a map's members sorted by key, as std::map holds them.
  json.key("annotations").begin_object();
  for (const auto& [key, value] : annotations) json.key(key).string(value);
  json.end_object();
  json.end_object();
  std::string out(1, '\0');
  out += kSigstoreFormat;
  out += '\n';
  out += json.str();
  return out;
}

std::vector<std::string> signature_blobs(const CarriedSignatures& signatures) {
  std::vector<std::string> out = signatures.simple;
  for (const trust::Signature& signature : signatures.sigstore) {
    out.push_back(sigstore_signature_blob(signature));
  }
  return out;
}

CarriedSignatures signatures_from_blobs(const std::vector<std::string>& blobs,
                                        const std::string& where) {
  CarriedSignatures out;
  for (size_t i = 0; i < blobs.size(); ++i) {
    const std::string& blob = blobs[i];
    std::string name = fmt::format("{}: signature-{}", where, i + 1);
    if (blob.empty()) fail(ErrorKind::kInvalidInput, name + ": an empty signature");
    if (blob[0] != '\0') {
      out.simple.push_back(blob);
      continue;
    }
    size_t newline = blob.find('\n');
    if (newline == std::string::npos) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: invalid signature: no format name after its zero byte", name));
    }
    std::string_view format(blob.data() + 1, newline - 1);
    std::string_view data(blob.data() + newline + 1, blob.size() - newline - 1);
    if (format == kSimpleSigningFormat) {
      out.simple.emplace_back(data);
    } else if (format == kSigstoreFormat) {
      out.sigstore.push_back(sigstore_from_json(data, name));
    } else {
      fail(
          ErrorKind::kUnsupported,
          fmt::format("{}: a signature in format {:?}, which schicht does not read", name, format));
    }
  }
  return out;
}

}  // namespace schicht::copy
