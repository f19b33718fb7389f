#pragma once
// Router: maps (method, path pattern) to a handler. Patterns are literal segments and
// "{name}" captures: "/api/orders/{id}/status". When several patterns match a path, the one
// with the most literal segments wins ("/api/inventory/low-stock" before "/api/inventory/{id}").
// Unknown paths answer 404, known paths with another method 405 with an Allow header, both as
// problem+json.
//
// Middleware wraps every dispatch (matched or not, malformed targets included), in the order
// added: the first added is the outermost. RequestContext::route is set before they run. A middleware may answer by itself (rate limit) or post-process the response of
// `next` (conditional GET).
//
// Thread-safety: build it fully, then share it read-only between server threads.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "saga/http/types.hpp"

namespace saga::http {

using Handler = std::function<Response(const Request&, const RequestContext&)>;
using Next = std::function<Response()>;
/// A middleware may fill in the context for those inside it (trace, principal).
using Middleware = std::function<Response(const Request&, RequestContext&, const Next& next)>;

class Router {
 public:
  /// Registers a route. Asserts on a malformed pattern (a programmer error).
  void Add(Verb method, std::string pattern, Handler handler);
  /// Adds a middleware around every dispatch.
  void Use(Middleware middleware);

  /// Runs the middleware, finds the handler and runs it. `context` carries what the server
  /// knows about the connection (remote address); path and query parameters are filled here.
  /// Exceptions from handlers propagate to the caller (the server maps them in one place).
  [[nodiscard]] Response Dispatch(const Request& request, RequestContext context = {}) const;

  /// Every registered (method, pattern), in registration order (for documentation checks).
  [[nodiscard]] std::vector<std::pair<Verb, std::string>> Routes() const;

 private:
  struct Route {
    Verb method;
    std::string pattern;
    std::vector<std::string> segments;
    int literals = 0;
    Handler handler;
  };
  [[nodiscard]] Response Match(const Request& request, RequestContext& context) const;
  /// The most literal pattern matching the path's segments, preferring one with `method` among
  /// equally literal ones; "" for none. Match() runs only this pattern's routes.
  [[nodiscard]] std::string BestPattern(const std::vector<std::string>& segments, Verb method) const;

  std::vector<Route> routes_;
  std::vector<Middleware> middleware_;
};

}  // namespace saga::http
