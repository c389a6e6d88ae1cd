// images / image ls: one row per name (untagged images as <none>), newest first.
#include <algorithm>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/humanize.h"
#include "core/error.h"
#include "core/reference.h"
#include "store/lookup.h"

namespace schicht::cli {
namespace {

struct Row {
  std::string repository, tag, digest, id, created, size;
};

// Columns as Go's tabwriter lays them out for podman: width = max(12, widest cell + 2).
void print_table(const std::vector<std::vector<std::string>>& lines) {
  std::vector<size_t> widths;
  for (const auto& line : lines) {
    for (size_t i = 0; i + 1 < line.size(); ++i) {
      if (widths.size() <= i) widths.push_back(12);
      widths[i] = std::max(widths[i], line[i].size() + 2);
    }
  }
  for (const auto& line : lines) {
    std::string out;
    for (size_t i = 0; i < line.size(); ++i) {
      out += line[i];
      if (i + 1 < line.size()) out.append(widths[i] - line[i].size(), ' ');
    }
    fmt::print("{}\n", out);
  }
}

}  // namespace

int cmd_images(Context& ctx, CommandArgs args) {
  FlagSet flags;
  bool all = false, quiet = false, no_trunc = false, noheading = false, digests = false;
  flags.add_bool("all", 'a', &all, "Show all images (default hides intermediate images)");
  flags.add_bool("quiet", 'q', &quiet, "Display only image IDs");
  flags.add_bool("no-trunc", 0, &no_trunc, "Do not truncate output");
  flags.add_bool("noheading", 'n', &noheading, "Do not print column headings");
  flags.add_bool("digests", 0, &digests, "Show digests");
  bool help = false;
  auto positional = parse_command_flags(ctx, flags, args, "schicht images [options] [IMAGE]",
                                        &help);
  if (help) return 0;
  store::Store& store = ctx.store();
  auto images = store.images();
  std::sort(images.begin(), images.end(),
            [](const store::ImageInfo& a, const store::ImageInfo& b) { return a.created > b.created; });
  int64_t now = store::now_ns();
  std::vector<std::vector<std::string>> lines;
  std::vector<std::string> header = {"REPOSITORY", "TAG"};
  if (digests) header.push_back("DIGEST");
  header.insert(header.end(), {"IMAGE ID", "CREATED", "SIZE"});
  if (!noheading && !quiet) lines.push_back(header);
  std::vector<std::string> seen_ids;
  for (const auto& image : images) {
    std::string id = no_trunc ? image.id.str() : image.id.short_hex();
    if (quiet) {
      if (std::find(seen_ids.begin(), seen_ids.end(), id) == seen_ids.end()) {
        seen_ids.push_back(id);
        fmt::print("{}\n", id);
      }
      continue;
    }
    std::vector<std::pair<std::string, std::string>> names;
    for (const auto& n : image.names) {
      auto ref = Reference::try_parse(n);
      if (ref) names.emplace_back(ref->name(), ref->tag.empty() ? "<none>" : ref->tag);
    }
    if (names.empty()) names.emplace_back("<none>", "<none>");
    for (const auto& [repo, tag] : names) {
      std::vector<std::string> line = {repo, tag};
      if (digests) line.push_back(image.manifest_digest.str());
      line.insert(line.end(), {id, human_age(image.created, now), human_size(image.size)});
      lines.push_back(std::move(line));
    }
  }
  if (!quiet) print_table(lines);
  return 0;
}

}  // namespace schicht::cli
