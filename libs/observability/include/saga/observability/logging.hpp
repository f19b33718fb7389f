#pragma once
// Structured JSON logging on top of spdlog. One JSON object per line:
//   {"ts":"2026-11-24T23:59:59.123Z","level":"info","service":"order","msg":"...",
//    "correlation_id":"...", ...}
// Context fields (correlation id, saga id, order id, trace id) are attached per thread with
// ScopedLogFields, so every line logged while handling a message or request carries them.
// Never log secrets, tokens or card data.

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

namespace saga::observability {

struct LogConfig {
  /// Service name written in every line ("order", "inventory", "payment", "sagactl").
  std::string service = "unknown";
  /// trace, debug, info, warn, error, critical, off.
  std::string level = "info";
  /// true: JSON lines (default); false: human-readable text (developer terminals).
  bool json = true;

  /// Throws core::ConfigError for an unknown level.
  void Validate() const;
};

/// Installs the default spdlog logger (stderr, synchronous) with the JSON formatter.
/// Call once at start-up, before threads start logging.
void InitLogging(const LogConfig& config);

/// Formats a spdlog record as one JSON object (exposed for tests).
class JsonFormatter final : public spdlog::formatter {
 public:
  explicit JsonFormatter(std::string service) : service_(std::move(service)) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override;

 private:
  std::string service_;
};

/// The human-readable format (log.format "text"): time, level, [service], message, then the
/// context fields as " key=value".
[[nodiscard]] std::unique_ptr<spdlog::formatter> MakeTextFormatter(const std::string& service);

/// Adds key/value fields to every log line of the current thread until destroyed. Nestable: a key
/// set again by an inner scope shows the inner value once; empty values are left out.
class ScopedLogFields {
 public:
  explicit ScopedLogFields(std::initializer_list<std::pair<std::string, std::string>> fields);
  ~ScopedLogFields();
  ScopedLogFields(const ScopedLogFields&) = delete;
  ScopedLogFields& operator=(const ScopedLogFields&) = delete;

 private:
  std::size_t added_;
};

/// The span the current thread works in (W3C traceparent), set by the HTTP telemetry middleware
/// and the consumers for the duration of a request or message; calls to other services carry it
/// as their `traceparent` header. Nestable like ScopedLogFields.
class ScopedTrace {
 public:
  explicit ScopedTrace(std::string traceparent);
  ~ScopedTrace();
  ScopedTrace(const ScopedTrace&) = delete;
  ScopedTrace& operator=(const ScopedTrace&) = delete;

 private:
  std::string previous_;
};

/// The current thread's span ("" outside a request or message).
[[nodiscard]] const std::string& CurrentTraceparent() noexcept;

/// Appends `text` to `out` as the body of a JSON string (without quotes), escaping as needed.
void AppendJsonEscaped(std::string_view text, spdlog::memory_buf_t& out);

}  // namespace saga::observability
