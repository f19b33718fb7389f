#pragma once
// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` value
// "00-<32 hex trace id>-<16 hex span id>-<2 hex flags>" that ties an HTTP request, the saga it
// starts and every message of that saga into one trace. No I/O; span ids come from a
// thread-local random generator. Values are immutable and cheap to copy.

#include <optional>
#include <string>
#include <string_view>

#include "saga/core/uuid.hpp"

namespace saga::core {

class TraceContext {
 public:
  /// Parses a traceparent. Version 00 must have exactly four fields; higher versions are
  /// accepted by their first four fields, as the spec asks. Refuses version ff, all-zero ids and
  /// non-lowercase-hex digits.
  [[nodiscard]] static std::optional<TraceContext> Parse(std::string_view traceparent) noexcept;
  /// A new trace (random trace id and span id, sampled).
  [[nodiscard]] static TraceContext NewRoot();
  /// A trace whose id is `trace_id`'s 32 hex digits, with a random span id (sampled).
  [[nodiscard]] static TraceContext ForTrace(const Uuid& trace_id);

  /// The same trace, a new span whose parent is this one (the flags carry over).
  [[nodiscard]] TraceContext Child() const;

  /// 32 lowercase hex digits.
  [[nodiscard]] const std::string& TraceId() const noexcept { return trace_id_; }
  /// 16 lowercase hex digits.
  [[nodiscard]] const std::string& SpanId() const noexcept { return span_id_; }
  [[nodiscard]] const std::string& Flags() const noexcept { return flags_; }
  /// "00-<trace id>-<span id>-<flags>".
  [[nodiscard]] std::string ToTraceparent() const;

 private:
  TraceContext(std::string trace_id, std::string span_id, std::string flags)
      : trace_id_(std::move(trace_id)), span_id_(std::move(span_id)), flags_(std::move(flags)) {}

  std::string trace_id_;
  std::string span_id_;
  std::string flags_;
};

}  // namespace saga::core
