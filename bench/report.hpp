#pragma once
// What a benchmark run measured, and its three renderings: a text table, JSON and an SVG chart
// of the latency percentiles against the throughput. No I/O (the caller writes the strings).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/histogram.hpp"

namespace saga::bench {

/// What the orders are made of. Shares are fractions of all orders (their sum at most 1; the
/// rest are plain orders that should complete).
struct Mix {
  double fail_stock = 0;  // one line for a product without stock: the reservation fails
  double decline = 0;     // paid with tok_sim_decline: the payment is declined, stock released
  double cancel = 0;      // cancelled (PUT .../cancel) right after the 202
  int items_min = 1;      // distinct products per order, drawn uniformly in [min, max]
  int items_max = 1;
  int quantity_max = 1;  // units per line, drawn uniformly in [1, max]
  int products = 100;    // distinct products the lines are drawn from (1 = one hot product)

  /// Throws std::invalid_argument naming the bad field.
  void Validate() const;
};

/// One phase: an open-loop rate (orders/s) or a closed loop of `clients` clients.
struct PhaseSpec {
  double rate = 0;
  int clients = 0;
  std::chrono::seconds warmup{5};
  std::chrono::seconds duration{20};
};

struct LatencySummary {
  std::uint64_t count = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, mean_ms = 0;
};
/// Percentiles of a histogram of microseconds, in milliseconds.
[[nodiscard]] LatencySummary Summarize(const LogLinearHistogram& micros);

struct PhaseResult {
  std::string mode;         // "open" or "closed"
  double offered_rate = 0;  // open loop: orders/s due; closed loop: 0
  int clients = 0;
  double window_s = 0;                // measurement window
  std::uint64_t sent = 0;             // measured orders sent (or due, when the generator fell behind)
  std::uint64_t accepted = 0;         // 202
  std::uint64_t ended_in_window = 0;  // sagas (any phase) whose end was observed in the window
  double sagas_per_s = 0;             // ended_in_window / window_s
  std::map<std::string, std::uint64_t> outcomes;  // completed / failed / cancelled (measured)
  std::uint64_t unfinished = 0;                   // measured and accepted, no end within the drain timeout
  std::map<std::string, std::uint64_t> errors;    // "HTTP 429", "transport", ...
  std::uint64_t ErrorCount() const;
  LatencySummary end_to_end;                  // intended send -> terminal event observed (measured orders)
  LatencySummary accept;                      // intended send -> 202 received
  std::map<std::string, double> cpu_seconds;  // per process during the window
  std::string load_average;                   // /proc/loadavg at the end of the window
};

struct InvariantVerdict {
  bool checked = false;  // false: no DSNs given
  bool ok = false;
  std::vector<std::string> violations;
  std::map<std::string, std::int64_t> stats;
  std::string error;  // the check itself failed (database unreachable)
};

struct RunReport {
  nlohmann::json settings;  // what was run (mix, phases, target, machine)
  std::vector<PhaseResult> phases;
  InvariantVerdict invariants;
  std::uint64_t duplicate_terminal_events = 0;
};

/// The table printed at the end of a run (one line per phase, then the CPU per saga and the
/// verdict).
[[nodiscard]] std::string FormatTable(const RunReport& report);
[[nodiscard]] nlohmann::json ToJson(const RunReport& report);
/// p50/p90/p99/p99.9 end-to-end latency (log scale) against sagas/s, one point per phase.
[[nodiscard]] std::string RenderSvg(const RunReport& report, const std::string& title);

}  // namespace saga::bench
