#pragma once
// Small helpers shared by the repositories: moving timestamps and UUIDs through SQL exactly.
// Timestamps travel as microseconds since the epoch (bigint), never as floating point.

#include <string>

#include <pqxx/field>

#include "saga/core/time.hpp"
#include "saga/core/uuid.hpp"
#include "saga/pg/errors.hpp"

namespace saga::pg {

/// SQL turning bigint parameter $n (microseconds since the epoch) into a timestamptz.
[[nodiscard]] inline std::string TimestampParam(int n) {
  return "(timestamptz 'epoch' + $" + std::to_string(n) + "::bigint * interval '1 microsecond')";
}

/// SQL selecting timestamptz `column` as bigint microseconds since the epoch.
[[nodiscard]] inline std::string MicrosOf(const std::string& column) {
  return "(extract(epoch FROM " + column + ") * 1000000)::bigint";
}

[[nodiscard]] inline core::Timestamp TimestampOf(const pqxx::field& field) {
  return core::FromUnixMicros(field.as<std::int64_t>());
}

/// An array literal ("{a,b,c}") of `values`, each written by `text(value)`, for a parameter such
/// as `= ANY($1::uuid[])`. Only for values that need no quoting in an array (uuids, numbers);
/// anything else goes through pg::BulkRows, which quotes.
template <typename Range, typename Text>
[[nodiscard]] std::string ArrayLiteral(const Range& values, Text text) {
  std::string array = "{";
  for (const auto& value : values) {
    if (array.size() > 1) array += ',';
    array += text(value);
  }
  return array + "}";
}

/// A stored uuid (selected as text); QueryError when malformed.
[[nodiscard]] inline core::Uuid UuidOf(const pqxx::field& field) {
  auto id = core::Uuid::Parse(field.c_str());
  if (!id) throw QueryError("stored uuid is malformed: " + std::string(field.c_str()), "");
  return *id;
}

}  // namespace saga::pg
