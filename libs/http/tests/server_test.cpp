// The server over real loopback sockets on port 0: routing, limits, errors, keep-alive,
// connection bound and graceful stop. No sleeps: slow handlers wait on promises.
#include "saga/http/server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "saga/core/errors.hpp"
#include "saga/http/client.hpp"
#include "saga/testing/http_client.hpp"
#include "saga/testing/test_env.hpp"
#include "slow_route.hpp"

namespace saga::http {
namespace {

using saga::testing::HttpRequest;
using saga::testing::SendRaw;

HttpServerConfig SmallConfig() {
  HttpServerConfig config;
  config.port = 0;
  config.threads = 2;
  config.header_limit_bytes = 2048;
  config.body_limit_bytes = 1024;
  config.request_timeout = std::chrono::seconds(5);
  config.shutdown_grace = std::chrono::seconds(10);
  config.plaintext = true;
  return config;
}

Router EchoRouter() {
  Router router;
  router.Add(Verb::get, "/ping", [](const Request&, const RequestContext&) {
    return JsonResponse(Status::ok, {{"pong", true}});
  });
  router.Add(Verb::post, "/echo", [](const Request& req, const RequestContext&) {
    return JsonResponse(Status::ok, {{"size", req.body().size()}});
  });
  router.Add(Verb::get, "/boom", [](const Request&, const RequestContext&) -> Response {
    throw std::runtime_error("secret internal detail");
  });
  router.Add(Verb::get, "/unavailable", [](const Request&, const RequestContext&) -> Response {
    throw core::InfraError("database down", true);
  });
  return router;
}

TEST(HttpServerTest, ServesRoutesAndProblems) {
  HttpServer server(SmallConfig(), EchoRouter());
  server.Start();
  ASSERT_NE(server.Port(), 0);

  auto ok = HttpRequest("127.0.0.1", server.Port(), "GET", "/ping");
  EXPECT_EQ(ok.status, 200) << ok.error;
  EXPECT_EQ(ok.body, R"({"pong":true})");
  EXPECT_EQ(ok.headers["content-type"], "application/json");

  EXPECT_EQ(HttpRequest("127.0.0.1", server.Port(), "GET", "/missing").status, 404);

  auto boom = HttpRequest("127.0.0.1", server.Port(), "GET", "/boom");
  EXPECT_EQ(boom.status, 500);
  EXPECT_EQ(boom.body.find("secret"), std::string::npos) << "exception text must not leak";
  EXPECT_EQ(boom.headers["content-type"], "application/problem+json");

  auto unavailable = HttpRequest("127.0.0.1", server.Port(), "GET", "/unavailable");
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(unavailable.headers["retry-after"], "1");
}

TEST(HttpServerTest, EnforcesBodyAndHeaderLimits) {
  HttpServer server(SmallConfig(), EchoRouter());
  server.Start();
  EXPECT_EQ(HttpRequest("127.0.0.1", server.Port(), "POST", "/echo", std::string(1000, 'x')).status, 200);
  EXPECT_EQ(HttpRequest("127.0.0.1", server.Port(), "POST", "/echo", std::string(5000, 'x')).status, 413);
  auto big_header =
      HttpRequest("127.0.0.1", server.Port(), "GET", "/ping", "", {{"X-Big", std::string(4000, 'h')}});
  EXPECT_EQ(big_header.status, 431);
}

TEST(HttpServerTest, MalformedRequestIs400AndTheConnectionCloses) {
  HttpServer server(SmallConfig(), EchoRouter());
  server.Start();
  auto raw = SendRaw("127.0.0.1", server.Port(), "NOT-HTTP\r\n\r\n");
  EXPECT_EQ(raw.rfind("HTTP/1.1 400", 0), 0U) << raw;
  auto bad_length = SendRaw("127.0.0.1", server.Port(), "POST /echo HTTP/1.1\r\nContent-Length: x\r\n\r\n");
  EXPECT_EQ(bad_length.rfind("HTTP/1.1 400", 0), 0U) << bad_length;
}

TEST(HttpServerTest, KeepsConnectionsAlive) {
  HttpServer server(SmallConfig(), EchoRouter());
  server.Start();
  const std::string two =
      "GET /ping HTTP/1.1\r\nHost: x\r\n\r\nGET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  auto raw = SendRaw("127.0.0.1", server.Port(), two);
  std::size_t count = 0;
  for (auto pos = raw.find("HTTP/1.1 200"); pos != std::string::npos; pos = raw.find("HTTP/1.1 200", pos + 1))
    ++count;
  EXPECT_EQ(count, 2U) << raw;
}

TEST(HttpServerTest, KeepAliveConnectionReusesItsConnectionAndReconnectsWhenClosed) {
  HttpServer server(SmallConfig(), EchoRouter());
  server.Start();
  KeepAliveConnection connection("127.0.0.1", server.Port(), nullptr);
  for (int i = 0; i < 3; ++i) {
    const auto reply = connection.Exchange("POST", "/echo", "abc", {}, std::chrono::seconds(5));
    EXPECT_EQ(reply.status, 200) << reply.error;
    EXPECT_EQ(reply.body, R"({"size":3})");
  }
  EXPECT_EQ(connection.Connects(), 1U);
  // The server closes after an answer to "Connection: close"; the next call opens a new one.
  EXPECT_EQ(
      connection.Exchange("GET", "/ping", "", {{"Connection", "close"}}, std::chrono::seconds(5)).status,
      200);
  EXPECT_EQ(connection.Exchange("GET", "/ping", "", {}, std::chrono::seconds(5)).status, 200);
  EXPECT_EQ(connection.Connects(), 2U);
  EXPECT_EQ(
      connection.Exchange("GET", "/ping", "", {{"Connection", "close"}}, std::chrono::seconds(5)).status,
      200);  // closed: not idle at Stop
  server.Stop();
  const auto refused = connection.Exchange("GET", "/ping", "", {}, std::chrono::seconds(5));
  EXPECT_EQ(refused.status, 0);
  EXPECT_FALSE(refused.error.empty());
  EXPECT_EQ(
      KeepAliveConnection("no-host", 1, nullptr).Exchange("GET", "/", "", {}, std::chrono::seconds(1)).error,
      "bad host: no-host");
}

TEST(HttpServerTest, AKeptAliveCallThatTimesOutIsNotSentAgain) {
  Router router = EchoRouter();
  SlowRoute slow;
  slow.AddTo(router);
  HttpServer server(SmallConfig(), std::move(router));
  server.Start();
  KeepAliveConnection connection("127.0.0.1", server.Port(), nullptr);
  ASSERT_EQ(connection.Exchange("GET", "/ping", "", {}, std::chrono::seconds(5)).status, 200);
  const auto late = connection.Exchange("GET", "/slow", "", {}, std::chrono::milliseconds(300));
  EXPECT_EQ(late.status, 0);
  EXPECT_FALSE(late.error.empty());
  EXPECT_EQ(connection.Connects(), 1U) << "the deadline is spent: no second attempt on a new connection";
  slow.Release();
}

TEST(HttpServerTest, HttpClientKeepsGetConnectionsAliveAcrossCallsAndThreads) {
  auto server = std::make_unique<HttpServer>(SmallConfig(), EchoRouter());
  server->Start();
  const auto port = server->Port();
  const auto url = "http://127.0.0.1:" + std::to_string(port);
  observability::Metrics metrics;
  const HttpClient client("inventory.url", url, std::chrono::seconds(5), metrics);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client.Get("/ping").status, 200);
  EXPECT_EQ(client.ConnectionsOpened(), 1U) << "one connection for sequential GETs";
  // Not safe to repeat: a connection of its own, not counted among the kept-alive ones.
  EXPECT_EQ(client.Send("POST", "/echo", "abc").status, 200);
  EXPECT_EQ(client.ConnectionsOpened(), 1U);

  const HttpClient copy = client;  // copies share the idle connections
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) ok += ((t % 2 == 0 ? client : copy).Get("/ping").status == 200) ? 1 : 0;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kThreads * 20);
  EXPECT_LE(copy.ConnectionsOpened(), 1U + kThreads) << "at most one per concurrent caller";

  // The peer went away and came back on the same port: the idle connections are stale, and
  // the next GET is sent again on a new connection instead of failing.
  const auto opened = client.ConnectionsOpened();
  server.reset();  // stopped and gone: its connections are closed
  auto config = SmallConfig();
  config.port = port;
  server = std::make_unique<HttpServer>(config, EchoRouter());
  server->Start();
  EXPECT_EQ(client.Get("/ping").status, 200);
  EXPECT_EQ(client.ConnectionsOpened(), opened + 1);
  server.reset();
  EXPECT_THROW((void)client.Get("/ping"), core::InfraError) << "a peer that is down is still an error";
}

TEST(HttpServerTest, RejectsConnectionsBeyondTheBound) {
  auto config = SmallConfig();
  config.max_connections = 1;
  SlowRoute slow_route;
  Router router;
  slow_route.AddTo(router);
  HttpServer server(config, std::move(router));
  server.Start();
  auto slow =
      std::async(std::launch::async, [&] { return HttpRequest("127.0.0.1", server.Port(), "GET", "/slow"); });
  slow_route.WaitEntered();
  auto rejected = HttpRequest("127.0.0.1", server.Port(), "GET", "/slow");
  EXPECT_EQ(rejected.status, 503);
  EXPECT_EQ(rejected.headers["retry-after"], "1");
  slow_route.Release();
  EXPECT_EQ(slow.get().status, 200);
}

TEST(HttpServerTest, StopFinishesInFlightRequestsAndRefusesNewOnes) {
  SlowRoute slow_route;
  Router router;
  slow_route.AddTo(router);
  router.Add(Verb::get, "/ping", [](const Request&, const RequestContext&) {
    return JsonResponse(Status::ok, {{"pong", true}});
  });
  HttpServer server(SmallConfig(), std::move(router));
  server.Start();
  const auto port = server.Port();
  auto in_flight =
      std::async(std::launch::async, [&] { return HttpRequest("127.0.0.1", port, "GET", "/slow"); });
  slow_route.WaitEntered();
  auto stopping = std::async(std::launch::async, [&] { server.Stop(); });
  // Once new connections are refused, Stop() is draining: the in-flight request must still
  // complete, and be told the connection closes.
  ASSERT_TRUE(saga::testing::WaitFor(
      [&] {
        return HttpRequest("127.0.0.1", port, "GET", "/ping", "", {}, std::chrono::seconds(2)).status == 0;
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(stopping.wait_for(std::chrono::seconds(0)), std::future_status::timeout) << "Stop() did not wait";
  slow_route.Release();
  auto reply = in_flight.get();
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.headers["connection"], "close");
  stopping.get();
}

TEST(HttpServerTest, PortInUseIsAClearError) {
  HttpServer first(SmallConfig(), EchoRouter());
  first.Start();
  auto config = SmallConfig();
  config.port = first.Port();
  HttpServer second(config, EchoRouter());
  try {
    second.Start();
    FAIL() << "binding a used port must fail";
  } catch (const core::InfraError& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(first.Port())), std::string::npos) << e.what();
  }
}

TEST(HttpServerConfigTest, ValidatesValues) {
  auto config = SmallConfig();
  config.address = "not-an-ip";
  EXPECT_THROW(config.Validate(), core::ConfigError);
  config = SmallConfig();
  config.threads = 0;
  EXPECT_THROW(config.Validate(), core::ConfigError);
}

}  // namespace
}  // namespace saga::http
