#include "tests/e2e/api_fixture.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace saga::e2e {

using std::chrono::milliseconds;
using std::chrono::seconds;
namespace fs = std::filesystem;

ServiceUnderTest::ServiceUnderTest(const std::string& name, const fs::path& dir,
                                   const std::string& database_dsn, std::map<std::string, std::string> env)
    : name_(name), dir_(dir) {
  const auto unique = testing::UniqueName(name);
  log_path_ = (dir / (unique + ".log")).string();
  port_file_ = (dir / (unique + ".port")).string();
  env.emplace("SAGA_HTTP_PORT", "0");
  env.emplace("SAGA_HTTP_PORT_FILE", port_file_);
  env.emplace("SAGA_HEALTH_INTERVAL_MS", "200");
  env.emplace("SAGA_ENV", "test");
  env.emplace("SAGA_HTTP_PLAINTEXT", "true");  // the tests' system speaks plain HTTP, explicitly
  env.emplace("SAGA_PG_DSN", database_dsn);
  for (const auto& [key, value] : testing::KafkaServiceEnv()) env.emplace(key, value);
  env.emplace("SAGA_KAFKA_TOPICS_FILE", testing::RequiredEnv("SAGA_TOPICS_FILE"));
  env.emplace("SAGA_LOG_LEVEL", "warn");
  env.emplace("SAGA_AUTH_KEY_FILE", testing::AuthKeyFile());
  env.emplace("SAGA_CRYPTO_KEYRING_DIR", testing::KeyRingDir());
  env_ = std::move(env);
  Launch();
}

void ServiceUnderTest::Launch() {
  std::error_code ignored;
  fs::remove(port_file_, ignored);
  port_ = 0;
  process_ = std::make_unique<testing::Process>(
      std::string(SAGA_BUILD_DIR) + "/services/" + name_ + "/" + name_ + "-service",
      std::vector<std::string>{}, env_, log_path_);
  testing::WaitFor(
      [&] {
        const auto text = testing::ReadFile(port_file_);
        if (!text.empty()) port_ = static_cast<std::uint16_t>(std::stoi(text));
        return port_ != 0 || !process_->Running();
      },
      seconds(30));
  if (port_ == 0) throw std::runtime_error(name_ + "-service did not start:\n" + Log());
  const bool ready = testing::WaitFor(
      [&] { return testing::HttpRequest("127.0.0.1", port_, "GET", "/health/ready").status == 200; },
      seconds(60), milliseconds(100));
  if (!ready) throw std::runtime_error(name_ + "-service did not become ready:\n" + Log());
}

void ServiceUnderTest::Kill() {
  process_->Signal(SIGKILL);
  (void)process_->Wait(seconds(20));
}

void ServiceUnderTest::Pause() {
  process_->Signal(SIGSTOP);
}

void ServiceUnderTest::Resume() {
  process_->Signal(SIGCONT);
}

void ServiceUnderTest::Restart() {
  env_["SAGA_HTTP_PORT"] = std::to_string(port_);
  Launch();
}

ServiceUnderTest::~ServiceUnderTest() {
  if (process_->Running()) {
    process_->Signal(SIGTERM);
    (void)process_->Wait(seconds(20));
  }
}

std::vector<std::string> ApiReply::ErrorFields() const {
  std::vector<std::string> fields;
  if (json.is_object() && json.contains("errors") && json["errors"].is_array()) {
    for (const auto& error : json["errors"]) fields.push_back(error.value("field", ""));
  }
  return fields;
}

ApiClient::ApiClient(ServiceUnderTest& service, std::map<std::string, std::string> auth)
    : service_(service), auth_(std::move(auth)) {
  static std::map<std::string, std::shared_ptr<testing::OpenApiValidator>> cache;
  auto& validator = cache[service.Name() + ":" + std::to_string(service.Port())];
  if (!validator) {
    const auto reply = testing::HttpRequest("127.0.0.1", service.Port(), "GET", "/openapi.json");
    if (reply.status != 200)
      throw std::runtime_error("GET /openapi.json answered " + std::to_string(reply.status));
    validator = std::make_shared<testing::OpenApiValidator>(nlohmann::json::parse(reply.body));
  }
  validator_ = validator;
}

ApiReply ApiClient::Raw(const std::string& method, const std::string& target, const std::string& body,
                        const std::map<std::string, std::string>& headers) {
  auto sent = auth_;
  for (const auto& [name, value] : headers) {
    if (name == "Authorization") sent.erase(name);
    if (!(name == "Authorization" && value.empty())) sent[name] = value;
  }
  const auto reply = testing::HttpRequest("127.0.0.1", service_.Port(), method, target, body, sent);
  ApiReply out{reply.status, reply.headers, reply.body, nullptr};
  if (!reply.body.empty()) {
    out.json = nlohmann::json::parse(reply.body, nullptr, false);
    if (out.json.is_discarded()) out.json = nullptr;
  }
  EXPECT_NE(reply.status, 0) << method << " " << target << ": " << reply.error;
  return out;
}

ApiReply ApiClient::Call(const std::string& method, const std::string& target, const std::string& body,
                         const std::map<std::string, std::string>& headers) {
  auto reply = Raw(method, target, body, headers);
  if (reply.status == 405) {
    // The answer to a method the document does not list: it cannot be documented, so check
    // that it is indeed undocumented and that the answer says what is allowed.
    const auto path = validator_->MatchPath(target);
    const auto operations = validator_->Operations();
    EXPECT_TRUE(path && operations.count({method, *path}) == 0)
        << method << " " << target << " is documented";
    EXPECT_FALSE(reply.Header("allow").empty());
    EXPECT_EQ(reply.Header("content-type"), "application/problem+json");
    return reply;
  }
  for (const auto& problem :
       validator_->ValidateResponse(method, target, reply.status, reply.headers, reply.body)) {
    ADD_FAILURE() << service_.Name() << " " << method << " " << target << " -> " << reply.status
                  << " does not conform to /openapi.json: " << problem
                  << "\nbody: " << reply.body.substr(0, 2000);
  }
  EXPECT_LT(reply.status, 500) << method << " " << target << " answered " << reply.status << ": "
                               << reply.body;
  return reply;
}

ApiReply ApiClient::Call(const std::string& method, const std::string& target, const nlohmann::json& body,
                         const std::map<std::string, std::string>& headers) {
  return Call(method, target, body.dump(), headers);
}

namespace {
System* g_system = nullptr;
}

System& System::Get() {
  if (g_system == nullptr) throw std::logic_error("the System environment is not set up");
  return *g_system;
}

void System::Start(const SystemOptions& options) {
  dir_ = fs::temp_directory_path() / testing::UniqueName("system");
  fs::create_directories(dir_);
  inventory_db_ = std::make_unique<testing::TemporaryDatabase>();
  order_db_ = std::make_unique<testing::TemporaryDatabase>();
  payment_db_ = std::make_unique<testing::TemporaryDatabase>();
  prefix_ = testing::UniqueName("t") + ".";
  std::map<std::string, std::string> generous{{"SAGA_HTTP_RATE_LIMIT_PER_SECOND", "1000000"},
                                              {"SAGA_HTTP_RATE_LIMIT_BURST", "1000000"},
                                              {"SAGA_KAFKA_TOPIC_PREFIX", prefix_}};
  for (const auto& [key, value] : options.env) generous[key] = value;
  inventory_ = std::make_unique<ServiceUnderTest>("inventory", dir_, inventory_db_->Dsn(), generous);
  auto order_env = generous;
  order_env["SAGA_INVENTORY_URL"] = inventory_->Url();
  // REST API tests: the saga's commands go to topics nobody consumes, so orders stay where
  // the tests put them.
  if (options.isolate_saga) order_env["SAGA_KAFKA_TOPIC_PREFIX"] = "orders-only-" + prefix_;
  order_env_ = order_env;
  order_ = std::make_unique<ServiceUnderTest>("order", dir_, order_db_->Dsn(), order_env);
  auto payment_env = generous;
  payment_env["SAGA_ORDER_URL"] = order_->Url();
  payment_ = std::make_unique<ServiceUnderTest>("payment", dir_, payment_db_->Dsn(), payment_env);
  g_system = this;
}

void System::Stop() {
  g_system = nullptr;
  payment_.reset();
  order_.reset();
  inventory_.reset();
  payment_db_.reset();
  order_db_.reset();
  inventory_db_.reset();
  std::error_code ignored;
  if (!::testing::Test::HasFailure()) fs::remove_all(dir_, ignored);
}

namespace {

class SystemEnvironment : public ::testing::Environment {
 public:
  explicit SystemEnvironment(SystemOptions options) : options_(std::move(options)) {}
  void SetUp() override { system_.Start(options_); }
  void TearDown() override { system_.Stop(); }

 private:
  SystemOptions options_;
  System system_;
};

}  // namespace

void RegisterSystem(SystemOptions options) {
  ::testing::AddGlobalTestEnvironment(new SystemEnvironment(std::move(options)));
}

nlohmann::json CreateProduct(ApiClient& inventory, std::int64_t price_minor, std::int64_t quantity,
                             const std::string& currency) {
  static int counter = 0;
  const auto sku = "E2E-" + testing::UniqueName("p").substr(2, 10) + "-" + std::to_string(++counter);
  std::string upper;
  for (const char c : sku) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  auto reply =
      inventory.Call("POST", "/api/inventory",
                     nlohmann::json{{"name", "Product " + upper},
                                    {"sku", upper},
                                    {"price", {{"amountMinor", price_minor}, {"currency", currency}}},
                                    {"quantity", quantity}});
  EXPECT_EQ(reply.status, 201) << reply.body;
  return reply.json;
}

}  // namespace saga::e2e
