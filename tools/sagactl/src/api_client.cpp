#include "saga/sagactl/api_client.hpp"

#include <array>
#include <cctype>

namespace saga::sagactl {

std::string ReasonPhrase(int status) {
  static const std::map<int, std::string> kPhrases{{400, "Bad Request"},
                                                   {401, "Unauthorized"},
                                                   {403, "Forbidden"},
                                                   {404, "Not Found"},
                                                   {405, "Method Not Allowed"},
                                                   {409, "Conflict"},
                                                   {412, "Precondition Failed"},
                                                   {413, "Payload Too Large"},
                                                   {415, "Unsupported Media Type"},
                                                   {422, "Unprocessable Entity"},
                                                   {429, "Too Many Requests"},
                                                   {500, "Internal Server Error"},
                                                   {502, "Bad Gateway"},
                                                   {503, "Service Unavailable"},
                                                   {504, "Gateway Timeout"}};
  const auto it = kPhrases.find(status);
  return it == kPhrases.end() ? std::string() : it->second;
}

CommandError DescribeFailure(const std::string& service, const std::string& base_url,
                             const std::string& method, const std::string& target,
                             const http::ClientReply& reply) {
  if (reply.status == 0) {
    return {Exit::kUnreachable, service + " service unreachable at " + base_url + " (" + reply.error + ")"};
  }
  const auto problem = Json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  std::string title = ReasonPhrase(reply.status);
  std::string detail;
  std::string fields;
  if (problem.is_object()) {
    if (problem.contains("title") && problem["title"].is_string())
      title = problem["title"].get<std::string>();
    if (problem.contains("detail") && problem["detail"].is_string())
      detail = problem["detail"].get<std::string>();
    if (problem.contains("errors") && problem["errors"].is_array()) {
      for (const auto& error : problem["errors"]) {
        if (!error.is_object()) continue;
        fields +=
            "\n  " + error.value("field", std::string("?")) + ": " + error.value("message", std::string());
      }
    }
  } else if (!reply.body.empty()) {
    detail = reply.body.substr(0, 200);  // not problem+json (a proxy?): show its start
    while (!detail.empty() && std::isspace(static_cast<unsigned char>(detail.back())) != 0) detail.pop_back();
  }
  std::string message = std::to_string(reply.status);
  if (!title.empty()) message += " " + title;
  message += ": " + method + " " + target + " (" + service + " service)";
  if (!detail.empty()) message += ": " + detail;
  return {ExitForStatus(reply.status), message + fields};
}

std::string UrlEncode(const std::string& text) {
  static constexpr std::array<char, 16> kHex{'0', '1', '2', '3', '4', '5', '6', '7',
                                             '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex.at(byte >> 4U);
      out += kHex.at(byte & 0xFU);
    }
  }
  return out;
}

std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (value.empty()) continue;
    out += (out.empty() ? "?" : "&") + name + "=" + UrlEncode(value);
  }
  return out;
}

ApiClient::ApiClient(std::string service, std::string base_url, Transport transport)
    : service_(std::move(service)), base_url_(std::move(base_url)), transport_(std::move(transport)) {}

ApiReply ApiClient::Call(const std::string& method, const std::string& target,
                         const std::optional<Json>& body,
                         const std::map<std::string, std::string>& headers) const {
  const auto reply = transport_(method, target, body ? body->dump() : std::string(), headers);
  if (reply.status == 0 || reply.status >= 400)
    throw DescribeFailure(service_, base_url_, method, target, reply);
  ApiReply out;
  out.status = reply.status;
  out.headers = reply.headers;
  if (!reply.body.empty()) out.body = Json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (out.body.is_discarded()) {
    throw CommandError(Exit::kFailed,
                       method + " " + target + " (" + service_ + " service): the answer is not JSON");
  }
  return out;
}

}  // namespace saga::sagactl
