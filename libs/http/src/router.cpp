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
  routes_.push_back(Route{method, Split(pattern), std::move(handler)});
}

Response Router::Dispatch(const Request& request) const {
  RequestContext context;
  std::string path;
  const auto target = request.target();
  if (!ParseTarget(std::string_view(target.data(), target.size()), path, context.query)) {
    return ProblemResponse(Status::bad_request, "Bad Request", "the request target is malformed");
  }
  const auto segments = Split(path);
  std::string allowed;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string, std::less<>> params;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      if (IsCapture(route.segments[i])) {
        if (segments[i].empty()) match = false;
        params[route.segments[i].substr(1, route.segments[i].size() - 2)] = segments[i];
      } else {
        match = route.segments[i] == segments[i];
      }
    }
    if (!match) continue;
    if (route.method != request.method()) {
      if (!allowed.empty()) allowed += ", ";
      const auto name = beast_http::to_string(route.method);
      allowed.append(name.data(), name.size());
      continue;
    }
    context.path_params = std::move(params);
    return route.handler(request, context);
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
