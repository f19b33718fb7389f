#include "saga/http/types.hpp"

#include <spdlog/spdlog.h>

#include "saga/core/errors.hpp"

namespace saga::http {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool PercentDecode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexDigit(in[i + 1]);
      const int lo = HexDigit(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return true;
}

}  // namespace

Response JsonResponse(Status status, const nlohmann::json& body) {
  Response res{status, 11};
  res.set(beast_http::field::content_type, "application/json");
  res.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  res.prepare_payload();
  return res;
}

Response ProblemResponse(Status status, std::string_view title, std::string_view detail,
                         const nlohmann::json& extra) {
  nlohmann::json body = extra.is_object() ? extra : nlohmann::json::object();
  if (!body.contains("type")) body["type"] = "about:blank";
  body["title"] = title;
  body["status"] = static_cast<int>(status);
  if (!detail.empty()) body["detail"] = detail;
  Response res = JsonResponse(status, body);
  res.set(beast_http::field::content_type, "application/problem+json");
  return res;
}

Response ProblemError::ToResponse() const {
  Response res = ProblemResponse(status_, title_, detail_, extra_);
  for (const auto& [field, value] : headers_) res.set(field, value);
  return res;
}

bool ParseTarget(std::string_view target, std::string& path,
                 std::map<std::string, std::string, std::less<>>& query) {
  if (target.empty() || target.front() != '/') return false;
  const auto qpos = target.find('?');
  path = std::string(target.substr(0, qpos));
  query.clear();
  if (qpos == std::string_view::npos) return true;
  std::string_view rest = target.substr(qpos + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string key;
    std::string value;
    if (!PercentDecode(pair.substr(0, eq), key)) return false;
    if (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), value)) return false;
    query[key] = value;
  }
  return true;
}

Response ErrorResponse(const Request& request, const std::exception_ptr& error) {
  const auto method = request.method_string();
  const auto target = request.target();
  try {
    std::rethrow_exception(error);
  } catch (const ProblemError& e) {
    return e.ToResponse();
  } catch (const core::InfraError& e) {
    spdlog::error("http {} {}: {}", std::string_view(method.data(), method.size()),
                  std::string_view(target.data(), target.size()), e.what());
    if (e.IsRetryable()) {
      Response res = ProblemResponse(Status::service_unavailable, "Service Unavailable",
                                     "a dependency is temporarily unavailable; retry later");
      res.set(beast_http::field::retry_after, "1");
      return res;
    }
  } catch (const std::exception& e) {
    spdlog::error("http {} {}: unhandled exception: {}", std::string_view(method.data(), method.size()),
                  std::string_view(target.data(), target.size()), e.what());
  } catch (...) {
    spdlog::error("http {} {}: unhandled non-standard exception", std::string_view(method.data(), method.size()),
                  std::string_view(target.data(), target.size()));
  }
  return ProblemResponse(Status::internal_server_error, "Internal Server Error", "");
}

}  // namespace saga::http
