// Destinations that wrap another and pass every call on: the base of those that watch a copy
// (which manifests were written) or add to it (referrers written into a layout before it
// commits).
//
// Internal to copy/.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "copy/image_destination.h"
#include "core/error.h"

namespace schicht::copy {

class ForwardingDestination : public ImageDestination {
 public:
  explicit ForwardingDestination(ImageDestination& inner) : inner_(inner) {}
  std::string name() const override { return inner_.name(); }
  bool accepts_index() const override { return inner_.accepts_index(); }
  std::vector<std::string> manifest_types() const override { return inner_.manifest_types(); }
  bool keeps_manifests() const override { return inner_.keeps_manifests(); }
  bool try_reuse(const Descriptor& blob, const ImageSource& source) override {
    return inner_.try_reuse(blob, source);
  }
  void put_blob(const Descriptor& blob, Reader& data) override { inner_.put_blob(blob, data); }
  void put_manifest(std::string_view bytes, std::string_view media_type, bool top) override {
    inner_.put_manifest(bytes, media_type, top);
  }
  void add_layout_entry(const Descriptor& entry) override { inner_.add_layout_entry(entry); }
  void commit() override { inner_.commit(); }

 protected:
  ImageDestination& inner_;
};

// Calls `hook` with the top manifest's digest and the wrapped destination just before that
// commits (kInternal when nothing was written: a copy always writes its top manifest).
class CommitHookDestination final : public ForwardingDestination {
 public:
  using Hook = std::function<void(const Digest& top, ImageDestination& inner)>;
  CommitHookDestination(ImageDestination& inner, Hook hook)
      : ForwardingDestination(inner), hook_(std::move(hook)) {}
  void put_manifest(std::string_view bytes, std::string_view media_type, bool top) override {
    ForwardingDestination::put_manifest(bytes, media_type, top);
    if (top) top_ = Digest::sha256_of(bytes);
  }
  void commit() override {
    if (!top_) fail(ErrorKind::kInternal, name() + ": commit without a manifest");
    hook_(*top_, inner_);
    inner_.commit();
  }

 private:
  Hook hook_;
  std::optional<Digest> top_;
};

}  // namespace schicht::copy
