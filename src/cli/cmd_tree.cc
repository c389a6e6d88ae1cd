// image tree: an image's layers (images/layer_tree.h) drawn as podman draws them, with which
// images a layer tops and, beyond podman, which other images share it — the cost of a base layer
// across derived images. --whatrequires draws the layers above the image as podman does: a
// branch wherever a layer has several children.
#include <fmt/format.h>

#include "artifacts/local.h"
#include "cli/commands.h"
#include "cli/render.h"
#include "core/error.h"
#include "images/layer_tree.h"
#include "render/tree_drawing.h"
#include "store/lookup.h"

namespace schicht::cli {
namespace {

using images::TreeLayer;
using Drawing = render::TreeDrawing;

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : " ") + n;
  return "[" + out + "]";
}

std::string layer_text(const TreeLayer& layer) {
  std::string text =
      fmt::format("ID: {} Size: {}", layer.id.short_hex(), human_size_compact(layer.size));
  if (!layer.tops.empty()) text += " Top Layer of: " + join_names(layer.tops);
  return text;
}

// podman's walk for --whatrequires: a layer that is its parent's only child continues the
// drawing it is in; one with siblings opens a branch of its own.
void draw_children(const TreeLayer& layer, Drawing& drawing) {
  bool branch = layer.parent && layer.parent->children.size() > 1;
  Drawing& here = drawing.items.emplace_back(Drawing{layer_text(layer), {}});
  for (const TreeLayer* child : layer.children) draw_children(*child, branch ? here : drawing);
}

// The image's header and its layers: each with the images it tops and shares it, or with
// --whatrequires the layers above its top one.
Drawing layers_drawing(const images::ImageLayers& layers, bool whatrequires) {
  const store::ImageInfo& image = layers.image;
  Drawing drawing{
      fmt::format("Image ID: {}\nTags:     {}\nSize:     {}\nImage Layers", image.id.short_hex(),
                  join_names(image.names), human_size_compact(image.size)),
      {}};
  if (whatrequires) {
    if (!layers.layers.empty()) draw_children(*layers.layers.back(), drawing);
    return drawing;
  }
  for (const TreeLayer* layer : layers.layers) {
    std::string text = layer_text(*layer);
    if (!layer->shared_with.empty()) text += " Shared with: " + join_names(layer->shared_with);
    drawing.items.push_back(Drawing{text, {}});
  }
  return drawing;
}

}  // namespace

int cmd_image_tree(Context& ctx, ImageTreeOptions& parsed, Invocation& invocation) {
  auto& [whatrequires, referrers] = parsed;
  auto& positional = invocation.positional;
  auto [store_of_image, id] = ctx.resolve_image(positional[0]);  // additional stores too
  store::Store& store = *store_of_image;
  images::ImageLayers layers = images::image_layers(store, id);
  Drawing drawing = layers_drawing(layers, whatrequires);
  std::string out;
  render::append_tree(out, drawing);
  if (referrers) {
    // Artifacts name the image by its manifest digest (their subject), as registries do.
    Drawing refs{"Referrers", {}};
    for (const auto& a : artifacts::local_referrers(store, layers.image.manifest_digest)) {
      std::string type = artifacts::referrer_descriptor(a.manifest).artifact_type;
      refs.items.push_back(
          Drawing{fmt::format("{} {} ({})", a.info.manifest.str(), type, a.info.name), {}});
    }
    render::append_tree(out, refs);
  }
  fmt::print("{}\n", out);
  return 0;
}

}  // namespace schicht::cli
