#include "saga/http/json_body.hpp"

#include <cctype>
#include <charconv>
#include <limits>

namespace saga::http {
namespace {

constexpr int kMaxDepth = 32;

std::string_view MediaType(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
  return content_type;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// Deeply nested input is refused before parsing, so no document can exhaust the stack of
// whatever walks it later.
bool NestingWithin(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::string TypeName(const nlohmann::json& value) {
  return value.type_name();
}

}  // namespace

nlohmann::json ParseJsonObject(const Request& request, bool allow_empty) {
  const auto& body = request.body();
  const auto content_type = request[beast_http::field::content_type];
  if (allow_empty && body.empty()) return nlohmann::json::object();
  if (!EqualsIgnoreCase(MediaType(std::string_view(content_type.data(), content_type.size())),
                        "application/json")) {
    throw ProblemError(Status::unsupported_media_type, "Unsupported Media Type",
                       "the request body must be application/json");
  }
  if (!NestingWithin(body, kMaxDepth)) {
    throw ProblemError(Status::bad_request, "Malformed JSON",
                       "the request body nests deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded()) {
    throw ProblemError(Status::bad_request, "Malformed JSON", "the request body is not valid JSON (UTF-8)");
  }
  if (!parsed.is_object()) {
    throw ProblemError(Status::bad_request, "Malformed JSON", "the request body must be a JSON object");
  }
  return parsed;
}

void ThrowIfInvalid(const std::vector<FieldError>& errors) {
  if (errors.empty()) return;
  nlohmann::json list = nlohmann::json::array();
  for (const auto& error : errors) list.push_back({{"field", error.field}, {"message", error.message}});
  const auto& first = errors.front();
  std::string detail = (first.field.empty() ? std::string("request") : first.field) + " " + first.message;
  if (errors.size() > 1) detail += " (and " + std::to_string(errors.size() - 1) + " more)";
  throw ProblemError(Status::bad_request, "Validation failed", detail,
                     {{"type", "urn:saga:problem:validation"}, {"errors", std::move(list)}});
}

JsonReader::JsonReader(const nlohmann::json& object, std::string path, std::vector<FieldError>& errors)
    : object_(object), path_(std::move(path)), errors_(errors) {}

std::string JsonReader::PathOf(std::string_view name) const {
  return path_.empty() ? std::string(name) : path_ + "." + std::string(name);
}

void JsonReader::Error(std::string_view name, std::string message) {
  errors_.push_back({PathOf(name), std::move(message)});
}

const nlohmann::json* JsonReader::Member(std::string_view name, bool required) {
  known_.emplace(name);
  const auto it = object_.find(std::string(name));
  if (it == object_.end() || it->is_null()) {
    if (required) Error(name, "is required");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> JsonReader::String(std::string_view name, std::size_t min_length,
                                              std::size_t max_length, bool required) {
  const auto* value = Member(name, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    Error(name, "must be a string, not " + TypeName(*value));
    return std::nullopt;
  }
  const auto& text = value->get_ref<const std::string&>();
  const auto length = CodePoints(text);
  if (length < min_length || length > max_length) {
    Error(name,
          "must be " + std::to_string(min_length) + " to " + std::to_string(max_length) + " characters long");
    return std::nullopt;
  }
  if (!text.empty() && (std::isspace(static_cast<unsigned char>(text.front())) != 0 ||
                        std::isspace(static_cast<unsigned char>(text.back())) != 0)) {
    Error(name, "must not start or end with white space");
    return std::nullopt;
  }
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20) {
      Error(name, "must not contain control characters");
      return std::nullopt;
    }
  }
  return text;
}

std::optional<std::int64_t> JsonReader::Integer(std::string_view name, std::int64_t min, std::int64_t max,
                                                bool required) {
  const auto* value = Member(name, required);
  if (value == nullptr) return std::nullopt;
  const auto range = "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (value->is_number_unsigned()) {
    const auto u = value->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
        static_cast<std::int64_t>(u) > max || static_cast<std::int64_t>(u) < min) {
      Error(name, range);
      return std::nullopt;
    }
    return static_cast<std::int64_t>(u);
  }
  if (!value->is_number_integer()) {
    Error(name, value->is_number() ? range : "must be an integer, not " + TypeName(*value));
    return std::nullopt;
  }
  const auto v = value->get<std::int64_t>();
  if (v < min || v > max) {
    Error(name, range);
    return std::nullopt;
  }
  return v;
}

std::optional<core::Uuid> JsonReader::Uuid(std::string_view name, bool required) {
  const auto* value = Member(name, required);
  if (value == nullptr) return std::nullopt;
  std::optional<core::Uuid> uuid;
  if (value->is_string()) uuid = core::Uuid::Parse(value->get_ref<const std::string&>());
  if (!uuid) Error(name, "must be a UUID (8-4-4-4-12 hex digits)");
  return uuid;
}

std::optional<core::Currency> JsonReader::Currency(std::string_view name, bool required) {
  const auto* value = Member(name, required);
  if (value == nullptr) return std::nullopt;
  std::optional<core::Currency> currency;
  if (value->is_string()) currency = core::Currency::Parse(value->get_ref<const std::string&>());
  if (!currency) Error(name, "must be a three-letter ISO 4217 code in upper case");
  return currency;
}

std::optional<core::Money> JsonReader::Money(std::string_view name, std::int64_t min_minor, bool required) {
  const auto* value = Member(name, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_object()) {
    Error(name, "must be an object {amountMinor, currency}");
    return std::nullopt;
  }
  JsonReader money(*value, PathOf(name), errors_);
  auto amount = money.Integer("amountMinor", min_minor, std::numeric_limits<std::int64_t>::max());
  auto currency = money.Currency("currency");
  money.RejectUnknown();
  if (!amount || !currency) return std::nullopt;
  return core::Money(*amount, *currency);
}

void JsonReader::Objects(std::string_view name, std::size_t min_items, std::size_t max_items,
                         const std::function<void(JsonReader&)>& each, bool required) {
  const auto* value = Member(name, required);
  if (value == nullptr) return;
  if (!value->is_array()) {
    Error(name, "must be an array, not " + TypeName(*value));
    return;
  }
  if (value->size() < min_items || value->size() > max_items) {
    Error(name, "must have " + std::to_string(min_items) + " to " + std::to_string(max_items) + " elements");
    return;
  }
  for (std::size_t i = 0; i < value->size(); ++i) {
    const std::string element_path = PathOf(name) + "[" + std::to_string(i) + "]";
    const auto& element = (*value)[i];
    if (!element.is_object()) {
      errors_.push_back({element_path, "must be an object, not " + TypeName(element)});
      continue;
    }
    JsonReader reader(element, element_path, errors_);
    each(reader);
    reader.RejectUnknown();
  }
}

void JsonReader::Forbidden(std::initializer_list<std::string_view> names) {
  for (const auto name : names) {
    known_.emplace(name);
    if (object_.contains(std::string(name))) {
      Error(name, "is derived by the server and must not be sent");
    }
  }
}

void JsonReader::RejectUnknown() {
  for (const auto& [key, value] : object_.items()) {
    if (known_.find(key) == known_.end()) Error(key, "is not a known field");
  }
}

QueryReader::QueryReader(const RequestContext& context, std::vector<FieldError>& errors)
    : context_(context), errors_(errors) {}

void QueryReader::Error(std::string_view name, std::string message) {
  errors_.push_back({std::string(name), std::move(message)});
}

std::optional<std::string> QueryReader::String(std::string_view name, std::size_t max_length) {
  known_.emplace(name);
  const auto it = context_.query.find(name);
  if (it == context_.query.end()) return std::nullopt;
  if (it->second.empty() || it->second.size() > max_length) {
    Error(name, "must be 1 to " + std::to_string(max_length) + " characters long");
    return std::nullopt;
  }
  return it->second;
}

std::optional<std::int64_t> QueryReader::Integer(std::string_view name, std::int64_t min, std::int64_t max) {
  auto text = String(name, 20);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const char* begin = text->data();
  const char* end = begin + text->size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || value < min || value > max) {
    Error(name, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<core::Uuid> QueryReader::Uuid(std::string_view name) {
  auto text = String(name, 36);
  if (!text) return std::nullopt;
  auto uuid = core::Uuid::Parse(*text);
  if (!uuid) Error(name, "must be a UUID (8-4-4-4-12 hex digits)");
  return uuid;
}

std::optional<std::vector<core::Uuid>> QueryReader::Uuids(std::string_view name, std::size_t max_count) {
  auto text = String(name, max_count * 37);
  if (!text) return std::nullopt;
  std::vector<core::Uuid> ids;
  bool valid = true;
  for (std::size_t from = 0; valid && from <= text->size();) {
    const auto comma = std::min(text->find(',', from), text->size());
    const auto id = core::Uuid::Parse(text->substr(from, comma - from));
    valid = id.has_value();
    if (valid && std::find(ids.begin(), ids.end(), *id) == ids.end()) ids.push_back(*id);
    from = comma + 1;
  }
  if (!valid || ids.size() > max_count) {
    Error(name,
          "must be 1 to " + std::to_string(max_count) + " comma-separated UUIDs (8-4-4-4-12 hex digits)");
    return std::nullopt;
  }
  return ids;
}

core::PageRequest QueryReader::Page() {
  core::PageRequest page;
  if (auto limit = Integer("limit", 1, core::PageRequest::kMaxLimit))
    page.limit = static_cast<std::int32_t>(*limit);
  if (auto offset = Integer("offset", 0, 1'000'000'000)) page.offset = *offset;
  return page;
}

void QueryReader::RejectUnknown() {
  for (const auto& [key, value] : context_.query) {
    if (known_.find(key) == known_.end()) Error(key, "is not a known query parameter");
  }
}

void RejectQuery(const RequestContext& context) {
  std::vector<FieldError> errors;
  QueryReader(context, errors).RejectUnknown();
  ThrowIfInvalid(errors);
}

nlohmann::json MoneyJson(const core::Money& money) {
  return {{"amountMinor", money.MinorUnits()}, {"currency", money.GetCurrency().Code()}};
}

nlohmann::json PageJson(nlohmann::json items, std::int64_t total, const core::PageRequest& page) {
  return {{"items", std::move(items)},
          {"total", total},
          {"limit", page.ClampedLimit()},
          {"offset", page.ClampedOffset()}};
}

}  // namespace saga::http
