#pragma once
// The three services as processes against the real PostgreSQL and Kafka of `./saga test`,
// started once per test binary (a gtest Environment), each with a database of its own, plus a
// client that checks every response it receives against the answering service's OpenAPI
// document (fetched from /openapi.json) as it goes.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "saga/testing/http_client.hpp"
#include "saga/testing/openapi_validator.hpp"
#include "saga/testing/process.hpp"
#include "saga/testing/test_auth.hpp"
#include "saga/testing/test_env.hpp"

namespace saga::e2e {

/// One service executable with its own database; ready (schema applied) when constructed.
class ServiceUnderTest {
 public:
  ServiceUnderTest(const std::string& name, const std::filesystem::path& dir, const std::string& database_dsn,
                   std::map<std::string, std::string> env);
  /// SIGKILL, as a crash would.
  void Kill();
  /// SIGSTOP / SIGCONT: the process is frozen (it answers nothing, consumes nothing) and thaws.
  void Pause();
  void Resume();
  /// Starts it again after Kill(), on the same port, database and settings; waits until ready.
  void Restart();
  ~ServiceUnderTest();
  ServiceUnderTest(const ServiceUnderTest&) = delete;
  ServiceUnderTest& operator=(const ServiceUnderTest&) = delete;

  [[nodiscard]] std::uint16_t Port() const noexcept { return port_; }
  [[nodiscard]] std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] bool Running() { return process_->Running(); }
  [[nodiscard]] std::string Log() const { return testing::ReadFile(log_path_); }
  [[nodiscard]] const std::string& Name() const noexcept { return name_; }

 private:
  void Launch();

  std::string name_;
  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
  std::string log_path_;
  std::string port_file_;
  std::unique_ptr<testing::Process> process_;
  std::uint16_t port_ = 0;
};

/// What one call returned, with the body parsed when it is JSON (else null).
struct ApiReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  nlohmann::json json;

  [[nodiscard]] std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  /// The field paths of a validation problem's "errors".
  [[nodiscard]] std::vector<std::string> ErrorFields() const;
};

/// Calls one service and checks each answer against its OpenAPI document (gtest failures name
/// the exchange). Counts the exchanges it checked. Every call carries `auth` (by default an
/// admin's bearer token) unless its own headers set "Authorization" (an empty value: none).
class ApiClient {
 public:
  explicit ApiClient(ServiceUnderTest& service,
                     std::map<std::string, std::string> auth = testing::AdminHeaders());

  ApiReply Call(const std::string& method, const std::string& target, const std::string& body = {},
                const std::map<std::string, std::string>& headers = {});
  ApiReply Call(const std::string& method, const std::string& target, const nlohmann::json& body,
                const std::map<std::string, std::string>& headers = {});
  ApiReply Call(const std::string& method, const std::string& target, const char* body,
                const std::map<std::string, std::string>& headers = {}) {
    return Call(method, target, std::string(body), headers);
  }
  /// Without the OpenAPI check (for deliberately malformed exchanges outside the API).
  ApiReply Raw(const std::string& method, const std::string& target, const std::string& body,
               const std::map<std::string, std::string>& headers = {});

  [[nodiscard]] const testing::OpenApiValidator& Validator() const { return *validator_; }
  [[nodiscard]] ServiceUnderTest& Service() { return service_; }

 private:
  ServiceUnderTest& service_;
  std::map<std::string, std::string> auth_;
  std::shared_ptr<testing::OpenApiValidator> validator_;
};

struct SystemOptions {
  /// The order service's saga commands go to topics nobody consumes (REST API tests).
  bool isolate_saga = false;
  /// Added to every service's environment (e.g. shorter saga timeouts).
  std::map<std::string, std::string> env;
};

/// The running system: inventory, order (prices from inventory) and payment (totals from
/// order), with rate limits high enough for the tests, on topics of its own (a unique
/// kafka.topic_prefix). One per test binary: RegisterSystem() in the binary sets it up.
class System {
 public:
  static System& Get();

  ServiceUnderTest& inventory() { return *inventory_; }
  ServiceUnderTest& order() { return *order_; }
  ServiceUnderTest& payment() { return *payment_; }
  [[nodiscard]] const std::filesystem::path& Dir() const { return dir_; }
  /// A database DSN for the inventory service (for a second instance with other settings).
  [[nodiscard]] std::string InventoryDsn() const { return inventory_db_->Dsn(); }

  void Start(const SystemOptions& options);
  void Stop();
  [[nodiscard]] const std::string& TopicPrefix() const { return prefix_; }
  [[nodiscard]] std::string OrderDsn() const { return order_db_->Dsn(); }
  /// The order service's environment (for a second instance of it).
  [[nodiscard]] const std::map<std::string, std::string>& OrderEnv() const { return order_env_; }
  [[nodiscard]] std::string PaymentDsn() const { return payment_db_->Dsn(); }

 private:
  std::filesystem::path dir_;
  std::string prefix_;
  std::unique_ptr<testing::TemporaryDatabase> inventory_db_;
  std::unique_ptr<testing::TemporaryDatabase> order_db_;
  std::unique_ptr<testing::TemporaryDatabase> payment_db_;
  std::unique_ptr<ServiceUnderTest> inventory_;
  std::unique_ptr<ServiceUnderTest> order_;
  std::map<std::string, std::string> order_env_;
  std::unique_ptr<ServiceUnderTest> payment_;
};

/// Registers a gtest Environment that starts the System before the tests and stops it after.
void RegisterSystem(SystemOptions options);

/// A product created through the inventory API; returns its InventoryResponseDto.
nlohmann::json CreateProduct(ApiClient& inventory, std::int64_t price_minor, std::int64_t quantity,
                             const std::string& currency = "EUR");

}  // namespace saga::e2e
