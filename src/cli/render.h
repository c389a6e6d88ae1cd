// The presentation library (render/) under the names the command line's commands use: podman's
// tables, --format and JSON output, sizes and times as podman prints them, progress bars and
// inspect's template view.
#pragma once

#include "render/humanize.h"
#include "render/inspect_format.h"
#include "render/progress_bars.h"
#include "render/report.h"

namespace schicht::cli {

using render::bar_size;
using render::enforce_range;
using render::go_time_string;
using render::GoTypes;
using render::HeaderMap;
using render::human_age;
using render::human_duration;
using render::human_size;
using render::human_size_compact;
using render::inspect_normalize;
using render::inspect_template_types;
using render::inspect_template_view;
using render::is_json_format;
using render::json_array_report;
using render::json_element;
using render::json_report;
using render::json_report_raw;
using render::make_headers;
using render::normalize_format;
using render::parse_byte_size;
using render::parse_object_format;
using render::plain_fields;
using render::print_report;
using render::ProgressBars;
using render::ReportOptions;
using render::ReportSpec;
using render::Template;
using render::to_ordered;
using render::write_cells;
using render::write_report;

}  // namespace schicht::cli
