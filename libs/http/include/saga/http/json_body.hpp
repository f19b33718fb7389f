#pragma once
// Reading and validating request input (JSON bodies, query and path parameters) for thin
// handlers. Every problem is collected with the path of its field ("items[0].quantity") and
// reported together by ThrowIfInvalid() as a 400 problem+json:
//   {"type": "urn:saga:problem:validation", "title": "Validation failed", "status": 400,
//    "detail": "...", "errors": [{"field": "items[0].quantity", "message": "must be ..."}]}
// Unknown members are refused (RejectUnknown), and so are members the server derives
// (Forbidden: status, prices, totals), so a client can never set them.
//
// Thread-safety: readers are per request.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "saga/core/ids.hpp"
#include "saga/core/money.hpp"
#include "saga/core/paging.hpp"
#include "saga/core/time.hpp"
#include "saga/http/types.hpp"

namespace saga::http {

struct FieldError {
  std::string field;
  std::string message;
};

/// The body as a JSON object. Throws ProblemError: 415 unless Content-Type is
/// application/json (parameters such as charset=utf-8 allowed), 400 when the body is not valid
/// JSON or not an object. With `allow_empty`, an empty body (and no Content-Type) gives {}.
[[nodiscard]] nlohmann::json ParseJsonObject(const Request& request, bool allow_empty = false);

/// Throws the 400 validation problem when `errors` is not empty.
void ThrowIfInvalid(const std::vector<FieldError>& errors);

/// Reads the members of one JSON object, recording problems in a shared error list.
class JsonReader {
 public:
  /// `path` is the object's own path ("" for the body, "items[2]" for an element).
  JsonReader(const nlohmann::json& object, std::string path, std::vector<FieldError>& errors);

  /// A string of `min_length`..`max_length` code points; leading/trailing blanks are refused.
  std::optional<std::string> String(std::string_view name, std::size_t min_length, std::size_t max_length,
                                    bool required = true);
  /// An integer in [min, max] (JSON numbers with a fraction are refused).
  std::optional<std::int64_t> Integer(std::string_view name, std::int64_t min, std::int64_t max,
                                      bool required = true);
  /// A canonical UUID.
  std::optional<core::Uuid> Uuid(std::string_view name, bool required = true);
  template <typename Id>
  std::optional<Id> IdOf(std::string_view name, bool required = true) {
    auto uuid = Uuid(name, required);
    return uuid ? std::optional<Id>(Id(*uuid)) : std::nullopt;
  }
  /// A three-letter ISO 4217 code.
  std::optional<core::Currency> Currency(std::string_view name, bool required = true);
  /// {"amountMinor": integer in [min_minor, max], "currency": "EUR"}.
  std::optional<core::Money> Money(std::string_view name, std::int64_t min_minor, bool required = true);
  /// An array of `min_items`..`max_items` objects; `each` reads one element.
  void Objects(std::string_view name, std::size_t min_items, std::size_t max_items,
               const std::function<void(JsonReader&)>& each, bool required = true);
  /// Members the server derives: present means an error ("is derived by the server...").
  void Forbidden(std::initializer_list<std::string_view> names);
  /// Every member neither read nor forbidden is an "unknown field" error.
  void RejectUnknown();

  [[nodiscard]] std::string PathOf(std::string_view name) const;

 private:
  /// The member, or nullptr (recording "is required" when required and absent or null).
  const nlohmann::json* Member(std::string_view name, bool required);
  void Error(std::string_view name, std::string message);

  const nlohmann::json& object_;
  std::string path_;
  std::vector<FieldError>& errors_;
  std::set<std::string, std::less<>> known_;
};

/// Reads query parameters the same way; RejectUnknown() refuses parameters nobody asked for.
class QueryReader {
 public:
  QueryReader(const RequestContext& context, std::vector<FieldError>& errors);

  std::optional<std::int64_t> Integer(std::string_view name, std::int64_t min, std::int64_t max);
  std::optional<core::Uuid> Uuid(std::string_view name);
  /// A comma-separated list of 1 to `max_count` UUIDs ("a,b,c"), duplicates dropped, in the
  /// order given.
  std::optional<std::vector<core::Uuid>> Uuids(std::string_view name, std::size_t max_count);
  /// The raw value; checked by the caller with Error() when it is, e.g., an enum name.
  std::optional<std::string> String(std::string_view name, std::size_t max_length);
  /// limit (1..core::PageRequest::kMaxLimit, default 50) and offset (>= 0, default 0).
  core::PageRequest Page();
  void Error(std::string_view name, std::string message);
  void RejectUnknown();

 private:
  const RequestContext& context_;
  std::vector<FieldError>& errors_;
  std::set<std::string, std::less<>> known_;
};

/// For resources that take no query parameters: any is the 400 validation problem.
void RejectQuery(const RequestContext& context);

/// The path parameter `name` as an id; throws the 400 validation problem when it is not a UUID.
template <typename Id>
[[nodiscard]] Id PathId(const RequestContext& context, std::string_view name) {
  const auto it = context.path_params.find(name);
  std::optional<Id> id;
  if (it != context.path_params.end()) id = core::ParseId<Id>(it->second);
  if (!id) ThrowIfInvalid({{std::string(name), "must be a UUID (8-4-4-4-12 hex digits)"}});
  return *id;
}

/// {"amountMinor": 1999, "currency": "EUR"}
[[nodiscard]] nlohmann::json MoneyJson(const core::Money& money);
/// {"items": [...], "total": n, "limit": l, "offset": o}
[[nodiscard]] nlohmann::json PageJson(nlohmann::json items, std::int64_t total,
                                      const core::PageRequest& page);

}  // namespace saga::http
