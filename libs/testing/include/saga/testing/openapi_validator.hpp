#pragma once
// Checks HTTP responses seen in tests against an OpenAPI 3.0 document, so that a handler that
// drifts from the published contract fails a test instead of a client.
//
// Supported: local $refs ("#/..." JSON pointers, percent- and ~1/~0-unescaped), path templating
// with whole-segment parameters ("/api/orders/{id}"), response lookup by exact status, "4XX"-style
// range and "default", media types (exact, "type/*", "*/*"), required response headers, and the
// Schema Object subset: type, nullable, enum, properties, required, additionalProperties, items,
// minItems, maxItems, minLength, maxLength, pattern, minimum, maximum, exclusiveMinimum,
// exclusiveMaximum (3.0 boolean form), format "uuid" and "date-time", allOf, oneOf, anyOf.
// Everything else (other keywords and formats, discriminator, servers, parameters, request bodies,
// remote $refs) is ignored or, for remote $refs, rejected.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace saga::testing {

/// Owns a copy of the document. Immutable after construction: all const members are safe to call
/// concurrently. Problems are human-readable strings; an empty vector means "conforms".
class OpenApiValidator {
 public:
  /// Takes an OpenAPI 3.0.x document (JSON). Throws std::invalid_argument when it is not one
  /// ("openapi" is not a string starting with "3.", or "paths" is not an object), when any $ref
  /// in it is not a local "#/..." reference that resolves, or when $refs form a cycle that
  /// never reaches a schema.
  explicit OpenApiValidator(nlohmann::json document);

  /// The path template of the document that matches `concrete_path` ("/api/orders/123" ->
  /// "/api/orders/{id}"), ignoring any "?query" or "#fragment". A templated segment matches any
  /// non-empty segment; where several templates match, the one with a literal segment at the
  /// first position where they differ wins ("/api/inventory/low-stock" beats
  /// "/api/inventory/{id}"). nullopt when none matches.
  [[nodiscard]] std::optional<std::string> MatchPath(std::string_view concrete_path) const;

  /// Checks one HTTP exchange against the document and returns its problems:
  ///  - the path of `target` matches a documented path and `method` (any case) is documented there;
  ///  - `status` is documented under "responses" (exact code, else "4XX"-style range, else
  ///    "default");
  ///  - if that response has "content": the Content-Type header (media type before ';') is one of
  ///    its keys, and for JSON media types (".../json", "...+json") the body parses as JSON and
  ///    validates against the media type's "schema" (problems prefixed "body");
  ///  - if it has no content: the body is empty;
  ///  - its "headers" marked "required": true are present (`headers` names in any case).
  [[nodiscard]] std::vector<std::string> ValidateResponse(std::string_view method, std::string_view target,
                                                          int status,
                                                          const std::map<std::string, std::string>& headers,
                                                          std::string_view body) const;

  /// Every (method, path template) pair the document describes, method upper-case:
  /// {"GET", "/api/orders/{id}"}.
  [[nodiscard]] std::set<std::pair<std::string, std::string>> Operations() const;

  /// Validates `value` against `schema`, resolving its $refs in the document. Each problem is
  /// prefixed by the JSON path of the offending value, starting at `where`
  /// ("body.items[0].quantity: expected integer, got string"). An unresolvable $ref or an invalid
  /// pattern in `schema` is reported as a problem, not thrown.
  [[nodiscard]] std::vector<std::string> ValidateValue(const nlohmann::json& schema,
                                                       const nlohmann::json& value,
                                                       const std::string& where) const;

 private:
  /// The value `ref` ("#/components/schemas/Order") points to, or nullptr.
  [[nodiscard]] const nlohmann::json* Resolve(std::string_view ref) const;
  /// Follows `node`'s $ref chain to a node without $ref; nullptr when a $ref does not resolve.
  [[nodiscard]] const nlohmann::json* Deref(const nlohmann::json& node) const;
  void CheckRefs(const nlohmann::json& node, const std::string& location) const;
  void Validate(const nlohmann::json& schema, const nlohmann::json& value, const std::string& where,
                int depth, std::vector<std::string>& problems) const;

  nlohmann::json document_;
};

}  // namespace saga::testing
