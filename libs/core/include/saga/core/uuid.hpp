#pragma once
// Uuid: a 128-bit RFC 4122 identifier, the representation of every entity and message id.
// Parsing is strict (canonical 8-4-4-4-12 hex form, case-insensitive); output is lower case.

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>

namespace saga::core {

class Uuid {
 public:
  /// The nil UUID (all zero).
  Uuid() = default;
  explicit Uuid(const std::array<std::uint8_t, 16>& bytes) : bytes_(bytes) {}

  /// Parses the canonical textual form; nullopt for anything else.
  [[nodiscard]] static std::optional<Uuid> Parse(std::string_view text);

  /// A random (version 4) UUID from the given generator. Thread-safe only if the generator is.
  [[nodiscard]] static Uuid Random(std::mt19937_64& rng);

  /// A random (version 4) UUID from a thread-local generator seeded from std::random_device.
  [[nodiscard]] static Uuid Random();

  /// A time-ordered (version 7, RFC 9562) UUID: the 48-bit big-endian Unix time in milliseconds,
  /// then 74 random bits. Ids made later sort after earlier ones (within a millisecond: in any
  /// order), so a B-tree index over them grows at its right edge: an insert touches the few
  /// recent pages instead of a random one of all of them, which kept a random page per insert in
  /// the buffer cache and wrote it whole to the WAL after every checkpoint (docs/performance.md).
  /// Still unguessable (74 random bits); it does reveal when it was made.
  [[nodiscard]] static Uuid TimeOrdered(std::int64_t unix_millis, std::mt19937_64& rng);

  /// TimeOrdered at the system clock's now, from the thread-local generator of Random().
  [[nodiscard]] static Uuid TimeOrdered();

  [[nodiscard]] bool IsNil() const noexcept;
  [[nodiscard]] std::string ToString() const;
  [[nodiscard]] const std::array<std::uint8_t, 16>& Bytes() const noexcept { return bytes_; }

  friend auto operator<=>(const Uuid&, const Uuid&) = default;
  friend bool operator==(const Uuid&, const Uuid&) = default;
  friend std::ostream& operator<<(std::ostream& out, const Uuid& id) { return out << id.ToString(); }

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

}  // namespace saga::core

template <>
struct std::hash<saga::core::Uuid> {
  std::size_t operator()(const saga::core::Uuid& id) const noexcept;
};
