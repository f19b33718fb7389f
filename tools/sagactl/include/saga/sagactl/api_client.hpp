#pragma once
// How sagactl calls one service's REST API: a transport (HttpClient::Send in the executable, a
// fake in unit tests) and the translation of every failed exchange into a CommandError, the one
// line sagactl prints and the exit code it returns.
//
// Thread-safety: none needed (sagactl is single-threaded).

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "saga/http/client.hpp"
#include "saga/sagactl/exit_codes.hpp"

namespace saga::sagactl {

/// JSON as the server wrote it: members keep their order, so tables show them as documented.
using Json = nlohmann::ordered_json;

/// A failure sagactl reports: `what()` is the message (without the "sagactl: " prefix; further
/// lines, e.g. one per invalid field, are indented), `Code()` the exit code.
class CommandError : public std::runtime_error {
 public:
  CommandError(Exit exit, const std::string& message) : std::runtime_error(message), exit_(exit) {}
  [[nodiscard]] Exit Code() const noexcept { return exit_; }

 private:
  Exit exit_;
};

/// One exchange: method, target (path and query), body ("" = none), extra headers.
using Transport = std::function<http::ClientReply(const std::string& method, const std::string& target,
                                                  const std::string& body,
                                                  const std::map<std::string, std::string>& headers)>;

struct ApiReply {
  int status = 0;
  Json body;  // null when the answer had no (JSON) body
  std::map<std::string, std::string> headers;
};

/// The reason phrase of an HTTP status ("Not Found"), or "" for one sagactl does not know.
[[nodiscard]] std::string ReasonPhrase(int status);

/// The error for a failed exchange (status 0, or >= 400) of `method target` with the service
/// `service` ("order") at `base_url`:
///   unreachable:  "order service unreachable at https://127.0.0.1:8081 (Connection refused)"
///   problem+json: "404 Not Found: GET /api/orders/x: order x not found", then one indented
///                 line per invalid field ("  items[0].quantity: must be at least 1").
[[nodiscard]] CommandError DescribeFailure(const std::string& service, const std::string& base_url,
                                           const std::string& method, const std::string& target,
                                           const http::ClientReply& reply);

/// Percent-encodes everything but RFC 3986 unreserved characters (a path segment or query value).
[[nodiscard]] std::string UrlEncode(const std::string& text);

/// "?a=1&b=x" from the pairs whose value is not empty; "" when none is.
[[nodiscard]] std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params);

class ApiClient {
 public:
  /// `service` names the service in messages ("order"), `base_url` too.
  ApiClient(std::string service, std::string base_url, Transport transport);

  /// Sends the call and returns a 2xx/3xx answer; throws CommandError (DescribeFailure) for
  /// anything else. `body` is sent as JSON when given.
  ApiReply Call(const std::string& method, const std::string& target, const std::optional<Json>& body = {},
                const std::map<std::string, std::string>& headers = {}) const;

  [[nodiscard]] const std::string& Service() const noexcept { return service_; }

 private:
  std::string service_;
  std::string base_url_;
  Transport transport_;
};

}  // namespace saga::sagactl
