// <utility> first: Boost 1.74 Asio needs it before any Asio header under g++ 12 in C++20.
#include <utility>

#include "saga/http/client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <charconv>
#include <fstream>
#include <mutex>
#include <optional>
#include <type_traits>
#include <vector>

#include "saga/core/errors.hpp"
#include "saga/observability/logging.hpp"

namespace saga::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

struct TlsClientContext::Impl {
  asio::ssl::context context{asio::ssl::context::tls_client};
};

TlsClientContext::TlsClientContext(const std::string& ca_file) : impl_(std::make_shared<Impl>()) {
  auto& context = impl_->context;
  context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  context.set_verify_mode(asio::ssl::verify_peer);
  boost::system::error_code ec;
  if (ca_file.empty()) {
    context.set_default_verify_paths(ec);
    if (ec) throw core::ConfigError("cannot load the system's trusted CA certificates: " + ec.message());
    return;
  }
  if (!std::ifstream(ca_file)) throw core::ConfigError("CA file '" + ca_file + "' cannot be read");
  context.load_verify_file(ca_file, ec);
  if (ec) throw core::ConfigError("CA file '" + ca_file + "' holds no PEM certificate: " + ec.message());
}

namespace {

// What a failed exchange reports: for TLS, the certificate check that failed, if any.
std::string DescribeFailure(const beast::error_code& ec, const SSL* ssl) {
  std::string text = ec.message();
  if (ssl != nullptr && ec.category() == asio::error::get_ssl_category()) {
    text = "TLS: " + text;
    if (const long verify = SSL_get_verify_result(ssl); verify != X509_V_OK) {
      text += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
    }
  }
  return text;
}

// Starts `write` once connected, and for TLS once the handshake (SNI and the name to verify set
// from `host`) has succeeded.
template <class Stream, class Then>
void Connect(Stream& stream, const tcp::endpoint& endpoint, const std::string& host,
             beast::error_code& result, Then then) {
  if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
    SSL* ssl = stream.native_handle();
    boost::system::error_code not_an_address;
    (void)asio::ip::make_address(host, not_an_address);
    // SSL_set_tlsext_host_name, without its macro's C cast.
    const auto set_sni = [&] {
      return SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                      const_cast<char*>(host.c_str())) == 1;
    };
    const bool ok = not_an_address ? set_sni() && SSL_set1_host(ssl, host.c_str()) == 1
                                   : X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
    if (!ok) {
      result = beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
      return;
    }
    beast::get_lowest_layer(stream).async_connect(endpoint, [&, then](beast::error_code ec) {
      if (ec) {
        result = ec;
        return;
      }
      stream.async_handshake(asio::ssl::stream_base::client, [&, then](beast::error_code handshake_ec) {
        if (handshake_ec) {
          result = handshake_ec;
          return;
        }
        then();
      });
    });
  } else {
    stream.async_connect(endpoint, [&, then](beast::error_code ec) {
      if (ec) {
        result = ec;
        return;
      }
      then();
    });
  }
}

// Writes `req` and reads the answer into `parser`; `result` holds the outcome.
template <class Stream>
void WriteRead(Stream& stream, bhttp::request<bhttp::string_body>& req, beast::flat_buffer& buffer,
               bhttp::response_parser<bhttp::string_body>& parser, beast::error_code& result) {
  bhttp::async_write(stream, req, [&](beast::error_code write_ec, std::size_t) {
    // A server may answer before it has read the whole request (413) and close: the write
    // then fails, but the answer is there to read.
    bhttp::async_read(stream, buffer, parser, [&, write_ec](beast::error_code read_ec, std::size_t) {
      result = read_ec ? (write_ec ? write_ec : read_ec) : beast::error_code{};
    });
  });
}

template <class Stream>
void Run(asio::io_context& ioc, Stream& stream, const tcp::endpoint& endpoint, const std::string& host,
         bhttp::request<bhttp::string_body>& req, beast::flat_buffer& buffer,
         bhttp::response_parser<bhttp::string_body>& parser, beast::error_code& result) {
  Connect(stream, endpoint, host, result, [&] { WriteRead(stream, req, buffer, parser, result); });
  ioc.run();
}

bhttp::request<bhttp::string_body> MakeRequest(const std::string& host, const std::string& method,
                                               const std::string& target, const std::string& body,
                                               const std::map<std::string, std::string>& headers) {
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
  return req;
}

void FillReply(const bhttp::response<bhttp::string_body>& res, ClientReply& reply) {
  reply.status = static_cast<int>(res.result_int());
  reply.body = res.body();
  for (const auto& field : res) {
    std::string name(field.name_string().data(), field.name_string().size());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value().data(), field.value().size());
  }
}

std::optional<tcp::endpoint> Endpoint(const std::string& host, std::uint16_t port) {
  boost::system::error_code address_error;
  const auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, address_error);
  if (address_error) return std::nullopt;
  return tcp::endpoint(address, port);
}

}  // namespace

// Every operation is asynchronous on a private io_context so that the stream's deadline
// (beast::tcp_stream::expires_after) bounds the whole exchange.
ClientReply Exchange(const std::string& host, std::uint16_t port, const std::string& method,
                     const std::string& target, const std::string& body,
                     const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout,
                     const TlsClientContext* tls) {
  ClientReply reply;
  asio::io_context ioc;
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::uint64_t{64} << 20U);
  auto req = MakeRequest(host, method, target, body, headers);

  beast::error_code result;
  const auto endpoint = Endpoint(host, port);
  if (!endpoint) {
    reply.error = "bad host: " + host;
    return reply;
  }
  if (tls != nullptr) {
    beast::ssl_stream<beast::tcp_stream> stream(ioc, tls->Get().context);
    beast::get_lowest_layer(stream).expires_after(timeout);
    Run(ioc, stream, *endpoint, host, req, buffer, parser, result);
    if (result) reply.error = DescribeFailure(result, stream.native_handle());
  } else {
    beast::tcp_stream stream(ioc);
    stream.expires_after(timeout);
    Run(ioc, stream, *endpoint, host, req, buffer, parser, result);
    if (result) reply.error = DescribeFailure(result, nullptr);
  }
  if (result) return reply;
  FillReply(parser.get(), reply);
  return reply;
}

// The stream lives across calls on an io_context of its own; every call runs that context
// until the call's operations are done (and restarts it for the next).
struct KeepAliveConnection::Impl {
  std::string host;
  std::uint16_t port = 0;
  std::shared_ptr<const TlsClientContext> tls;
  asio::io_context ioc;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream;
  std::optional<beast::tcp_stream> tcp_stream;
  beast::flat_buffer buffer;
  std::uint64_t connects = 0;

  [[nodiscard]] bool Open() const { return tls_stream.has_value() || tcp_stream.has_value(); }
  void Close() {
    tls_stream.reset();  // no close_notify: the peer sees the TCP close, which is all it needs
    tcp_stream.reset();
    buffer.clear();
  }

  // Writes and reads on `stream`, connecting first unless it is reused.
  template <class Stream>
  beast::error_code RunOn(Stream& stream, bool reuse, bhttp::request<bhttp::string_body>& req,
                          bhttp::response_parser<bhttp::string_body>& parser,
                          std::chrono::milliseconds timeout) {
    beast::error_code result;
    beast::get_lowest_layer(stream).expires_after(timeout);
    if (reuse) {
      WriteRead(stream, req, buffer, parser, result);
    } else {
      Connect(stream, *Endpoint(host, port), host, result,
              [&] { WriteRead(stream, req, buffer, parser, result); });
    }
    ioc.run();
    return result;
  }

  // One attempt on the open connection, or on a new one.
  beast::error_code Attempt(bhttp::request<bhttp::string_body>& req,
                            bhttp::response_parser<bhttp::string_body>& parser,
                            std::chrono::milliseconds timeout, std::string& error) {
    const bool reuse = Open();
    ioc.restart();
    if (!reuse) ++connects;
    if (tls != nullptr) {
      if (!reuse) tls_stream.emplace(ioc, tls->Get().context);
      const auto result = RunOn(*tls_stream, reuse, req, parser, timeout);
      if (result) error = DescribeFailure(result, tls_stream->native_handle());
      return result;
    }
    if (!reuse) tcp_stream.emplace(ioc);
    const auto result = RunOn(*tcp_stream, reuse, req, parser, timeout);
    if (result) error = DescribeFailure(result, nullptr);
    return result;
  }
};

KeepAliveConnection::KeepAliveConnection(std::string host, std::uint16_t port,
                                         std::shared_ptr<const TlsClientContext> tls)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  impl_->tls = std::move(tls);
}

KeepAliveConnection::~KeepAliveConnection() = default;

std::uint64_t KeepAliveConnection::Connects() const noexcept {
  return impl_->connects;
}

bool KeepAliveConnection::IsOpen() const noexcept {
  return impl_->Open();
}

ClientReply KeepAliveConnection::Exchange(const std::string& method, const std::string& target,
                                          const std::string& body,
                                          const std::map<std::string, std::string>& headers,
                                          std::chrono::milliseconds timeout) {
  ClientReply reply;
  if (!Endpoint(impl_->host, impl_->port)) {
    reply.error = "bad host: " + impl_->host;
    return reply;
  }
  auto req = MakeRequest(impl_->host, method, target, body, headers);  // HTTP/1.1: keep-alive by default
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl_->Open();
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(std::uint64_t{64} << 20U);
    const auto result = impl_->Attempt(req, parser, timeout, reply.error);
    if (!result) {
      reply.error.clear();
      FillReply(parser.get(), reply);
      if (!parser.get().keep_alive()) impl_->Close();
      return reply;
    }
    impl_->Close();
    // Only a stale idle connection is worth a second attempt; anything else is the answer (a
    // timed-out call is not repeated: the caller's deadline is spent).
    if (!reused || parser.got_some() || result == beast::error::timeout) break;
  }
  return reply;
}

struct HttpClient::IdleConnections {
  std::mutex mu;
  std::vector<std::unique_ptr<KeepAliveConnection>> idle;  // guarded by mu
  std::atomic<std::uint64_t> opened{0};
};

HttpClient::HttpClient(const std::string& name, const std::string& base_url,
                       std::chrono::milliseconds timeout, observability::Metrics& metrics,
                       const std::string& ca_file)
    : name_(name),
      base_url_(base_url),
      timeout_(timeout),
      requests_(&metrics.CounterFamily("saga_http_client_requests_total",
                                       "Calls to other services, by peer (config key) and outcome")),
      duration_(&metrics
                     .HistogramFamily("saga_http_client_request_duration_seconds",
                                      "Time of calls to other services, by peer")
                     .Add({{"peer", name}}, observability::LatencyBuckets())),
      idle_(std::make_shared<IdleConnections>()) {
  const auto bad = [&] {
    return core::ConfigError(name + " must be http(s)://HOST:PORT with a numeric host or localhost, not '" +
                             base_url + "'");
  };
  const bool https = base_url.rfind("https://", 0) == 0;
  if (!https && base_url.rfind("http://", 0) != 0) throw bad();
  std::string rest = base_url.substr(https ? 8 : 7);
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
  if (https) {
    try {
      tls_ = std::make_shared<const TlsClientContext>(ca_file);
    } catch (const core::ConfigError& e) {
      throw core::ConfigError(name + " (" + base_url + "): " + e.what());
    }
  }
}

ClientReply HttpClient::Send(const std::string& method, const std::string& target, const std::string& body,
                             const std::map<std::string, std::string>& headers) const {
  std::map<std::string, std::string> all{{"Accept", "application/json"}};
  if (const auto& trace = observability::CurrentTraceparent(); !trace.empty()) all["traceparent"] = trace;
  if (authorization_) all["Authorization"] = authorization_();
  for (const auto& [name, value] : headers) all[name] = value;
  const auto started = std::chrono::steady_clock::now();
  ClientReply reply;
  if (method == "GET") {  // safe to repeat: over a kept-alive connection
    std::unique_ptr<KeepAliveConnection> connection;
    {
      std::lock_guard lock(idle_->mu);
      if (!idle_->idle.empty()) {
        connection = std::move(idle_->idle.back());
        idle_->idle.pop_back();
      }
    }
    if (connection == nullptr) connection = std::make_unique<KeepAliveConnection>(host_, port_, tls_);
    const auto connects = connection->Connects();
    reply = connection->Exchange(method, target, body, all, timeout_);
    idle_->opened += connection->Connects() - connects;
    if (connection->IsOpen()) {
      std::lock_guard lock(idle_->mu);
      if (idle_->idle.size() < kMaxIdleConnections) idle_->idle.push_back(std::move(connection));
    }
  } else {
    reply = Exchange(host_, port_, method, target, body, all, timeout_, tls_.get());
  }
  duration_->Observe(observability::SecondsSince<std::chrono::steady_clock>(started));
  requests_
      ->Add(
          {{"peer", name_},
           {"outcome", reply.status == 0 ? std::string("error") : std::to_string(reply.status / 100) + "xx"}})
      .Increment();
  return reply;
}

std::uint64_t HttpClient::ConnectionsOpened() const noexcept {
  return idle_->opened.load();
}

ClientReply HttpClient::Get(const std::string& target) const {
  auto reply = Send("GET", target, {});
  if (reply.status == 0)
    throw core::InfraError(name_ + " (" + base_url_ + ") unreachable: " + reply.error, true);
  if (reply.status >= 500) {
    throw core::InfraError(name_ + " (" + base_url_ + ") answered " + std::to_string(reply.status), true);
  }
  return reply;
}

void HttpClient::SetAuthorization(std::function<std::string()> header) {
  const bool loopback = host_ == "localhost" || host_ == "::1" || host_.rfind("127.", 0) == 0;
  if (base_url_.rfind("http://", 0) == 0 && !loopback) {
    throw core::ConfigError(
        name_ + " is plain http to " + host_ +
        ": calls carrying this service's bearer token must use https:// (or a loopback peer)");
  }
  authorization_ = std::move(header);
}

}  // namespace saga::http
