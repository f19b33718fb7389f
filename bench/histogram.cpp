#include "bench/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

namespace saga::bench {

LogLinearHistogram::LogLinearHistogram(int significant_bits, std::uint64_t highest_trackable)
    : bits_(significant_bits), highest_(highest_trackable) {
  if (significant_bits < 2 || significant_bits > 16)
    throw std::invalid_argument("histogram: significant_bits must be in [2, 16]");
  sub_count_ = std::uint64_t{1} << static_cast<unsigned>(bits_);
  half_ = sub_count_ / 2;
  if (highest_trackable < sub_count_)
    throw std::invalid_argument("histogram: highest_trackable must be at least 2^significant_bits");
  counts_.assign(IndexOf(highest_) + 1, 0);
}

std::size_t LogLinearHistogram::IndexOf(std::uint64_t value) const noexcept {
  if (value < sub_count_) return static_cast<std::size_t>(value);
  // value in [2^k, 2^(k+1)), k >= bits_: keep its top bits_ - 1 bits below the leading one.
  const int k = static_cast<int>(std::bit_width(value)) - 1;
  const int shift = k - (bits_ - 1);
  const std::uint64_t sub = value >> static_cast<unsigned>(shift);  // in [half_, sub_count_)
  return static_cast<std::size_t>(sub_count_ + static_cast<std::uint64_t>(shift - 1) * half_ + (sub - half_));
}

std::uint64_t LogLinearHistogram::LowestInBucket(std::size_t index) const noexcept {
  if (index < sub_count_) return index;
  const std::uint64_t above = index - sub_count_;
  const auto shift = static_cast<unsigned>(above / half_ + 1);
  const std::uint64_t sub = half_ + above % half_;
  return sub << shift;
}

std::uint64_t LogLinearHistogram::HighestInBucket(std::size_t index) const noexcept {
  if (index < sub_count_) return index;
  const std::uint64_t above = index - sub_count_;
  const auto shift = static_cast<unsigned>(above / half_ + 1);
  return LowestInBucket(index) + (std::uint64_t{1} << shift) - 1;
}

void LogLinearHistogram::Record(std::uint64_t value, std::uint64_t count) {
  if (count == 0) return;
  if (value > highest_) {
    value = highest_;
    saturated_ += count;
  }
  counts_[IndexOf(value)] += count;
  if (total_ == 0 || value < min_) min_ = value;
  max_ = std::max(max_, value);
  total_ += count;
  sum_ += static_cast<long double>(value) * static_cast<long double>(count);
}

void LogLinearHistogram::Add(const LogLinearHistogram& other) {
  if (other.bits_ != bits_ || other.highest_ != highest_)
    throw std::invalid_argument("histogram: cannot add a histogram of another layout");
  if (other.total_ == 0) return;
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = total_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  total_ += other.total_;
  saturated_ += other.saturated_;
  sum_ += other.sum_;
}

void LogLinearHistogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = min_ = max_ = saturated_ = 0;
  sum_ = 0;
}

double LogLinearHistogram::Mean() const noexcept {
  return total_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(total_));
}

std::uint64_t LogLinearHistogram::ValueAtPercentile(double percentile) const {
  if (total_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  if (percentile >= 100.0) return max_;
  auto target = static_cast<std::uint64_t>(std::ceil(percentile / 100.0 * static_cast<double>(total_)));
  target = std::max<std::uint64_t>(target, 1);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= target) return std::min(HighestInBucket(i), max_);
  }
  return max_;
}

}  // namespace saga::bench
