#include "saga/http/router.hpp"

#include <cassert>

namespace saga::http {
namespace {

std::vector<std::string> Split(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 1;  // skip the leading '/'
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    segments.emplace_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

bool IsCapture(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::Add(Verb method, std::string pattern, Handler handler) {
  assert(!pattern.empty() && pattern.front() == '/');
  auto segments = Split(pattern);
  int literals = 0;
  for (const auto& segment : segments) literals += IsCapture(segment) ? 0 : 1;
  routes_.push_back(Route{method, std::move(pattern), std::move(segments), literals, std::move(handler)});
}

void Router::Use(Middleware middleware) {
  middleware_.push_back(std::move(middleware));
}

std::vector<std::pair<Verb, std::string>> Router::Routes() const {
  std::vector<std::pair<Verb, std::string>> out;
  out.reserve(routes_.size());
  for (const auto& route : routes_) out.emplace_back(route.method, route.pattern);
  return out;
}

Response Router::Dispatch(const Request& request, RequestContext context) const {
  std::string path;
  const auto target = request.target();
  const bool well_formed = ParseTarget(std::string_view(target.data(), target.size()), path, context.query);
  context.path = well_formed ? path : std::string();
  // The route is known to every middleware (a rate-limited request counts under its route).
  if (well_formed) context.route = BestPattern(Split(context.path), request.method());
  // Middleware from the innermost outwards: middleware_[0] ends up outermost. A malformed target
  // goes through them too (it is logged and counted), and is answered 400 inside.
  Next next = [this, &request, &context, well_formed] {
    if (!well_formed)
      return ProblemResponse(Status::bad_request, "Bad Request", "the request target is malformed");
    return Match(request, context);
  };
  for (auto it = middleware_.rbegin(); it != middleware_.rend(); ++it) {
    next = [&middleware = *it, &request, &context, inner = std::move(next)] {
      return middleware(request, context, inner);
    };
  }
  return next();
}

std::string Router::BestPattern(const std::vector<std::string>& segments, Verb method) const {
  // The most literal patterns matching the path; among them the first that has `method` (so the
  // handler that runs is always the route the middleware saw), else the first (405).
  int best_literals = -1;
  std::string best;
  bool best_has_method = false;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size() || route.literals < best_literals) continue;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      match = IsCapture(route.segments[i]) ? !segments[i].empty() : route.segments[i] == segments[i];
    }
    if (!match) continue;
    const bool has_method = route.method == method;
    if (route.literals > best_literals || (has_method && !best_has_method)) {
      best_literals = route.literals;
      best = route.pattern;
      best_has_method = has_method;
    }
  }
  return best;
}

Response Router::Match(const Request& request, RequestContext& context) const {
  // Only the pattern Dispatch chose (and the middleware authorized) may run: its method, or 405.
  const auto segments = Split(context.path);
  const Route* chosen = nullptr;
  std::string allowed;
  for (const auto& route : routes_) {
    if (context.route.empty() || route.pattern != context.route) continue;
    if (route.method == request.method() && chosen == nullptr) chosen = &route;
    if (!allowed.empty()) allowed += ", ";
    const auto name = beast_http::to_string(route.method);
    allowed.append(name.data(), name.size());
  }
  if (chosen != nullptr) {
    std::map<std::string, std::string, std::less<>> params;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (IsCapture(chosen->segments[i])) {
        params[chosen->segments[i].substr(1, chosen->segments[i].size() - 2)] = segments[i];
      }
    }
    context.path_params = std::move(params);
    return chosen->handler(request, context);
  }
  if (!allowed.empty()) {
    Response res = ProblemResponse(Status::method_not_allowed, "Method Not Allowed",
                                   "this resource supports: " + allowed);
    res.set(beast_http::field::allow, allowed);
    return res;
  }
  return ProblemResponse(Status::not_found, "Not Found", "no resource at this path");
}

}  // namespace saga::http
