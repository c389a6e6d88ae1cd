// image sync: skopeo sync's use case. Every image of a source (a registry repository, a
// directory of dir: layouts, or the registries of a YAML file, sync_yaml.h) is copied to a
// destination (a registry namespace or a directory of dir: layouts) through copy_image, so
// manifests go byte-exact and signatures of a docker:// source are carried to a docker://
// destination. Only what is missing is copied: an image whose destination already holds the
// manifest digest the copy would write is skipped without reading a blob.
//
// Where an image goes (as skopeo 1.9 names it): DESTINATION/<suffix>, the suffix being the
// last path element of the source ("app:1"), or with --scoped the whole source reference
// ("registry.example.com/ns/app:1"; for a dir: source, its path below the source directory).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "copy/copy_image.h"
#include "registry/registries_conf.h"
#include "transport/transport_name.h"
#include "trust/policy.h"

namespace schicht::copy {

enum class SyncSourceKind { kDocker, kDir, kYaml };
enum class SyncDestinationKind { kDocker, kDir };

// "docker", "dir", "yaml" / "docker", "dir"; kInvalidInput otherwise, in skopeo's words.
SyncSourceKind parse_sync_source(std::string_view text);
SyncDestinationKind parse_sync_destination(std::string_view text);

struct SyncOptions {
  SyncSourceKind source = SyncSourceKind::kDocker;
  SyncDestinationKind destination = SyncDestinationKind::kDocker;
  bool scoped = false;
  // Report what would be copied or skipped; nothing is written (manifests are still read).
  bool dry_run = false;
  // A failed image is reported and the others are copied; the sync fails at the end.
  bool keep_going = false;
  // For every image; source_registry is the default for each source (a YAML registry's
  // tls-verify, credentials and cert-dir replace its fields). transfer.report gets sync's lines.
  CopyOptions copy;
};

struct SyncImage {
  transport::TransportRef source;
  transport::TransportRef destination;
};

// The images of one source repository (or directory), and how to reach its registry.
struct SyncSet {
  std::vector<SyncImage> images;
  registry::RegistryOptions source_registry;
};

// Lists what a sync copies: tags are listed from the registry for a repository without a tag
// (or a YAML repository with no tags or a regex), a dir: source is walked for layouts.
// kInvalidInput for a source or destination skopeo refuses (dir to dir, a YAML file that does
// not parse); errors of the registries listed propagate.
std::vector<SyncSet> plan_sync(const std::string& source, const std::string& destination,
                               const SyncOptions& options, const registry::RegistriesConf& conf);

struct SyncResult {
  size_t sources = 0;
  size_t images = 0;
  size_t copied = 0;
  size_t skipped = 0;  // the destination had it (or, with dry_run, would have)
  size_t failed = 0;   // keep_going only
};

// Copies (or with dry_run, reports) every image of `plan`. Without keep_going the first
// failure ends the sync (its error names the image); with it, failures are reported on stderr
// and, at the end, kInvalidInput names how many there were.
SyncResult run_sync(const trust::Policy* policy, const std::vector<SyncSet>& plan,
                    const registry::RegistriesConf& conf, const SyncOptions& options);

}  // namespace schicht::copy
