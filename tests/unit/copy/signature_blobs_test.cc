// Signatures in containers/image's one-file form, as dir: layouts hold them.
#include "copy/signature_blobs.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "error_of.h"

namespace schicht::copy {
namespace {

using namespace std::string_literals;

trust::Signature sigstore_signature() {
  return trust::Signature{
      .format = "sigstore",
      .bytes = "{}",
      .sigstore_signature = "MEU=",
      .annotations = {{"dev.sigstore.cosign/certificate", "-----BEGIN <x>&\n"}}};
}

// The bytes Go's encoding/json gives containers/image's sigstoreJSONRepresentation: members in
// struct order, annotations sorted, <, > and & escaped.
TEST(SignatureBlobsTest, ASigstoreSignatureIsWrittenAsContainersImageWritesIt) {
  EXPECT_EQ(sigstore_signature_blob(sigstore_signature()),
            "\0sigstore-json\n"s
            R"({"mimeType":"application/vnd.dev.cosign.simplesigning.v1+json","payload":"e30=",)"
            R"("annotations":{"dev.cosignproject.cosign/signature":"MEU=",)"
            R"("dev.sigstore.cosign/certificate":"-----BEGIN \u003cx\u003e\u0026\n"}})");
}

TEST(SignatureBlobsTest, FilesReadBackAsTheSignaturesWritten) {
  CarriedSignatures carried;
  carried.simple = {"\xa3gpg"s};
  carried.sigstore = {sigstore_signature()};
  std::vector<std::string> files = signature_blobs(carried);
  ASSERT_EQ(files.size(), 2u);
  CarriedSignatures back = signatures_from_blobs(files, "dir:d");
  EXPECT_EQ(back.simple, carried.simple);
  ASSERT_EQ(back.sigstore.size(), 1u);
  EXPECT_EQ(back.sigstore[0].bytes, "{}");
  EXPECT_EQ(back.sigstore[0].sigstore_signature, "MEU=");
  EXPECT_EQ(back.sigstore[0].annotations.size(), 2u);
  EXPECT_EQ(signature_blobs(back), files);
  // containers/image's explicit form of a simple signing signature.
  EXPECT_EQ(signatures_from_blobs({"\0simple-signing\n\xa3gpg"s}, "dir:d").simple, carried.simple);
}

TEST(SignatureBlobsTest, OtherFormatsAndMalformedFilesAreRefused) {
  EXPECT_NE(
      error_of(ErrorKind::kUnsupported, [] { signatures_from_blobs({"\0other\n{}"s}, "dir:d"); })
          .find("dir:d: signature-1: a signature in format \"other\""),
      std::string::npos);
  error_of(ErrorKind::kInvalidInput, [] { signatures_from_blobs({"\0{}"s}, "dir:d"); });
  error_of(ErrorKind::kInvalidInput,
           [] { signatures_from_blobs({"\0sigstore-json\n[1]"s}, "dir:d"); });
  error_of(ErrorKind::kInvalidInput, [] {
    signatures_from_blobs(
        {"\0sigstore-json\n{\"mimeType\":\"application/vnd.dev.cosign.simplesigning.v1+json\","
         "\"payload\":\"***\"}"s},
        "dir:d");
  });
  error_of(ErrorKind::kUnsupported, [] {
    signatures_from_blobs({"\0sigstore-json\n{\"mimeType\":\"x\",\"payload\":\"\"}"s}, "dir:d");
  });
  error_of(ErrorKind::kInvalidInput, [] { signatures_from_blobs({""}, "dir:d"); });
}

}  // namespace
}  // namespace schicht::copy
