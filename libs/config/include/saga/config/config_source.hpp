#pragma once
// ConfigSource: the values a component's typed config is read from, layered as
//   built-in defaults (in each component's struct) < JSON config file < environment.
// Keys are dotted paths into the JSON document ("http.port"); the environment override of a key
// is SAGA_ + the key upper-cased with '.' replaced by '_' ("SAGA_HTTP_PORT").
// Secrets (passwords, keys) belong in the environment or in files outside the repository.
//
// Read once at start-up; immutable afterwards, so safe to share between threads.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace saga::config {

class ConfigSource {
 public:
  /// Looks up an environment variable; injectable for tests.
  using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

  /// An empty source that reads only the process environment.
  ConfigSource();

  /// Loads `file_path` (JSON object; nested objects become dotted keys) when non-empty.
  /// Throws core::ConfigError when the file is missing or not valid JSON.
  static ConfigSource Load(const std::string& file_path, EnvLookup env = {});

  /// A source from explicit key/value pairs (tests).
  static ConfigSource FromMap(std::map<std::string, std::string> values, EnvLookup env = {});

  /// The environment variable that overrides `key`: "kafka.brokers" -> "SAGA_KAFKA_BROKERS".
  [[nodiscard]] static std::string EnvName(const std::string& key);

  [[nodiscard]] std::optional<std::string> Find(const std::string& key) const;

  [[nodiscard]] std::string GetString(const std::string& key, const std::string& fallback) const;
  /// Throws core::ConfigError naming the key when the value is not an integer in range.
  [[nodiscard]] std::int64_t GetInt(const std::string& key, std::int64_t fallback, std::int64_t min,
                                    std::int64_t max) const;
  /// Accepts true/false/1/0/yes/no/on/off.
  [[nodiscard]] bool GetBool(const std::string& key, bool fallback) const;
  [[nodiscard]] std::chrono::milliseconds GetMillis(const std::string& key,
                                                    std::chrono::milliseconds fallback) const;

 private:
  std::map<std::string, std::string> values_;
  EnvLookup env_;
};

}  // namespace saga::config
