#include "saga/testing/openapi_validator.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstddef>
#include <regex>
#include <stdexcept>

namespace saga::testing {
namespace {

using nlohmann::json;

// Deep enough for any real payload; stops schemas like A = allOf[A] from recursing forever.
constexpr int kMaxDepth = 128;
constexpr std::array<std::string_view, 8> kMethods = {"get",     "put",  "post",  "delete",
                                                      "options", "head", "patch", "trace"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string_view StripQuery(std::string_view target) {
  return target.substr(0, target.find_first_of("?#"));
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = path.find('/', start);
    segments.push_back(
        path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return segments;
    start = slash + 1;
  }
}

bool IsTemplateSegment(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}' &&
         segment.find_first_of("{}", 1) == segment.size() - 1;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int high = HexValue(s[i + 1]);
    int low = HexValue(s[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

// RFC 6901: "~1" is '/', "~0" is '~'; any other '~' sequence is malformed.
std::optional<std::string> UnescapePointerToken(std::string_view token) {
  std::string out;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] != '~') {
      out.push_back(token[i]);
      continue;
    }
    if (i + 1 >= token.size()) return std::nullopt;
    if (token[i + 1] == '1') {
      out.push_back('/');
    } else if (token[i + 1] == '0') {
      out.push_back('~');
    } else {
      return std::nullopt;
    }
    ++i;
  }
  return out;
}

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool Flag(const json& schema, const char* key) {
  auto it = schema.find(key);
  return it != schema.end() && it->is_boolean() && it->get<bool>();
}

std::optional<double> NumberKeyword(const json& schema, const char* key) {
  auto it = schema.find(key);
  if (it == schema.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::string TypeName(const json& value) {
  if (value.is_null()) return "null";
  if (value.is_boolean()) return "boolean";
  if (value.is_number_integer()) return "integer";
  if (value.is_number()) return "number";
  if (value.is_string()) return "string";
  if (value.is_array()) return "array";
  return "object";
}

bool HasType(const json& value, std::string_view type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  return true;  // unknown type names constrain nothing
}

std::string Abbreviate(const json& value) {
  constexpr std::size_t kMax = 60;
  std::string text = value.dump();
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

std::size_t CodePoints(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0u) != 0x80u; }));
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position ? s[i] != '-' : HexValue(s[i]) < 0) return false;
  }
  return true;
}

bool IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int DaysInMonth(int year, int month) {
  constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[static_cast<std::size_t>(month - 1)];
}

// RFC 3339 date-time: full-date "T" full-time, with time-offset "Z" or +hh:mm / -hh:mm.
bool IsDateTime(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&](std::size_t count, int& out) {
    if (i + count > s.size()) return false;
    out = 0;
    for (std::size_t k = 0; k < count; ++k, ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  auto literal = [&](std::string_view allowed) {
    if (i >= s.size() || allowed.find(s[i]) == std::string_view::npos) return false;
    ++i;
    return true;
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(4, year) || !literal("-") || !digits(2, month) || !literal("-") || !digits(2, day))
    return false;
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
  if (!literal("Tt") || !digits(2, hour) || !literal(":") || !digits(2, minute) || !literal(":") ||
      !digits(2, second)) {
    return false;
  }
  if (hour > 23 || minute > 59 || second > 60) return false;  // 60: leap second
  if (literal(".")) {
    std::size_t first = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == first) return false;
  }
  if (literal("Zz")) return i == s.size();
  int offset_hour = 0, offset_minute = 0;
  if (!literal("+-") || !digits(2, offset_hour) || !literal(":") || !digits(2, offset_minute)) return false;
  return offset_hour <= 23 && offset_minute <= 59 && i == s.size();
}

bool IsJsonMediaType(std::string_view media_type) {
  std::size_t slash = media_type.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view subtype = media_type.substr(slash + 1);
  return subtype == "json" || subtype.ends_with("+json");
}

std::string Prefix(const std::string& where) {
  return where.empty() ? std::string() : where + ": ";
}

std::string Child(const std::string& where, const std::string& property) {
  return where.empty() ? property : where + "." + property;
}

std::string JoinKeys(const json& object) {
  std::string out;
  for (const auto& [key, unused] : object.items()) {
    if (!out.empty()) out += ", ";
    out += key;
  }
  return out;
}

}  // namespace

OpenApiValidator::OpenApiValidator(json document) : document_(std::move(document)) {
  if (!document_.is_object()) throw std::invalid_argument("OpenAPI document is not a JSON object");
  auto version = document_.find("openapi");
  if (version == document_.end() || !version->is_string() ||
      !version->get_ref<const std::string&>().starts_with("3.")) {
    throw std::invalid_argument(
        "not an OpenAPI 3.x document: \"openapi\" must be a string starting with \"3.\"");
  }
  auto paths = document_.find("paths");
  if (paths == document_.end() || !paths->is_object()) {
    throw std::invalid_argument("not an OpenAPI document: \"paths\" must be an object");
  }
  CheckRefs(document_, "#");
}

const json* OpenApiValidator::Resolve(std::string_view ref) const {
  if (ref.empty() || ref.front() != '#') return nullptr;  // remote references are not supported
  std::optional<std::string> fragment = PercentDecode(ref.substr(1));
  if (!fragment) return nullptr;
  if (fragment->empty()) return &document_;
  if (fragment->front() != '/') return nullptr;
  const json* node = &document_;
  std::string_view rest = std::string_view(*fragment).substr(1);
  while (true) {
    std::size_t slash = rest.find('/');
    std::optional<std::string> token = UnescapePointerToken(rest.substr(0, slash));
    if (!token) return nullptr;
    if (node->is_object()) {
      auto it = node->find(*token);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      std::size_t index = 0;
      const char* end = token->data() + token->size();
      auto [ptr, error] = std::from_chars(token->data(), end, index);
      if (token->empty() || error != std::errc() || ptr != end || index >= node->size()) return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
    if (slash == std::string_view::npos) return node;
    rest.remove_prefix(slash + 1);
  }
}

const json* OpenApiValidator::Deref(const json& node) const {
  const json* current = &node;
  for (int hops = 0; hops < kMaxDepth; ++hops) {
    if (!current->is_object()) return current;
    auto ref = current->find("$ref");
    if (ref == current->end() || !ref->is_string()) return current;
    current = Resolve(ref->get_ref<const std::string&>());
    if (current == nullptr) return nullptr;
  }
  return nullptr;  // a $ref cycle; the constructor rejects those in the document
}

void OpenApiValidator::CheckRefs(const json& node, const std::string& location) const {
  if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) CheckRefs(node[i], location + "/" + std::to_string(i));
    return;
  }
  if (!node.is_object()) return;
  if (auto ref = node.find("$ref"); ref != node.end() && ref->is_string()) {
    std::set<const json*> seen;
    const json* current = &node;
    while (current->is_object() && current->contains("$ref") && (*current)["$ref"].is_string()) {
      const auto& target = (*current)["$ref"].get_ref<const std::string&>();
      if (!seen.insert(current).second) {
        throw std::invalid_argument("$ref cycle at " + location + " (through '" + target + "')");
      }
      current = Resolve(target);
      if (current == nullptr) {
        throw std::invalid_argument("unresolvable $ref '" + target + "' at " + location +
                                    " (only local \"#/...\" references are supported)");
      }
    }
  }
  for (const auto& [key, child] : node.items()) {
    // Literal values and extensions are data, not OpenAPI objects: a "$ref" inside them is not one.
    if (key == "example" || key == "enum" || key.starts_with("x-")) continue;
    CheckRefs(child, location + "/" + EscapePointerToken(key));
  }
}

std::optional<std::string> OpenApiValidator::MatchPath(std::string_view concrete_path) const {
  std::vector<std::string_view> segments = SplitPath(StripQuery(concrete_path));
  std::optional<std::string> best;
  std::vector<bool> best_rank;  // per segment, true = templated; lexicographically smaller wins
  for (const auto& [path_template, unused] : document_.at("paths").items()) {
    std::vector<std::string_view> template_segments = SplitPath(path_template);
    if (template_segments.size() != segments.size()) continue;
    std::vector<bool> rank;
    bool matches = true;
    for (std::size_t i = 0; i < segments.size() && matches; ++i) {
      bool templated = IsTemplateSegment(template_segments[i]);
      matches = templated ? !segments[i].empty() : template_segments[i] == segments[i];
      rank.push_back(templated);
    }
    if (matches && (!best || rank < best_rank)) {
      best = path_template;
      best_rank = std::move(rank);
    }
  }
  return best;
}

std::vector<std::string> OpenApiValidator::ValidateResponse(std::string_view method, std::string_view target,
                                                            int status,
                                                            const std::map<std::string, std::string>& headers,
                                                            std::string_view body) const {
  const std::string_view path = StripQuery(target);
  const std::optional<std::string> path_template = MatchPath(path);
  if (!path_template) return {"no documented path matches '" + std::string(path) + "'"};
  const std::string operation = Upper(method) + " " + *path_template;

  const json* path_item = Deref(document_.at("paths").at(*path_template));
  if (path_item == nullptr || !path_item->is_object()) return {operation + ": path item is not an object"};
  auto op = path_item->find(Lower(method));
  if (op == path_item->end() || !op->is_object()) return {operation + " is not documented"};
  auto responses = op->find("responses");
  if (responses == op->end() || !responses->is_object()) return {operation + ": no responses documented"};

  const std::string exact = std::to_string(status);
  const std::string range = std::to_string(status / 100) + "XX";
  auto response_it = responses->find(exact);
  if (response_it == responses->end()) response_it = responses->find(range);
  if (response_it == responses->end()) response_it = responses->find(Lower(range));
  if (response_it == responses->end()) response_it = responses->find("default");
  if (response_it == responses->end()) {
    return {operation + ": status " + exact + " is not documented (no \"" + exact + "\", \"" + range +
            "\" or \"default\" response)"};
  }
  const std::string where = operation + " -> " + exact;
  const json* response = Deref(*response_it);
  if (response == nullptr || !response->is_object()) return {where + ": response is not an object"};

  std::map<std::string, std::string> lower_headers;
  for (const auto& [name, value] : headers) lower_headers.emplace(Lower(name), value);

  std::vector<std::string> problems;
  if (auto documented = response->find("headers"); documented != response->end() && documented->is_object()) {
    for (const auto& [name, header] : documented->items()) {
      const json* resolved = Deref(header);
      if (resolved != nullptr && resolved->is_object() && Flag(*resolved, "required") &&
          !lower_headers.contains(Lower(name))) {
        problems.push_back(where + ": missing required header '" + name + "'");
      }
    }
  }

  auto content = response->find("content");
  if (content == response->end() || !content->is_object() || content->empty()) {
    if (!body.empty()) {
      problems.push_back(where + ": documented without content, but the body has " +
                         std::to_string(body.size()) + " bytes");
    }
    return problems;
  }
  auto content_type = lower_headers.find("content-type");
  if (content_type == lower_headers.end()) {
    problems.push_back(where + ": missing Content-Type header (documented: " + JoinKeys(*content) + ")");
    return problems;
  }
  std::string_view raw_media_type = content_type->second;
  const std::string media_type = Lower(Trim(raw_media_type.substr(0, raw_media_type.find(';'))));
  const std::string wildcard = media_type.substr(0, media_type.find('/')) + "/*";
  const json* media = nullptr;
  for (const std::string& candidate : {media_type, wildcard, std::string("*/*")}) {
    for (const auto& [key, value] : content->items()) {
      if (Lower(key) == candidate) media = &value;
    }
    if (media != nullptr) break;
  }
  if (media == nullptr) {
    problems.push_back(where + ": Content-Type '" + media_type +
                       "' is not documented (documented: " + JoinKeys(*content) + ")");
    return problems;
  }
  if (!media->is_object() || !media->contains("schema") || !IsJsonMediaType(media_type)) return problems;
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    problems.push_back("body: not valid JSON (" + where + ", Content-Type '" + media_type + "')");
    return problems;
  }
  Validate(media->at("schema"), parsed, "body", 0, problems);
  return problems;
}

std::set<std::pair<std::string, std::string>> OpenApiValidator::Operations() const {
  std::set<std::pair<std::string, std::string>> operations;
  for (const auto& [path_template, item] : document_.at("paths").items()) {
    const json* path_item = Deref(item);
    if (path_item == nullptr || !path_item->is_object()) continue;
    for (std::string_view method : kMethods) {
      if (path_item->contains(std::string(method))) operations.emplace(Upper(method), path_template);
    }
  }
  return operations;
}

std::vector<std::string> OpenApiValidator::ValidateValue(const json& schema, const json& value,
                                                         const std::string& where) const {
  std::vector<std::string> problems;
  Validate(schema, value, where, 0, problems);
  return problems;
}

void OpenApiValidator::Validate(const json& schema, const json& value, const std::string& where, int depth,
                                std::vector<std::string>& problems) const {
  auto problem = [&](const std::string& message) { problems.push_back(Prefix(where) + message); };
  if (depth > kMaxDepth) {
    problem("schema nested deeper than " + std::to_string(kMaxDepth) + " levels (recursive schema?)");
    return;
  }
  if (!schema.is_object()) return;  // e.g. {} written as something else: no constraints

  // In OpenAPI 3.0 a $ref replaces its object: sibling keywords are ignored.
  if (auto ref = schema.find("$ref"); ref != schema.end()) {
    if (!ref->is_string()) return problem("$ref is not a string");
    const json* target = Resolve(ref->get_ref<const std::string&>());
    if (target == nullptr) return problem("unresolvable $ref '" + ref->get<std::string>() + "'");
    return Validate(*target, value, where, depth + 1, problems);
  }

  if (value.is_null() && Flag(schema, "nullable")) return;

  if (auto type = schema.find("type"); type != schema.end() && type->is_string()) {
    const auto& type_name = type->get_ref<const std::string&>();
    if (!HasType(value, type_name)) return problem("expected " + type_name + ", got " + TypeName(value));
  }

  if (auto values = schema.find("enum"); values != schema.end() && values->is_array()) {
    if (std::find(values->begin(), values->end(), value) == values->end()) {
      problem(Abbreviate(value) + " is not one of " + Abbreviate(*values));
    }
  }

  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    const double length = static_cast<double>(CodePoints(text));
    if (auto min = NumberKeyword(schema, "minLength"); min && length < *min) {
      problem("string shorter than minLength " + schema["minLength"].dump());
    }
    if (auto max = NumberKeyword(schema, "maxLength"); max && length > *max) {
      problem("string longer than maxLength " + schema["maxLength"].dump());
    }
    if (auto pattern = schema.find("pattern"); pattern != schema.end() && pattern->is_string()) {
      const auto& expression = pattern->get_ref<const std::string&>();
      try {
        if (!std::regex_search(text, std::regex(expression, std::regex::ECMAScript))) {
          problem(Abbreviate(value) + " does not match pattern '" + expression + "'");
        }
      } catch (const std::regex_error& error) {
        problem("invalid pattern '" + expression + "' in schema: " + error.what());
      }
    }
    if (auto format = schema.find("format"); format != schema.end() && format->is_string()) {
      if (*format == "uuid" && !IsUuid(text)) problem(Abbreviate(value) + " is not a uuid");
      if (*format == "date-time" && !IsDateTime(text))
        problem(Abbreviate(value) + " is not an RFC 3339 date-time");
    }
  }

  if (value.is_number()) {
    const double number = value.get<double>();
    if (auto min = NumberKeyword(schema, "minimum")) {
      const bool exclusive = Flag(schema, "exclusiveMinimum");
      if (exclusive ? number <= *min : number < *min) {
        problem(value.dump() + " is less than " + (exclusive ? "or equal to " : "") + "minimum " +
                schema["minimum"].dump());
      }
    }
    if (auto max = NumberKeyword(schema, "maximum")) {
      const bool exclusive = Flag(schema, "exclusiveMaximum");
      if (exclusive ? number >= *max : number > *max) {
        problem(value.dump() + " is greater than " + (exclusive ? "or equal to " : "") + "maximum " +
                schema["maximum"].dump());
      }
    }
  }

  if (value.is_array()) {
    const double size = static_cast<double>(value.size());
    if (auto min = NumberKeyword(schema, "minItems"); min && size < *min) {
      problem("array has " + std::to_string(value.size()) + " items, fewer than minItems " +
              schema["minItems"].dump());
    }
    if (auto max = NumberKeyword(schema, "maxItems"); max && size > *max) {
      problem("array has " + std::to_string(value.size()) + " items, more than maxItems " +
              schema["maxItems"].dump());
    }
    if (auto items = schema.find("items"); items != schema.end()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        Validate(*items, value[i], where + "[" + std::to_string(i) + "]", depth + 1, problems);
      }
    }
  }

  if (value.is_object()) {
    if (auto required = schema.find("required"); required != schema.end() && required->is_array()) {
      for (const json& name : *required) {
        if (name.is_string() && !value.contains(name.get_ref<const std::string&>())) {
          problem("missing required property '" + name.get<std::string>() + "'");
        }
      }
    }
    static const json kNoProperties = json::object();
    auto properties_it = schema.find("properties");
    const json& properties =
        properties_it != schema.end() && properties_it->is_object() ? *properties_it : kNoProperties;
    auto additional = schema.find("additionalProperties");
    for (const auto& [name, property] : value.items()) {
      if (auto declared = properties.find(name); declared != properties.end()) {
        Validate(*declared, property, Child(where, name), depth + 1, problems);
      } else if (additional != schema.end() && additional->is_boolean() && !additional->get<bool>()) {
        problem("unexpected property '" + name + "'");
      } else if (additional != schema.end() && additional->is_object()) {
        Validate(*additional, property, Child(where, name), depth + 1, problems);
      }
    }
  }

  if (auto all_of = schema.find("allOf"); all_of != schema.end() && all_of->is_array()) {
    for (const json& sub_schema : *all_of) Validate(sub_schema, value, where, depth + 1, problems);
  }

  for (const char* keyword : {"anyOf", "oneOf"}) {
    auto alternatives = schema.find(keyword);
    if (alternatives == schema.end() || !alternatives->is_array()) continue;
    std::vector<std::size_t> matching;
    std::string failures;
    for (std::size_t i = 0; i < alternatives->size(); ++i) {
      std::vector<std::string> sub_problems;
      Validate((*alternatives)[i], value, where, depth + 1, sub_problems);
      if (sub_problems.empty()) {
        matching.push_back(i);
        continue;
      }
      for (const std::string& sub_problem : sub_problems) {
        failures += (failures.empty() ? "" : "; ") + ("#" + std::to_string(i) + " " + sub_problem);
      }
    }
    const bool one_of = std::string_view(keyword) == "oneOf";
    if (matching.empty()) {
      problem(std::string("matches none of the ") + keyword + " alternatives (" + failures + ")");
    } else if (one_of && matching.size() > 1) {
      std::string list;
      for (std::size_t index : matching) list += (list.empty() ? "#" : ", #") + std::to_string(index);
      problem("matches " + std::to_string(matching.size()) + " oneOf alternatives (" + list +
              "); exactly one must match");
    }
  }
}

}  // namespace saga::testing
