// <utility> first: Boost 1.74 Asio coroutines need it before any Asio header under g++ 12.
#include <utility>

#include "saga/http/server.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>

#include "saga/config/config_source.hpp"
#include "saga/core/errors.hpp"

namespace saga::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

void HttpServerConfig::Validate() const {
  if (threads < 1 || threads > 256) throw core::ConfigError("http.threads must be in [1, 256]");
  if (max_connections < 1) throw core::ConfigError("http.max_connections must be >= 1");
  if (header_limit_bytes < 1024) throw core::ConfigError("http.header_limit_bytes must be >= 1024");
  if (body_limit_bytes < 1) throw core::ConfigError("http.body_limit_bytes must be >= 1");
  if (request_timeout.count() < 1) throw core::ConfigError("http.request_timeout_ms must be >= 1");
  boost::system::error_code ec;
  (void)asio::ip::make_address(address, ec);
  if (ec) throw core::ConfigError("http.address '" + address + "' is not an IP address");
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
  c.Validate();
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

  asio::awaitable<void> Serve(tcp::socket socket) {
    ConnectionGuard guard(connections);
    boost::system::error_code ec;
    std::string remote_address;
    if (auto remote = socket.remote_endpoint(ec); !ec) remote_address = remote.address().to_string();
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    const auto& http_category = beast_http::make_error_code(beast_http::error::end_of_stream).category();
    try {
      while (true) {
        beast_http::request_parser<beast_http::string_body> parser;
        parser.header_limit(config.header_limit_bytes);
        parser.body_limit(config.body_limit_bytes);
        stream.expires_after(config.request_timeout);
        co_await beast_http::async_read(stream, buffer, parser,
                                        asio::redirect_error(asio::use_awaitable, ec));
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
        response.prepare_payload();
        stream.expires_after(config.request_timeout);
        co_await beast_http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
        if (ec || close) break;
      }
    } catch (const std::exception& e) {
      spdlog::error("http session ended by exception: {}", e.what());
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  asio::awaitable<void> Reject(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(std::chrono::seconds(2));
    Response response = ProblemResponse(Status::service_unavailable, "Service Unavailable",
                                        "too many open connections; retry later");
    response.set(beast_http::field::retry_after, "1");
    response.keep_alive(false);
    boost::system::error_code ec;
    co_await beast_http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
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
      if (connections.load() >= config.max_connections) {
        asio::co_spawn(executor, Reject(std::move(socket)), asio::detached);
      } else {
        asio::co_spawn(executor, Serve(std::move(socket)), asio::detached);
      }
    }
  }
};

HttpServer::HttpServer(HttpServerConfig config, Router router)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(router))) {
  impl_->config.Validate();
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
