#pragma once
// Router: maps (method, path pattern) to a handler. Patterns are literal segments and
// "{name}" captures: "/api/orders/{id}/status". Unknown paths answer 404, known paths with
// another method 405 with an Allow header, both as problem+json.
//
// Thread-safety: build it fully, then share it read-only between server threads.

#include <functional>
#include <string>
#include <vector>

#include "saga/http/types.hpp"

namespace saga::http {

using Handler = std::function<Response(const Request&, const RequestContext&)>;

class Router {
 public:
  /// Registers a route. Asserts on a malformed pattern (a programmer error).
  void Add(Verb method, std::string pattern, Handler handler);

  /// Finds the handler and runs it. Exceptions from handlers propagate to the caller
  /// (the server maps them to problem+json in one place).
  [[nodiscard]] Response Dispatch(const Request& request) const;

 private:
  struct Route {
    Verb method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace saga::http
