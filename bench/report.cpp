#include "bench/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace saga::bench {

void Mix::Validate() const {
  const auto share = [](double value, const char* name) {
    if (!(value >= 0.0 && value <= 1.0))
      throw std::invalid_argument(std::string(name) + " must be in [0, 1]");
  };
  share(fail_stock, "--fail-stock");
  share(decline, "--decline");
  share(cancel, "--cancel");
  if (fail_stock + decline + cancel > 1.0 + 1e-9)
    throw std::invalid_argument("--fail-stock + --decline + --cancel must be at most 1");
  if (items_min < 1 || items_max < items_min || items_max > 50)
    throw std::invalid_argument("items per order: need 1 <= --items-min <= --items-max <= 50");
  if (quantity_max < 1 || quantity_max > 10000)
    throw std::invalid_argument("--quantity-max must be in [1, 10000]");
  if (products < 1 || products > 100000) throw std::invalid_argument("--products must be in [1, 100000]");
  if (items_max > products)
    throw std::invalid_argument("--items-max cannot exceed --products (distinct lines)");
}

LatencySummary Summarize(const LogLinearHistogram& micros) {
  const auto ms = [&](double p) { return static_cast<double>(micros.ValueAtPercentile(p)) / 1000.0; };
  LatencySummary s;
  s.count = micros.Count();
  s.p50_ms = ms(50);
  s.p90_ms = ms(90);
  s.p99_ms = ms(99);
  s.p999_ms = ms(99.9);
  s.max_ms = static_cast<double>(micros.Max()) / 1000.0;
  s.mean_ms = micros.Mean() / 1000.0;
  return s;
}

std::uint64_t PhaseResult::ErrorCount() const {
  std::uint64_t n = unfinished;
  for (const auto& [_, count] : errors) n += count;
  return n;
}

namespace {

std::string Fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string Pad(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

nlohmann::json LatencyJson(const LatencySummary& s) {
  return {{"count", s.count},    {"p50Ms", s.p50_ms}, {"p90Ms", s.p90_ms},  {"p99Ms", s.p99_ms},
          {"p999Ms", s.p999_ms}, {"maxMs", s.max_ms}, {"meanMs", s.mean_ms}};
}

std::map<std::string, double> CpuMsPerSaga(const PhaseResult& phase) {
  std::map<std::string, double> out;
  if (phase.ended_in_window == 0) return out;
  for (const auto& [name, seconds] : phase.cpu_seconds)
    out[name] = seconds * 1000.0 / static_cast<double>(phase.ended_in_window);
  return out;
}

std::string XmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Label(const PhaseResult& phase) {
  return phase.mode == "open" ? Fixed(phase.offered_rate, 0) + "/s"
                              : std::to_string(phase.clients) + " clients";
}

}  // namespace

std::string FormatTable(const RunReport& report) {
  std::ostringstream out;
  const std::vector<std::pair<std::string, std::size_t>> columns{
      {"offered", 12}, {"sagas/s", 9}, {"p50 ms", 8}, {"p90 ms", 8}, {"p99 ms", 8},
      {"p99.9 ms", 9}, {"max ms", 8},  {"errors", 7}, {"unfin.", 7}, {"load avg", 16}};
  for (const auto& [name, width] : columns) out << Pad(name, width) << ' ';
  out << '\n';
  for (const auto& p : report.phases) {
    const auto& l = p.end_to_end;
    out << Pad(Label(p), 12) << ' ' << Pad(Fixed(p.sagas_per_s, 1), 9) << ' ' << Pad(Fixed(l.p50_ms, 1), 8)
        << ' ' << Pad(Fixed(l.p90_ms, 1), 8) << ' ' << Pad(Fixed(l.p99_ms, 1), 8) << ' '
        << Pad(Fixed(l.p999_ms, 1), 9) << ' ' << Pad(Fixed(l.max_ms, 1), 8) << ' '
        << Pad(std::to_string(p.ErrorCount() - p.unfinished), 7) << ' '
        << Pad(std::to_string(p.unfinished), 7) << ' ' << Pad(p.load_average, 16) << '\n';
  }
  out << "\nCPU milliseconds per saga (during the measurement window):\n";
  std::vector<std::string> names;
  for (const auto& p : report.phases)
    for (const auto& [name, _] : p.cpu_seconds)
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  out << Pad("offered", 12) << ' ';
  for (const auto& name : names) out << Pad(name, std::max<std::size_t>(9, name.size())) << ' ';
  out << Pad("total", 9) << '\n';
  for (const auto& p : report.phases) {
    const auto per_saga = CpuMsPerSaga(p);
    double total = 0;
    out << Pad(Label(p), 12) << ' ';
    for (const auto& name : names) {
      const auto it = per_saga.find(name);
      const double v = it == per_saga.end() ? 0.0 : it->second;
      total += v;
      out << Pad(Fixed(v, 2), std::max<std::size_t>(9, name.size())) << ' ';
    }
    out << Pad(Fixed(total, 2), 9) << '\n';
  }
  for (const auto& p : report.phases) {
    if (p.errors.empty()) continue;
    out << Label(p) << " errors:";
    for (const auto& [kind, count] : p.errors) out << ' ' << kind << " x" << count;
    out << '\n';
  }
  out << "\nduplicate terminal events observed: " << report.duplicate_terminal_events << '\n';
  const auto& inv = report.invariants;
  if (!inv.checked) {
    out << "invariants: not checked (no database DSNs given)\n";
  } else if (!inv.error.empty()) {
    out << "invariants: CHECK FAILED TO RUN: " << inv.error << '\n';
  } else {
    out << "invariants: " << (inv.ok ? "OK" : "VIOLATED") << " (";
    bool first = true;
    for (const auto& [name, value] : inv.stats) {
      out << (first ? "" : ", ") << name << '=' << value;
      first = false;
    }
    out << ")\n";
    for (const auto& v : inv.violations) out << "  violation: " << v << '\n';
  }
  return out.str();
}

nlohmann::json ToJson(const RunReport& report) {
  nlohmann::json phases = nlohmann::json::array();
  for (const auto& p : report.phases) {
    nlohmann::json cpu = nlohmann::json::object();
    const auto per_saga = CpuMsPerSaga(p);
    for (const auto& [name, seconds] : p.cpu_seconds) {
      const auto it = per_saga.find(name);
      cpu[name] = {{"seconds", seconds}, {"msPerSaga", it == per_saga.end() ? 0.0 : it->second}};
    }
    phases.push_back({{"mode", p.mode},
                      {"offeredRate", p.offered_rate},
                      {"clients", p.clients},
                      {"windowSeconds", p.window_s},
                      {"sent", p.sent},
                      {"accepted", p.accepted},
                      {"endedInWindow", p.ended_in_window},
                      {"sagasPerSecond", p.sagas_per_s},
                      {"outcomes", p.outcomes},
                      {"unfinished", p.unfinished},
                      {"errors", p.errors},
                      {"endToEnd", LatencyJson(p.end_to_end)},
                      {"accept", LatencyJson(p.accept)},
                      {"cpu", cpu},
                      {"loadAverage", p.load_average}});
  }
  const auto& inv = report.invariants;
  nlohmann::json verdict{{"checked", inv.checked},
                         {"ok", inv.checked && inv.error.empty() && inv.ok},
                         {"violations", inv.violations},
                         {"stats", inv.stats}};
  if (!inv.error.empty()) verdict["error"] = inv.error;
  return {{"settings", report.settings},
          {"phases", phases},
          {"duplicateTerminalEvents", report.duplicate_terminal_events},
          {"invariants", verdict}};
}

std::string RenderSvg(const RunReport& report, const std::string& title) {
  constexpr double kWidth = 760, kHeight = 460, kLeft = 70, kRight = 150, kTop = 40, kBottom = 60;
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  double max_x = 1, min_y = 1e9, max_y = 1;
  for (const auto& p : report.phases) {
    max_x = std::max(max_x, p.sagas_per_s);
    for (double v : {p.end_to_end.p50_ms, p.end_to_end.p90_ms, p.end_to_end.p99_ms, p.end_to_end.p999_ms}) {
      if (v > 0) {
        min_y = std::min(min_y, v);
        max_y = std::max(max_y, v);
      }
    }
  }
  if (min_y > max_y) min_y = 1;
  const double lo = std::pow(10.0, std::floor(std::log10(std::max(min_y, 0.1))));
  const double hi = std::pow(10.0, std::ceil(std::log10(max_y * 1.01)));
  const double x_hi = std::ceil(max_x * 1.1 / 100.0) * 100.0;
  const auto px = [&](double x) { return kLeft + x / x_hi * plot_w; };
  const auto py = [&](double y) {
    const double v = std::clamp(y, lo, hi);
    return kTop + plot_h - (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) * plot_h;
  };
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << kHeight
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << kLeft << "\" y=\"22\" font-size=\"14\">" << XmlEscape(title) << "</text>\n";
  // Axes and grid: decades on y, ten steps on x.
  for (double d = lo; d <= hi * 1.0001; d *= 10) {
    svg << "<line x1=\"" << kLeft << "\" x2=\"" << kLeft + plot_w << "\" y1=\"" << py(d) << "\" y2=\""
        << py(d) << "\" stroke=\"#ddd\"/>\n<text x=\"" << kLeft - 6 << "\" y=\"" << py(d) + 4
        << "\" text-anchor=\"end\">" << Fixed(d, d < 1 ? 1 : 0) << "</text>\n";
  }
  for (int i = 0; i <= 10; ++i) {
    const double x = x_hi * i / 10.0;
    svg << "<line x1=\"" << px(x) << "\" x2=\"" << px(x) << "\" y1=\"" << kTop << "\" y2=\"" << kTop + plot_h
        << "\" stroke=\"#eee\"/>\n<text x=\"" << px(x) << "\" y=\"" << kTop + plot_h + 16
        << "\" text-anchor=\"middle\">" << Fixed(x, 0) << "</text>\n";
  }
  svg << "<rect x=\"" << kLeft << "\" y=\"" << kTop << "\" width=\"" << plot_w << "\" height=\"" << plot_h
      << "\" fill=\"none\" stroke=\"#333\"/>\n"
      << "<text x=\"" << kLeft + plot_w / 2 << "\" y=\"" << kHeight - 18
      << "\" text-anchor=\"middle\">sagas ended per second (measured)</text>\n"
      << "<text transform=\"translate(18," << kTop + plot_h / 2
      << ") rotate(-90)\" text-anchor=\"middle\">end-to-end latency, ms (log scale)</text>\n";
  struct Series {
    const char* name;
    const char* colour;
    double LatencySummary::*field;
  };
  const Series series[] = {{"p50", "#1b9e77", &LatencySummary::p50_ms},
                           {"p90", "#7570b3", &LatencySummary::p90_ms},
                           {"p99", "#d95f02", &LatencySummary::p99_ms},
                           {"p99.9", "#e7298a", &LatencySummary::p999_ms}};
  int row = 0;
  for (const auto& s : series) {
    std::ostringstream points;
    for (const auto& p : report.phases) {
      if (p.end_to_end.count == 0) continue;
      points << px(p.sagas_per_s) << ',' << py(p.end_to_end.*s.field) << ' ';
    }
    svg << "<polyline fill=\"none\" stroke=\"" << s.colour << "\" stroke-width=\"2\" points=\""
        << points.str() << "\"/>\n";
    for (const auto& p : report.phases) {
      if (p.end_to_end.count == 0) continue;
      svg << "<circle cx=\"" << px(p.sagas_per_s) << "\" cy=\"" << py(p.end_to_end.*s.field)
          << "\" r=\"3\" fill=\"" << s.colour << "\"><title>" << Label(p) << ": " << s.name << ' '
          << Fixed(p.end_to_end.*s.field, 1) << " ms at " << Fixed(p.sagas_per_s, 1)
          << "/s</title></circle>\n";
    }
    const double ly = kTop + 10 + row * 18;
    svg << "<line x1=\"" << kLeft + plot_w + 15 << "\" x2=\"" << kLeft + plot_w + 35 << "\" y1=\"" << ly
        << "\" y2=\"" << ly << "\" stroke=\"" << s.colour << "\" stroke-width=\"2\"/>\n<text x=\""
        << kLeft + plot_w + 40 << "\" y=\"" << ly + 4 << "\">" << s.name << "</text>\n";
    ++row;
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace saga::bench
