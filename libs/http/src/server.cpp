// <utility> first: Boost 1.74 Asio coroutines need it before any Asio header under g++ 12.
#include <utility>

#include "saga/http/server.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <type_traits>

#include "saga/config/config_source.hpp"
#include "saga/core/errors.hpp"

namespace saga::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

// TLS 1.2 suites: forward secrecy and AEAD only (Mozilla "intermediate" without DHE, which needs
// parameters). TLS 1.3 keeps OpenSSL's defaults, all of which qualify.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

void RequireReadable(const std::string& key, const std::string& path) {
  if (!std::ifstream(path)) throw core::ConfigError(key + " '" + path + "' cannot be read");
}

std::unique_ptr<asio::ssl::context> MakeServerTlsContext(const HttpServerConfig& config) {
  RequireReadable("http.tls.cert_file", config.tls_cert_file);
  RequireReadable("http.tls.key_file", config.tls_key_file);
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression |
                       asio::ssl::context::single_dh_use);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    throw core::InfraError("cannot set the TLS protocol versions and ciphers", false);
  }
  boost::system::error_code ec;
  context->use_certificate_chain_file(config.tls_cert_file, ec);
  if (ec) {
    throw core::ConfigError("http.tls.cert_file '" + config.tls_cert_file +
                            "' holds no usable PEM certificate chain: " + ec.message());
  }
  context->use_private_key_file(config.tls_key_file, asio::ssl::context::pem, ec);
  if (ec || SSL_CTX_check_private_key(native) != 1) {
    throw core::ConfigError("http.tls.key_file '" + config.tls_key_file +
                            "' is not a usable PEM private key for the certificate of http.tls.cert_file '" +
                            config.tls_cert_file + "': " + (ec ? ec.message() : "key values mismatch"));
  }
  return context;
}

}  // namespace

void HttpServerConfig::Validate() const {
  if (threads < 1 || threads > 256) throw core::ConfigError("http.threads must be in [1, 256]");
  if (max_connections < 1) throw core::ConfigError("http.max_connections must be >= 1");
  if (header_limit_bytes < 1024) throw core::ConfigError("http.header_limit_bytes must be >= 1024");
  if (body_limit_bytes < 1) throw core::ConfigError("http.body_limit_bytes must be >= 1");
  if (request_timeout.count() < 1) throw core::ConfigError("http.request_timeout_ms must be >= 1");
  boost::system::error_code ec;
  (void)asio::ip::make_address(address, ec);
  if (ec) throw core::ConfigError("http.address '" + address + "' is not an IP address");
  if (hsts_max_age.count() < 0) throw core::ConfigError("http.tls.hsts_max_age_s must be >= 0");
  if (Tls()) {
    if (tls_cert_file.empty() || tls_key_file.empty()) {
      throw core::ConfigError(
          "http.tls.cert_file (SAGA_HTTP_TLS_CERT_FILE) and http.tls.key_file (SAGA_HTTP_TLS_KEY_FILE) "
          "must be set together; only " +
          std::string(tls_cert_file.empty() ? "http.tls.key_file" : "http.tls.cert_file") + " is set");
    }
    if (plaintext) {
      throw core::ConfigError(
          "http.plaintext (SAGA_HTTP_PLAINTEXT) is true while http.tls.cert_file and http.tls.key_file are "
          "set: choose TLS or plain HTTP");
    }
  } else if (!plaintext) {
    throw core::ConfigError(
        "no TLS certificate for the HTTP listener: set http.tls.cert_file and http.tls.key_file "
        "(SAGA_HTTP_TLS_CERT_FILE, SAGA_HTTP_TLS_KEY_FILE; `./saga up` makes a development certificate), "
        "or http.plaintext=true (SAGA_HTTP_PLAINTEXT) to serve plain HTTP in development and tests");
  }
}

HttpServerConfig HttpServerConfig::FromSource(const config::ConfigSource& source,
                                              std::uint16_t default_port) {
  HttpServerConfig c;
  c.address = source.GetString("http.address", c.address);
  c.port = static_cast<std::uint16_t>(source.GetInt("http.port", default_port, 0, 65535));
  c.threads = static_cast<int>(source.GetInt("http.threads", c.threads, 1, 256));
  c.max_connections = static_cast<int>(source.GetInt("http.max_connections", c.max_connections, 1, 1 << 20));
  c.header_limit_bytes = static_cast<std::uint32_t>(
      source.GetInt("http.header_limit_bytes", c.header_limit_bytes, 1024, 1 << 20));
  c.body_limit_bytes = static_cast<std::uint64_t>(
      source.GetInt("http.body_limit_bytes", static_cast<std::int64_t>(c.body_limit_bytes), 1, 64LL << 20));
  c.request_timeout = source.GetMillis("http.request_timeout_ms", c.request_timeout);
  c.shutdown_grace = source.GetMillis("http.shutdown_grace_ms", c.shutdown_grace);
  c.tls_cert_file = source.GetString("http.tls.cert_file", "");
  c.tls_key_file = source.GetString("http.tls.key_file", "");
  c.hsts_max_age = std::chrono::seconds(
      source.GetInt("http.tls.hsts_max_age_s", c.hsts_max_age.count(), 0, 10LL * 366 * 24 * 3600));
  c.plaintext = source.GetBool("http.plaintext", false);
  c.Validate();
  if (c.plaintext && source.GetString("env", "development") == "production") {
    throw core::ConfigError(
        "http.plaintext (SAGA_HTTP_PLAINTEXT) must not be true when env is production: production serves "
        "TLS (http.tls.cert_file, http.tls.key_file)");
  }
  return c;
}

struct HttpServer::Impl {
  // Counters and configuration first: coroutine frames still alive when the io_context is
  // destroyed reference them from their destructors, so they must outlive it.
  HttpServerConfig config;
  Router router;
  std::atomic<int> connections{0};
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable drained;
  int in_flight = 0;  // guarded by mu
  std::uint16_t port = 0;
  bool started = false;
  bool stopped = false;
  std::vector<std::thread> threads;
  std::unique_ptr<asio::ssl::context> tls;  // null: plain HTTP
  asio::io_context ioc;
  std::optional<tcp::acceptor> acceptor;

  Impl(HttpServerConfig c, Router r) : config(std::move(c)), router(std::move(r)) {}

  struct ConnectionGuard {
    std::atomic<int>& count;
    explicit ConnectionGuard(std::atomic<int>& c) : count(c) { ++count; }
    ~ConnectionGuard() { --count; }
    ConnectionGuard(const ConnectionGuard&) = delete;
    ConnectionGuard& operator=(const ConnectionGuard&) = delete;
  };

  struct InFlightGuard {
    Impl& impl;
    explicit InFlightGuard(Impl& i) : impl(i) {
      std::lock_guard lock(impl.mu);
      ++impl.in_flight;
    }
    ~InFlightGuard() {
      std::lock_guard lock(impl.mu);
      if (--impl.in_flight == 0) impl.drained.notify_all();
    }
    InFlightGuard(const InFlightGuard&) = delete;
    InFlightGuard& operator=(const InFlightGuard&) = delete;
  };

  Response Handle(const Request& request, const std::string& remote_address) {
    try {
      RequestContext context;
      context.remote_address = remote_address;
      context.client_id = remote_address;
      return router.Dispatch(request, std::move(context));
    } catch (...) {
      return ErrorResponse(request, std::current_exception());
    }
  }

  static Response ParseErrorResponse(const boost::system::error_code& ec) {
    if (ec == beast_http::error::body_limit) {
      return ProblemResponse(Status::payload_too_large, "Payload Too Large", "the request body is too large");
    }
    if (ec == beast_http::error::header_limit) {
      return ProblemResponse(Status::request_header_fields_too_large, "Request Header Fields Too Large",
                             "the request headers are too large");
    }
    return ProblemResponse(Status::bad_request, "Bad Request", "malformed HTTP request");
  }

  // Answers on one connection until it closes, fails, idles past request_timeout, or the
  // server stops. The same for plain TCP and TLS (`Stream` is beast::tcp_stream or TlsStream).
  template <class Stream>
  asio::awaitable<void> Session(Stream& stream, const std::string& remote_address) {
    beast::flat_buffer buffer;
    const auto& http_category = beast_http::make_error_code(beast_http::error::end_of_stream).category();
    boost::system::error_code ec;
    while (true) {
      beast_http::request_parser<beast_http::string_body> parser;
      parser.header_limit(config.header_limit_bytes);
      parser.body_limit(config.body_limit_bytes);
      beast::get_lowest_layer(stream).expires_after(config.request_timeout);
      co_await beast_http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec == beast_http::error::end_of_stream) break;
      Response response;
      bool close = false;
      if (ec) {
        // Socket errors and timeouts: nothing sensible to answer. Parse errors: say why.
        if (&ec.category() != &http_category || ec == beast_http::error::partial_message) break;
        response = ParseErrorResponse(ec);
        close = true;
      } else {
        InFlightGuard request_guard(*this);
        Request request = parser.release();
        response = Handle(request, remote_address);
        response.version(11);
        close = !request.keep_alive() || stopping.load();
      }
      response.keep_alive(!close);
      const auto written = co_await Write(stream, response, config.request_timeout);
      if (written || close) break;
    }
  }

  // Writes one response (with HSTS over TLS); returns the write's error.
  template <class Stream>
  asio::awaitable<boost::system::error_code> Write(Stream& stream, Response& response,
                                                   std::chrono::milliseconds timeout) {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      if (config.hsts_max_age.count() > 0) {
        response.set(beast_http::field::strict_transport_security,
                     "max-age=" + std::to_string(config.hsts_max_age.count()));
      }
    }
    response.prepare_payload();
    beast::get_lowest_layer(stream).expires_after(timeout);
    boost::system::error_code ec;
    co_await beast_http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
    co_return ec;
  }

  // The TLS handshake, bounded by `timeout`, so a client that connects and says nothing (or
  // speaks plain HTTP) does not hold the connection. False when it failed.
  asio::awaitable<bool> Handshake(TlsStream& stream, std::chrono::milliseconds timeout,
                                  const std::string& remote_address) {
    boost::system::error_code ec;
    beast::get_lowest_layer(stream).expires_after(timeout);
    co_await stream.async_handshake(asio::ssl::stream_base::server,
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) spdlog::debug("tls handshake with {} failed: {}", remote_address, ec.message());
    co_return !ec;
  }

  // Ends a connection: TLS sends close_notify (waiting at most `timeout` for the peer's), then
  // the sending side of the socket is shut down.
  template <class Stream>
  asio::awaitable<void> Close(Stream& stream, std::chrono::milliseconds timeout) {
    boost::system::error_code ec;
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      beast::get_lowest_layer(stream).expires_after(timeout);
      co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
    }
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  // One accepted connection: served, or (`reject`: over max_connections, not counted) answered
  // 503 and closed.
  template <class Stream>
  asio::awaitable<void> Serve(tcp::socket socket, bool reject) {
    std::optional<ConnectionGuard> guard;
    if (!reject) guard.emplace(connections);
    boost::system::error_code ec;
    std::string remote_address;
    if (auto remote = socket.remote_endpoint(ec); !ec) remote_address = remote.address().to_string();
    const auto timeout = reject ? std::chrono::milliseconds(2000) : config.request_timeout;
    try {
      std::optional<Stream> stream;
      if constexpr (std::is_same_v<Stream, TlsStream>) {
        stream.emplace(std::move(socket), *tls);
        if (!co_await Handshake(*stream, timeout, remote_address)) co_return;
      } else {
        stream.emplace(std::move(socket));
      }
      if (reject) {
        Response response = ProblemResponse(Status::service_unavailable, "Service Unavailable",
                                            "too many open connections; retry later");
        response.set(beast_http::field::retry_after, "1");
        response.keep_alive(false);
        (void)co_await Write(*stream, response, timeout);
      } else {
        co_await Session(*stream, remote_address);
      }
      co_await Close(*stream, timeout);
    } catch (const std::exception& e) {
      spdlog::error("http session ended by exception: {}", e.what());
    }
  }

  asio::awaitable<void> Accept() {
    while (true) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor->async_accept(asio::make_strand(ioc),
                                                           asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (stopping.load() || ec == asio::error::operation_aborted) co_return;
        spdlog::warn("http accept failed: {}", ec.message());
        continue;
      }
      auto executor = socket.get_executor();
      const bool reject = connections.load() >= config.max_connections;
      if (tls) {
        asio::co_spawn(executor, Serve<TlsStream>(std::move(socket), reject), asio::detached);
      } else {
        asio::co_spawn(executor, Serve<beast::tcp_stream>(std::move(socket), reject), asio::detached);
      }
    }
  }
};

HttpServer::HttpServer(HttpServerConfig config, Router router)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(router))) {
  impl_->config.Validate();
  if (impl_->config.Tls()) impl_->tls = MakeServerTlsContext(impl_->config);
}

HttpServer::~HttpServer() {
  Stop();
}

void HttpServer::Start() {
  auto& impl = *impl_;
  if (impl.started) return;
  boost::system::error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address(impl.config.address), impl.config.port);
  const std::string where = impl.config.address + ":" + std::to_string(impl.config.port);
  impl.acceptor.emplace(impl.ioc);
  impl.acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl.acceptor->bind(endpoint, ec);
  if (!ec) impl.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw core::InfraError("cannot listen on " + where + ": " + ec.message(), false);
  impl.port = impl.acceptor->local_endpoint().port();
  asio::co_spawn(impl.ioc, impl.Accept(), asio::detached);
  for (int i = 0; i < impl.config.threads; ++i) {
    impl.threads.emplace_back([&impl] {
      try {
        impl.ioc.run();
      } catch (const std::exception& e) {
        spdlog::critical("http I/O thread ended by exception: {}", e.what());
      }
    });
  }
  impl.started = true;
}

std::uint16_t HttpServer::Port() const noexcept {
  return impl_->port;
}

void HttpServer::Stop() {
  auto& impl = *impl_;
  if (!impl.started || impl.stopped) return;
  impl.stopped = true;
  impl.stopping.store(true);
  // Close the acceptor on an I/O thread (Asio objects are not thread-safe) and wait for it, so
  // no connection is accepted once Stop() moves on.
  std::promise<void> closed;
  asio::post(impl.ioc, [&impl, &closed] {
    boost::system::error_code ignored;
    impl.acceptor->close(ignored);
    closed.set_value();
  });
  closed.get_future().wait();
  {
    std::unique_lock lock(impl.mu);
    if (!impl.drained.wait_for(lock, impl.config.shutdown_grace, [&impl] { return impl.in_flight == 0; })) {
      spdlog::warn("http shutdown: {} requests still running after the grace period", impl.in_flight);
    }
  }
  impl.ioc.stop();
  for (auto& thread : impl.threads) thread.join();
  impl.threads.clear();
}

}  // namespace saga::http
