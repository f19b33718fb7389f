#pragma once
// HTTP request/response types and helpers shared by the server, the router and handlers.
// <utility> must come before any Asio/Beast header with Boost 1.74 and g++ 12 in C++20.
#include <utility>

#include <boost/beast/http.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace saga::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;
using Status = beast_http::status;
using Verb = beast_http::verb;

/// Path parameters captured by the router ("{id}" -> value) and query parameters.
struct RequestContext {
  std::map<std::string, std::string, std::less<>> path_params;
  std::map<std::string, std::string, std::less<>> query;
};

/// A JSON response with the given status (Content-Type: application/json).
[[nodiscard]] Response JsonResponse(Status status, const nlohmann::json& body);

/// An RFC 7807 problem (Content-Type: application/problem+json):
/// {"type": "about:blank" or a URN, "title", "status", "detail", ...extra}.
/// Never put stack traces, SQL or secrets in `detail`.
[[nodiscard]] Response ProblemResponse(Status status, std::string_view title, std::string_view detail,
                                       const nlohmann::json& extra = nlohmann::json::object());

/// Splits "path?query" and percent-decodes the query into key/value pairs.
/// Returns false when the target is malformed (bad escape, no leading '/').
[[nodiscard]] bool ParseTarget(std::string_view target, std::string& path,
                               std::map<std::string, std::string, std::less<>>& query);

}  // namespace saga::http
