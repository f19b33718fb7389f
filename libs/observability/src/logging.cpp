#include "saga/observability/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <chrono>
#include <ctime>

#include "saga/core/errors.hpp"

namespace saga::observability {
namespace {

thread_local std::vector<std::pair<std::string, std::string>> tls_fields;
thread_local std::string tls_traceparent;

void Append(spdlog::memory_buf_t& out, std::string_view text) {
  out.append(text.data(), text.data() + text.size());
}

void AppendField(spdlog::memory_buf_t& out, std::string_view key, std::string_view value) {
  Append(out, ",\"");
  AppendJsonEscaped(key, out);
  Append(out, "\":\"");
  AppendJsonEscaped(value, out);
  Append(out, "\"");
}

// Calls `emit(key, value)` for each context field of this thread: innermost value of a key,
// empty values left out.
template <typename Emit>
void ForEachField(Emit&& emit) {
  for (std::size_t i = 0; i < tls_fields.size(); ++i) {
    bool shadowed = false;
    for (std::size_t j = i + 1; j < tls_fields.size() && !shadowed; ++j) {
      shadowed = tls_fields[j].first == tls_fields[i].first;
    }
    if (!shadowed && !tls_fields[i].second.empty()) emit(tls_fields[i].first, tls_fields[i].second);
  }
}

// "%*" in the text pattern: " key=value" for each context field.
class FieldsFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& /*msg*/, const std::tm& /*tm*/, spdlog::memory_buf_t& dest) override {
    ForEachField([&](std::string_view key, std::string_view value) {
      Append(dest, " ");
      Append(dest, key);
      Append(dest, "=");
      Append(dest, value);
    });
  }
  [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<FieldsFlag>();
  }
};

}  // namespace

void LogConfig::Validate() const {
  if (spdlog::level::from_str(level) == spdlog::level::off && level != "off") {
    throw core::ConfigError("log.level: unknown level '" + level +
                            "' (trace, debug, info, warn, error, critical, off)");
  }
}

void AppendJsonEscaped(std::string_view text, spdlog::memory_buf_t& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        Append(out, "\\\"");
        break;
      case '\\':
        Append(out, "\\\\");
        break;
      case '\n':
        Append(out, "\\n");
        break;
      case '\r':
        Append(out, "\\r");
        break;
      case '\t':
        Append(out, "\\t");
        break;
      default:
        if (u < 0x20) {
          const char esc[] = {'\\', 'u', '0', '0', kHex[u >> 4U], kHex[u & 0x0FU]};
          out.append(esc, esc + sizeof(esc));
        } else {
          out.push_back(c);
        }
    }
  }
}

void JsonFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  using namespace std::chrono;
  const auto since_epoch = msg.time.time_since_epoch();
  const auto secs = duration_cast<seconds>(since_epoch);
  const auto millis = duration_cast<milliseconds>(since_epoch - secs).count();
  const std::time_t tt = secs.count();
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char ts[40];
  const auto n = std::strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
  Append(dest, "{\"ts\":\"");
  Append(dest, std::string_view(ts, n));
  const char ms[] = {'.',
                     static_cast<char>('0' + millis / 100),
                     static_cast<char>('0' + millis / 10 % 10),
                     static_cast<char>('0' + millis % 10),
                     'Z',
                     '"'};
  dest.append(ms, ms + sizeof(ms));
  const auto level = spdlog::level::to_string_view(msg.level);
  AppendField(dest, "level", std::string_view(level.data(), level.size()));
  AppendField(dest, "service", service_);
  AppendField(dest, "msg", std::string_view(msg.payload.data(), msg.payload.size()));
  // A nested scope may set a key again (the saga's ids inside a consumer's): the innermost wins.
  ForEachField([&](std::string_view key, std::string_view value) { AppendField(dest, key, value); });
  Append(dest, "}\n");
}

std::unique_ptr<spdlog::formatter> JsonFormatter::clone() const {
  return std::make_unique<JsonFormatter>(service_);
}

ScopedLogFields::ScopedLogFields(std::initializer_list<std::pair<std::string, std::string>> fields)
    : added_(fields.size()) {
  for (const auto& field : fields) tls_fields.push_back(field);
}

ScopedLogFields::~ScopedLogFields() {
  tls_fields.resize(tls_fields.size() - added_);
}

ScopedTrace::ScopedTrace(std::string traceparent) : previous_(std::move(tls_traceparent)) {
  tls_traceparent = std::move(traceparent);
}

ScopedTrace::~ScopedTrace() {
  tls_traceparent = std::move(previous_);
}

const std::string& CurrentTraceparent() noexcept {
  return tls_traceparent;
}

std::unique_ptr<spdlog::formatter> MakeTextFormatter(const std::string& service) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<FieldsFlag>('*').set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [" + service + "] %v%*");
  return formatter;
}

void InitLogging(const LogConfig& config) {
  config.Validate();
  auto logger =
      std::make_shared<spdlog::logger>(config.service, std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (config.json) {
    logger->set_formatter(std::make_unique<JsonFormatter>(config.service));
  } else {
    logger->set_formatter(MakeTextFormatter(config.service));
  }
  logger->set_level(spdlog::level::from_str(config.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace saga::observability
