#include "saga/testing/metric_samples.hpp"

#include <cmath>
#include <stdexcept>

namespace saga::testing {
namespace {

bool Includes(const MetricSamples::Labels& have, const MetricSamples::Labels& want) {
  for (const auto& [key, value] : want) {
    const auto it = have.find(key);
    if (it == have.end() || it->second != value) return false;
  }
  return true;
}

double ParseValue(const std::string& text) {
  if (text == "+Inf") return INFINITY;
  if (text == "-Inf") return -INFINITY;
  if (text == "NaN") return NAN;
  std::size_t used = 0;
  const double value = std::stod(text, &used);
  if (used != text.size()) throw std::invalid_argument("bad value " + text);
  return value;
}

}  // namespace

MetricSamples MetricSamples::Parse(std::string_view text) {
  MetricSamples out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string line(text.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (line.rfind("# TYPE ", 0) == 0) {
        const auto name_end = line.find(' ', 7);
        out.families_.insert(line.substr(7, name_end - 7));
      }
      continue;
    }
    try {
      Sample sample;
      std::size_t i = 0;
      while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
      sample.name = line.substr(0, i);
      if (i < line.size() && line[i] == '{') {
        ++i;
        while (i < line.size() && line[i] != '}') {
          const auto eq = line.find('=', i);
          if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
            throw std::invalid_argument("label");
          }
          const auto key = line.substr(i, eq - i);
          std::string value;
          std::size_t j = eq + 2;
          for (; j < line.size() && line[j] != '"'; ++j) {
            if (line[j] == '\\' && j + 1 < line.size()) {
              ++j;
              value += line[j] == 'n' ? '\n' : line[j];
            } else {
              value += line[j];
            }
          }
          if (j >= line.size()) throw std::invalid_argument("unterminated label value");
          sample.labels[key] = value;
          i = j + 1;
          if (i < line.size() && line[i] == ',') ++i;
        }
        if (i >= line.size()) throw std::invalid_argument("unterminated labels");
        ++i;  // '}'
      }
      while (i < line.size() && line[i] == ' ') ++i;
      const auto value_end = line.find(' ', i);
      sample.value =
          ParseValue(line.substr(i, value_end == std::string::npos ? std::string::npos : value_end - i));
      if (sample.name.empty()) throw std::invalid_argument("no name");
      out.samples_.push_back(std::move(sample));
    } catch (const std::exception& e) {
      throw std::invalid_argument("malformed metrics line '" + line + "': " + e.what());
    }
  }
  return out;
}

std::optional<double> MetricSamples::Find(std::string_view name, const Labels& labels) const {
  for (const auto& sample : samples_) {
    if (sample.name == name && sample.labels == labels) return sample.value;
  }
  return std::nullopt;
}

double MetricSamples::Sum(std::string_view name, const Labels& labels) const {
  double sum = 0;
  for (const auto& sample : samples_) {
    if (sample.name == name && Includes(sample.labels, labels)) sum += sample.value;
  }
  return sum;
}

std::size_t MetricSamples::Count(std::string_view name, const Labels& labels) const {
  std::size_t count = 0;
  for (const auto& sample : samples_) {
    if (sample.name == name && Includes(sample.labels, labels)) ++count;
  }
  return count;
}

}  // namespace saga::testing
