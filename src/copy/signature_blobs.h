// Signatures as containers/image keeps each in one file (its signature.Blob form): what a dir:
// layout holds as signature-1, -2, ... A simple signing signature is its signed message as is;
// any other starts with a zero byte, its format's name and a newline, then that format's JSON:
// for a sigstore signature, "\0sigstore-json\n" and {"mimeType", "payload" (base64),
// "annotations" (the attachment layer's, the signature's own among them)}, written as Go's
// encoding/json writes it, so skopeo reads ours and ours are byte-identical to its.
#pragma once

#include <string>
#include <vector>

#include "copy/carried_signatures.h"
#include "trust/evaluate.h"

namespace schicht::copy {

// The file form of a sigstore signature.
std::string sigstore_signature_blob(const trust::Signature& signature);

// The files of `signatures`: simple signing signatures first, then sigstore ones, in the order
// containers/image's docker:// source gives them.
std::vector<std::string> signature_blobs(const CarriedSignatures& signatures);

// Files read back, in order; `where` names them in messages ("dir:/d: signature-2"). A format
// other than these two, or a sigstore signature that is not cosign's simple signing payload
// type, is kUnsupported; a malformed one kInvalidInput.
CarriedSignatures signatures_from_blobs(const std::vector<std::string>& blobs,
                                        const std::string& where);

}  // namespace schicht::copy
