#pragma once
// Reads a Prometheus text exposition (GET /metrics, observability::Metrics::Expose) so tests can
// assert metric values after a known scenario.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace saga::testing {

class MetricSamples {
 public:
  using Labels = std::map<std::string, std::string>;

  /// Parses the text format 0.0.4 (comments, HELP and TYPE lines, samples with optional labels
  /// and timestamps). Throws std::invalid_argument naming the line for a malformed sample.
  [[nodiscard]] static MetricSamples Parse(std::string_view text);

  /// The value of the sample `name` with exactly `labels`; nullopt when there is none.
  [[nodiscard]] std::optional<double> Find(std::string_view name, const Labels& labels = {}) const;
  /// Sum of the samples `name` whose labels include `labels` (0 when none: an untouched counter).
  [[nodiscard]] double Sum(std::string_view name, const Labels& labels = {}) const;
  /// Number of samples `name` whose labels include `labels`.
  [[nodiscard]] std::size_t Count(std::string_view name, const Labels& labels = {}) const;
  /// Family names declared by "# TYPE" lines.
  [[nodiscard]] const std::set<std::string>& Families() const noexcept { return families_; }

 private:
  struct Sample {
    std::string name;
    Labels labels;
    double value = 0;
  };
  std::vector<Sample> samples_;
  std::set<std::string> families_;
};

}  // namespace saga::testing
