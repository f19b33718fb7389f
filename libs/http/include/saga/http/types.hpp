#pragma once
// HTTP request/response types and helpers shared by the server, the router and handlers.
// <utility> must come before any Asio/Beast header with Boost 1.74 and g++ 12 in C++20.
#include <utility>

#include <boost/beast/http.hpp>
#include <exception>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace saga::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;
using Status = beast_http::status;
using Verb = beast_http::verb;

/// The authenticated caller of a request (set by the authentication middleware).
struct Caller {
  /// The token's `sub`: a customer id, an operator's name, a service name. "" = nobody.
  std::string subject;
  /// The token's roles ("customer", "admin", "service"; others are kept but grant nothing).
  std::vector<std::string> roles;

  [[nodiscard]] bool Authenticated() const noexcept { return !subject.empty(); }
  [[nodiscard]] bool HasRole(std::string_view role) const noexcept {
    for (const auto& held : roles) {
      if (held == role) return true;
    }
    return false;
  }
};

/// What a handler knows about a request besides the request itself.
struct RequestContext {
  /// The decoded path without the query ("/api/orders/123").
  std::string path;
  /// Path parameters captured by the router ("{id}" -> value).
  std::map<std::string, std::string, std::less<>> path_params;
  /// Query parameters, percent-decoded.
  std::map<std::string, std::string, std::less<>> query;
  /// The peer's IP address as the server saw it ("" outside a server, e.g. in unit tests).
  std::string remote_address;
  /// Who the caller is, for rate limits and idempotency keys: the authenticated principal when
  /// authentication is configured, else the remote address.
  std::string client_id;
  /// The route pattern that matched the path ("/api/orders/{id}"), also when the method did not
  /// (405); "" when no route matched. Set by the router; metrics use it as a bounded label.
  std::string route;
  /// The span this server handles the request in (W3C traceparent, a child of the caller's
  /// `traceparent` header or a new trace); "" outside a server with telemetry. Messages that
  /// start with the request carry it (an order's saga keeps it; later messages of an existing
  /// saga, a cancel's included, continue the saga's own trace).
  std::string traceparent;
  /// Who is calling (empty outside the authentication middleware: handlers then grant nothing).
  Caller caller;
};

/// Thrown by handlers and their helpers for an answer that is an error to the client (400, 404,
/// 409, 412, 415, 422, 429...). The server turns it into problem+json in one place; `extra`
/// adds members such as "errors" (field paths of a validation failure).
class ProblemError : public std::runtime_error {
 public:
  ProblemError(Status status, std::string title, std::string detail,
               nlohmann::json extra = nlohmann::json::object(),
               std::vector<std::pair<beast_http::field, std::string>> headers = {})
      : std::runtime_error(detail),
        status_(status),
        title_(std::move(title)),
        detail_(std::move(detail)),
        extra_(std::move(extra)),
        headers_(std::move(headers)) {}

  [[nodiscard]] Status GetStatus() const noexcept { return status_; }
  /// The problem+json response, with the extra headers set.
  [[nodiscard]] Response ToResponse() const;

 private:
  Status status_;
  std::string title_;
  std::string detail_;
  nlohmann::json extra_;
  std::vector<std::pair<beast_http::field, std::string>> headers_;
};

/// A JSON response with the given status (Content-Type: application/json).
[[nodiscard]] Response JsonResponse(Status status, const nlohmann::json& body);

/// An RFC 7807 problem (Content-Type: application/problem+json):
/// {"type": "about:blank" or a URN, "title", "status", "detail", ...extra}.
/// Never put stack traces, SQL or secrets in `detail`.
[[nodiscard]] Response ProblemResponse(Status status, std::string_view title, std::string_view detail,
                                       const nlohmann::json& extra = nlohmann::json::object());

/// The answer to an exception thrown while handling `request`, mapped in one place:
/// ProblemError -> its problem+json; a retryable core::InfraError -> 503 with Retry-After; any
/// other exception -> 500 without detail. Infrastructure errors are logged (never the text to
/// the client). Call from a catch block or with std::current_exception().
[[nodiscard]] Response ErrorResponse(const Request& request, const std::exception_ptr& error);

/// Splits "path?query" and percent-decodes the query into key/value pairs.
/// Returns false when the target is malformed (bad escape, no leading '/').
[[nodiscard]] bool ParseTarget(std::string_view target, std::string& path,
                               std::map<std::string, std::string, std::less<>>& query);

}  // namespace saga::http
