#include "saga/config/config_source.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "saga/core/errors.hpp"

namespace saga::config {
namespace {

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): start-up only
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

void Flatten(const nlohmann::json& node, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (node.is_object()) {
    for (const auto& [key, child] : node.items()) {
      Flatten(child, prefix.empty() ? key : prefix + "." + key, out);
    }
  } else if (node.is_string()) {
    out[prefix] = node.get<std::string>();
  } else if (!node.is_null()) {
    out[prefix] = node.dump();
  }
}

}  // namespace

ConfigSource::ConfigSource() : env_(ProcessEnv) {}

ConfigSource ConfigSource::Load(const std::string& file_path, EnvLookup env) {
  ConfigSource source = FromMap({}, std::move(env));
  if (file_path.empty()) return source;
  std::ifstream in(file_path);
  if (!in) throw core::ConfigError("cannot open config file '" + file_path + "'");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw core::ConfigError("config file '" + file_path + "' is not valid JSON: " + e.what());
  }
  if (!doc.is_object()) {
    throw core::ConfigError("config file '" + file_path + "' must hold a JSON object");
  }
  Flatten(doc, "", source.values_);
  return source;
}

ConfigSource ConfigSource::FromMap(std::map<std::string, std::string> values, EnvLookup env) {
  ConfigSource source;
  source.values_ = std::move(values);
  if (env) source.env_ = std::move(env);
  return source;
}

std::string ConfigSource::EnvName(const std::string& key) {
  std::string name = "SAGA_";
  for (char c : key) {
    name.push_back(c == '.' || c == '-' ? '_'
                                        : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return name;
}

std::optional<std::string> ConfigSource::Find(const std::string& key) const {
  if (env_) {
    if (auto value = env_(EnvName(key)); value.has_value()) return value;
  }
  if (auto it = values_.find(key); it != values_.end()) return it->second;
  return std::nullopt;
}

std::string ConfigSource::GetString(const std::string& key, const std::string& fallback) const {
  return Find(key).value_or(fallback);
}

std::int64_t ConfigSource::GetInt(const std::string& key, std::int64_t fallback, std::int64_t min,
                                  std::int64_t max) const {
  auto text = Find(key);
  if (!text.has_value()) return fallback;
  std::int64_t value = 0;
  const char* begin = text->data();
  const char* end = begin + text->size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end) {
    throw core::ConfigError("config '" + key + "' (" + EnvName(key) + "): '" + *text + "' is not an integer");
  }
  if (value < min || value > max) {
    std::ostringstream msg;
    msg << "config '" << key << "' (" << EnvName(key) << "): " << value << " is outside [" << min << ", "
        << max << "]";
    throw core::ConfigError(msg.str());
  }
  return value;
}

bool ConfigSource::GetBool(const std::string& key, bool fallback) const {
  auto text = Find(key);
  if (!text.has_value()) return fallback;
  std::string lower = *text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") return true;
  if (lower == "false" || lower == "0" || lower == "no" || lower == "off") return false;
  throw core::ConfigError("config '" + key + "' (" + EnvName(key) + "): '" + *text + "' is not a boolean");
}

std::chrono::milliseconds ConfigSource::GetMillis(const std::string& key,
                                                  std::chrono::milliseconds fallback) const {
  return std::chrono::milliseconds(GetInt(key, fallback.count(), 0, 24LL * 3600 * 1000));
}

}  // namespace saga::config
