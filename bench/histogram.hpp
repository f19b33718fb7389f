#pragma once
// A log-linear histogram of non-negative integers (the benchmark records microseconds), in the
// manner of HdrHistogram: values below 2^significant_bits are counted exactly; above, every
// power-of-two range [2^k, 2^(k+1)) is split into 2^(significant_bits-1) equal buckets, so a
// reported value is at most 2^-(significant_bits-1) (relative) above the true one. Memory is
// fixed at construction (a few thousand counters); recording is O(1) without allocation.
//
// Percentiles are reported as the highest value that the chosen bucket holds (HdrHistogram's
// "highest equivalent value"), capped by the largest value recorded: never optimistic. Values
// above `highest_trackable` are recorded as `highest_trackable` and counted in Saturated().
//
// Thread-safety: none; one histogram per thread, merged with Add().

#include <cstdint>
#include <vector>

namespace saga::bench {

class LogLinearHistogram {
 public:
  /// `significant_bits` in [2, 16]; `highest_trackable` >= 2^significant_bits. Throws
  /// std::invalid_argument otherwise.
  explicit LogLinearHistogram(int significant_bits = 8, std::uint64_t highest_trackable = 3'600'000'000ULL);

  void Record(std::uint64_t value, std::uint64_t count = 1);
  /// Adds every count of `other`, which must have the same layout (std::invalid_argument).
  void Add(const LogLinearHistogram& other);
  void Reset();

  [[nodiscard]] std::uint64_t Count() const noexcept { return total_; }
  [[nodiscard]] std::uint64_t Min() const noexcept { return total_ == 0 ? 0 : min_; }
  [[nodiscard]] std::uint64_t Max() const noexcept { return max_; }
  [[nodiscard]] double Mean() const noexcept;
  [[nodiscard]] std::uint64_t Saturated() const noexcept { return saturated_; }
  /// The value below or at which `percentile` (0..100) percent of the recorded values lie
  /// (see above); 0 when empty; 100 gives Max().
  [[nodiscard]] std::uint64_t ValueAtPercentile(double percentile) const;

  /// Bucket arithmetic, exposed for the tests.
  [[nodiscard]] std::size_t IndexOf(std::uint64_t value) const noexcept;
  [[nodiscard]] std::uint64_t LowestInBucket(std::size_t index) const noexcept;
  [[nodiscard]] std::uint64_t HighestInBucket(std::size_t index) const noexcept;
  [[nodiscard]] std::size_t BucketCount() const noexcept { return counts_.size(); }

 private:
  int bits_;
  std::uint64_t highest_;
  std::uint64_t sub_count_;  // 2^bits: exact values below this
  std::uint64_t half_;       // sub_count_ / 2: buckets per power of two above
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t saturated_ = 0;
  long double sum_ = 0;
};

}  // namespace saga::bench
