// Sizes and ages rendered as podman renders them (docker/go-units): "2.11 MB", "3 weeks ago".
#pragma once

#include <cstdint>
#include <string>

namespace schicht::render {

// Decimal units, three significant digits: HumanSizeWithPrecision(size, 3).
std::string human_size(uint64_t bytes);
// go-units HumanSize: four significant digits, no space ("4.245MB", "0B"), as `system df`.
std::string human_size_compact(uint64_t bytes);
// go-units HumanDuration of (now - then): "3 weeks".
std::string human_duration(int64_t then_ns, int64_t now_ns);
// "10GB", "512MiB", "1000": sizes with decimal or binary units; kInvalidInput otherwise.
uint64_t parse_byte_size(const std::string& text);
// human_duration followed by " ago".
std::string human_age(int64_t then_ns, int64_t now_ns);
// Go's time.Time String() of the time's whole seconds in UTC: "2026-01-01 00:00:00 +0000 UTC"
// (podman's CreatedAt of images and history rows).
std::string go_time_string(int64_t ns);

}  // namespace schicht::render
