#include "saga/core/uuid.hpp"

#include <chrono>
#include <cstring>

namespace saga::core {
namespace {

int HexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr std::size_t kTextLength = 36;

bool IsDashPosition(std::size_t i) noexcept {
  return i == 8 || i == 13 || i == 18 || i == 23;
}

}  // namespace

std::optional<Uuid> Uuid::Parse(std::string_view text) {
  if (text.size() != kTextLength) return std::nullopt;
  std::array<std::uint8_t, 16> bytes{};
  std::size_t out = 0;
  for (std::size_t i = 0; i < kTextLength;) {
    if (IsDashPosition(i)) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    const int hi = HexValue(text[i]);
    const int lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    bytes[out++] = static_cast<std::uint8_t>((hi << 4) | lo);
    i += 2;
  }
  return Uuid(bytes);
}

Uuid Uuid::Random(std::mt19937_64& rng) {
  std::array<std::uint8_t, 16> bytes{};
  const std::uint64_t a = rng();
  const std::uint64_t b = rng();
  std::memcpy(bytes.data(), &a, 8);
  std::memcpy(bytes.data() + 8, &b, 8);
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0FU) | 0x40U);  // version 4
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3FU) | 0x80U);  // RFC 4122 variant
  return Uuid(bytes);
}

namespace {

std::mt19937_64& ThreadRng() {
  thread_local std::mt19937_64 rng{[] {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32U) ^ device();
  }()};
  return rng;
}

}  // namespace

Uuid Uuid::Random() {
  return Random(ThreadRng());
}

Uuid Uuid::TimeOrdered(std::int64_t unix_millis, std::mt19937_64& rng) {
  auto bytes = Random(rng).bytes_;
  const auto millis = static_cast<std::uint64_t>(unix_millis);
  for (std::size_t i = 0; i < 6; ++i) {
    bytes[i] = static_cast<std::uint8_t>(millis >> (8U * (5U - i)));
  }
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0FU) | 0x70U);  // version 7
  return Uuid(bytes);                                                // variant kept from Random
}

Uuid Uuid::TimeOrdered() {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return TimeOrdered(now.count(), ThreadRng());
}

bool Uuid::IsNil() const noexcept {
  for (auto b : bytes_) {
    if (b != 0) return false;
  }
  return true;
}

std::string Uuid::ToString() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(kTextLength);
  for (std::size_t i = 0; i < bytes_.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kDigits[bytes_[i] >> 4U]);
    out.push_back(kDigits[bytes_[i] & 0x0FU]);
  }
  return out;
}

}  // namespace saga::core

std::size_t std::hash<saga::core::Uuid>::operator()(const saga::core::Uuid& id) const noexcept {
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  std::memcpy(&a, id.Bytes().data(), 8);
  std::memcpy(&b, id.Bytes().data() + 8, 8);
  return static_cast<std::size_t>(a ^ (b * 0x9E3779B97F4A7C15ULL));
}
