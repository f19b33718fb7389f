// <utility> first: Boost 1.74 Asio needs it before any Asio header under g++ 12 in C++20.
#include <utility>

#include "saga/http/client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <charconv>

#include "saga/core/errors.hpp"
#include "saga/observability/logging.hpp"

namespace saga::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

// Every operation is asynchronous on a private io_context so that the stream's deadline
// (beast::tcp_stream::expires_after) bounds the whole exchange.
ClientReply Exchange(const std::string& host, std::uint16_t port, const std::string& method,
                     const std::string& target, const std::string& body,
                     const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout) {
  ClientReply reply;
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::uint64_t{64} << 20U);
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, host);
  bool has_content_type = false;
  for (const auto& [name, value] : headers) {
    req.set(name, value);
    has_content_type = has_content_type || beast::iequals(name, "Content-Type");
  }
  if (!body.empty()) {
    req.body() = body;
    if (!has_content_type) req.set(bhttp::field::content_type, "application/json");
  }
  req.prepare_payload();

  beast::error_code result;
  boost::system::error_code address_error;
  const auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, address_error);
  if (address_error) {
    reply.error = "bad host: " + host;
    return reply;
  }
  stream.expires_after(timeout);
  stream.async_connect(tcp::endpoint(address, port), [&](beast::error_code ec) {
    if (ec) {
      result = ec;
      return;
    }
    bhttp::async_write(stream, req, [&](beast::error_code write_ec, std::size_t) {
      // A server may answer before it has read the whole request (413) and close: the write
      // then fails, but the answer is there to read.
      bhttp::async_read(stream, buffer, parser, [&, write_ec](beast::error_code read_ec, std::size_t) {
        result = read_ec ? (write_ec ? write_ec : read_ec) : beast::error_code{};
      });
    });
  });
  ioc.run();
  if (result) {
    reply.error = result.message();
    return reply;
  }
  auto res = parser.release();
  reply.status = static_cast<int>(res.result_int());
  reply.body = res.body();
  for (const auto& field : res) {
    std::string name(field.name_string().data(), field.name_string().size());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value().data(), field.value().size());
  }
  return reply;
}

HttpClient::HttpClient(const std::string& name, const std::string& base_url, std::chrono::milliseconds timeout,
                       observability::Metrics& metrics)
    : name_(name),
      base_url_(base_url),
      timeout_(timeout),
      requests_(&metrics.CounterFamily("saga_http_client_requests_total",
                                       "Calls to other services, by peer (config key) and outcome")),
      duration_(&metrics
                     .HistogramFamily("saga_http_client_request_duration_seconds",
                                      "Time of calls to other services, by peer")
                     .Add({{"peer", name}}, observability::LatencyBuckets())) {
  const std::string scheme = "http://";
  const auto bad = [&] {
    return core::ConfigError(name + " must be http://HOST:PORT with a numeric host or localhost, not '" +
                             base_url + "'");
  };
  if (base_url.rfind(scheme, 0) != 0) throw bad();
  std::string rest = base_url.substr(scheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0) throw bad();
  host_ = rest.substr(0, colon);
  if (host_.size() > 2 && host_.front() == '[' && host_.back() == ']')
    host_ = host_.substr(1, host_.size() - 2);
  const auto port_text = rest.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port == 0 || port > 65535)
    throw bad();
  port_ = static_cast<std::uint16_t>(port);
  boost::system::error_code address_error;
  (void)asio::ip::make_address(host_ == "localhost" ? "127.0.0.1" : host_, address_error);
  if (address_error) throw bad();
}

ClientReply HttpClient::Get(const std::string& target) const {
  std::map<std::string, std::string> headers{{"Accept", "application/json"}};
  if (const auto& trace = observability::CurrentTraceparent(); !trace.empty()) headers["traceparent"] = trace;
  if (authorization_) headers["Authorization"] = authorization_();
  const auto started = std::chrono::steady_clock::now();
  auto reply = Exchange(host_, port_, "GET", target, {}, headers, timeout_);
  duration_->Observe(observability::SecondsSince<std::chrono::steady_clock>(started));
  requests_->Add({{"peer", name_}, {"outcome", reply.status == 0 ? std::string("error")
                                                                  : std::to_string(reply.status / 100) + "xx"}})
      .Increment();
  if (reply.status == 0)
    throw core::InfraError(name_ + " (" + base_url_ + ") unreachable: " + reply.error, true);
  if (reply.status >= 500) {
    throw core::InfraError(name_ + " (" + base_url_ + ") answered " + std::to_string(reply.status), true);
  }
  return reply;
}

}  // namespace saga::http
