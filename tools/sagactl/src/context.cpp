#include "saga/sagactl/commands.hpp"

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "saga/core/errors.hpp"
#include "saga/core/time.hpp"
#include "saga/sagactl/exit_codes.hpp"

namespace saga::sagactl {

std::string Name(Service service) {
  switch (service) {
    case Service::kOrder:
      return "order";
    case Service::kInventory:
      return "inventory";
    case Service::kPayment:
      return "payment";
  }
  return "?";
}

Service ServiceNamed(const std::string& name) {
  for (const auto service : {Service::kOrder, Service::kInventory, Service::kPayment}) {
    if (Name(service) == name) return service;
  }
  throw CommandError(Exit::kUsage, "--service must be order, inventory or payment, not '" + name + "'");
}

std::string MintDevelopmentToken(const std::string& key_file, const auth::TokenRequest& request) {
  const auto secret = auth::ReadKeyFile(key_file, auth::JwtAlgorithm::kHS256);
  return auth::MintHs256(secret, request, core::SystemClock().Now());
}

namespace {

Transport HttpTransport(Service service, const std::string& base_url, const Context& context) {
  auto client = std::make_shared<http::HttpClient>(
      Name(service) + " service", base_url, std::chrono::milliseconds(context.connection.timeout_ms),
      observability::DefaultMetrics(), context.connection.ca_file);
  client->SetAuthorization(
      [authorization = context.Authorization()]() -> const std::string& { return authorization; });
  return [client](const std::string& method, const std::string& target, const std::string& body,
                  const std::map<std::string, std::string>& headers) {
    return client->Send(method, target, body, headers);
  };
}

}  // namespace

Context::Context() : make_transport(HttpTransport), out(&std::cout), err(&std::cerr) {}

std::string Context::Authorization() const {
  if (!authorization_.empty()) return authorization_;
  if (!connection.token.empty()) {
    authorization_ = "Bearer " + connection.token;
    return authorization_;
  }
  auto key_file = connection.dev_key_file;
  if (key_file.empty() && std::filesystem::exists(kDefaultDevKeyFile)) key_file = kDefaultDevKeyFile;
  if (key_file.empty()) {
    throw CommandError(Exit::kUsage,
                       std::string("no token: give --token (SAGA_TOKEN), or the development key "
                                   "with --dev-key-file (SAGA_AUTH_SECRET_FILE; default ") +
                           kDefaultDevKeyFile + " after ./saga up)");
  }
  auth::TokenRequest request{connection.as_sub, {connection.as_role},      "saga-dev",
                             "saga-api",        std::chrono::seconds(300), ""};
  authorization_ = "Bearer " + MintDevelopmentToken(key_file, request);
  return authorization_;
}

ApiClient& Context::Api(Service service) {
  auto& client = clients_[service];
  if (!client) {
    const auto& url = service == Service::kOrder       ? connection.order_url
                      : service == Service::kInventory ? connection.inventory_url
                                                       : connection.payment_url;
    try {
      client = std::make_unique<ApiClient>(Name(service), url, make_transport(service, url, *this));
    } catch (const core::ConfigError& e) {
      throw CommandError(Exit::kUsage, e.what());
    }
  }
  return *client;
}

void Context::Print(const Json& document, const std::string& human) const {
  if (json) {
    *out << document.dump(2) << '\n';
  } else {
    *out << human;
  }
}

void AddConnectionOptions(CLI::App& app, Context& context) {
  app.fallthrough();  // the global options may also follow the command (inherited by the groups added after)
  auto& c = context.connection;
  app.add_option("--order-url", c.order_url, "order service")
      ->envname("SAGA_ORDER_URL")
      ->capture_default_str();
  app.add_option("--inventory-url", c.inventory_url, "inventory service")
      ->envname("SAGA_INVENTORY_URL")
      ->capture_default_str();
  app.add_option("--payment-url", c.payment_url, "payment service")
      ->envname("SAGA_PAYMENT_URL")
      ->capture_default_str();
  app.add_option("--ca-file", c.ca_file,
                 "CA (PEM) the services' certificates chain to (default: system store)")
      ->envname("SAGA_TLS_CA_FILE");
  app.add_option("--token", c.token, "bearer token (default: minted from the development key)")
      ->envname("SAGA_TOKEN");
  app.add_option("--dev-key-file", c.dev_key_file,
                 std::string("HS256 development key to mint a token with (default ") + kDefaultDevKeyFile +
                     " when present)")
      ->envname("SAGA_AUTH_SECRET_FILE");
  app.add_option("--as-sub", c.as_sub, "subject of the minted development token")->capture_default_str();
  app.add_option("--as-role", c.as_role, "role of the minted development token")
      ->check(CLI::IsMember({"customer", "admin", "service"}))
      ->capture_default_str();
  app.add_option("--timeout-ms", c.timeout_ms, "timeout of each request (and of broker requests)")
      ->check(CLI::Range(100, 600000))
      ->capture_default_str();
  app.add_flag("--json", context.json, "print the API's JSON (one document per command) instead of tables");
  app.footer(ExitCodesHelp());
}

int PrintObject(const Context& context, const Json& resource) {
  context.Print(resource, RenderObject(resource));
  return Code(Exit::kOk);
}

void OnRun(CLI::App* command, Context& context, std::function<int()> action) {
  command->callback([&context, action = std::move(action)] { context.action = action; });
}

std::map<std::string, std::string> IfMatch(std::int64_t version) {
  if (version == 0) return {};
  return {{"If-Match", "\"" + std::to_string(version) + "\""}};
}

int Main(CLI::App& app, Context& context, int argc, const char* const* argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, *context.out, *context.err);  // prints the help or the usage error
    return code == 0 ? 0 : Code(Exit::kUsage);
  }
  if (!context.action) return Code(Exit::kUsage);
  try {
    return context.action();
  } catch (const CommandError& e) {
    *context.err << "sagactl: " << e.what() << '\n';
    return Code(e.Code());
  } catch (const core::ConfigError& e) {
    *context.err << "sagactl: " << e.what() << '\n';
    return Code(Exit::kUsage);
  } catch (const std::exception& e) {
    *context.err << "sagactl: " << e.what() << '\n';
    return Code(Exit::kFailed);
  }
}

int RunBatch(Context& context, const std::vector<std::string>& ids, const std::string& verb,
             const std::function<Json(const std::string& id)>& action, const std::string& state_key) {
  std::vector<BatchResult> results;
  for (const auto& id : ids) {
    BatchResult result;
    result.id = id;
    try {
      result.answer = action(id);
      result.ok = true;
      result.detail = Cell(result.answer, state_key);
    } catch (const CommandError& e) {
      result.exit = e.Code();
      result.detail = e.what();
      *context.err << "sagactl: " << id << ": " << e.what() << '\n';
    }
    results.push_back(std::move(result));
  }
  context.Print(BatchJson(results), RenderBatch(results, verb));
  return Code(BatchExit(results));
}

bool Confirm(const Context& context, bool yes, const std::string& question) {
  if (yes) return true;
  if (::isatty(STDIN_FILENO) == 0) {
    throw CommandError(Exit::kUsage, question + ": not confirmed (stdin is not a terminal): add --yes");
  }
  *context.err << question << " [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

}  // namespace saga::sagactl
