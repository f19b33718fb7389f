#pragma once
// The command groups of sagactl. Each Add*Commands registers its subcommands on the app; a
// parsed command's callback stores what it will do in Context::action, and Run() executes it
// and maps every failure to its message and exit code in one place. main.cpp only wires.
//
// Lifecycle: the Context outlives the App (the App's callbacks refer to it); API clients are
// built on first use, so commands that do not call a service (topics, token...) need no
// token or URL.

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>

#include "saga/auth/jwt.hpp"
#include "saga/sagactl/api_client.hpp"
#include "saga/sagactl/output.hpp"

namespace saga::sagactl {

enum class Service { kOrder, kInventory, kPayment };

/// "order", "inventory", "payment".
[[nodiscard]] std::string Name(Service service);
/// The service a --service value names; CommandError(kUsage) for another.
[[nodiscard]] Service ServiceNamed(const std::string& name);

/// Where the services are and who sagactl is (global options; see AddConnectionOptions).
struct ConnectionOptions {
  std::string order_url = "https://127.0.0.1:8081";
  std::string inventory_url = "https://127.0.0.1:8082";
  std::string payment_url = "https://127.0.0.1:8083";
  std::string ca_file;       // PEM CA the services' certificates chain to; "" = system store
  std::string token;         // a bearer token; when empty one is minted from dev_key_file
  std::string dev_key_file;  // the HS256 development key; "" = .run/secrets/jwt-hs256.pw if present
  std::string as_sub = "sagactl";
  std::string as_role = "admin";
  int timeout_ms = 10000;  // per request
};

/// The development key `./saga up` generates, relative to the working directory.
inline constexpr const char* kDefaultDevKeyFile = ".run/secrets/jwt-hs256.pw";

/// A development token (HS256) signed with the key in `key_file`: what `sagactl token` prints
/// and what API commands send when no --token is given. Throws core::ConfigError when the key
/// cannot be read or is under 32 bytes.
[[nodiscard]] std::string MintDevelopmentToken(const std::string& key_file,
                                               const auth::TokenRequest& request);

class Context {
 public:
  /// Builds the transport of one service (tests put a fake here).
  using TransportFactory = std::function<Transport(Service, const std::string& base_url, const Context&)>;

  Context();

  ConnectionOptions connection;
  bool json = false;
  /// Set by the callback of the parsed command; returns the exit code.
  std::function<int()> action;
  TransportFactory make_transport;
  std::ostream* out;  // std::cout unless a test redirects it
  std::ostream* err;  // std::cerr likewise

  /// The client of `service`, built on first use. Throws CommandError(kUsage) for a bad URL,
  /// CA file or key file, or when no token can be had.
  ApiClient& Api(Service service);

  /// "Bearer <token>": --token, else minted from the development key.
  [[nodiscard]] std::string Authorization() const;

  /// With --json `document` (pretty, one document), else `human`.
  void Print(const Json& document, const std::string& human) const;

 private:
  std::map<Service, std::unique_ptr<ApiClient>> clients_;
  mutable std::string authorization_;
};

/// --order-url, --inventory-url, --payment-url, --ca-file, --token, --dev-key-file, --as-sub,
/// --as-role, --timeout-ms, --json on the app (given before or after the command: call it
/// before adding the groups); the exit codes in the --help footer.
void AddConnectionOptions(CLI::App& app, Context& context);

void AddOrderCommands(CLI::App& app, Context& context);
void AddInventoryCommands(CLI::App& app, Context& context);
void AddPaymentCommands(CLI::App& app, Context& context);
void AddSagaCommands(CLI::App& app, Context& context);
void AddDeadLetterCommands(CLI::App& app, Context& context);
/// topics, acls, invariants, audit verify, token (the commands that existed before the API ones).
void AddAdminCommands(CLI::App& app, Context& context);

/// Prints one resource (RenderObject, or the JSON with --json); returns 0.
int PrintObject(const Context& context, const Json& resource);

/// Makes `action` what runs when `command` is the one parsed.
void OnRun(CLI::App* command, Context& context, std::function<int()> action);

/// {"If-Match": "\"<version>\""}, or no header when `version` is 0 (not given).
[[nodiscard]] std::map<std::string, std::string> IfMatch(std::int64_t version);

/// Parses `argv` (CLI11 errors: help exits 0, usage errors 2) and runs the parsed command:
/// CommandError prints "sagactl: <message>" on `err` and returns its code, core::ConfigError 2,
/// other failures 1.
int Main(CLI::App& app, Context& context, int argc, const char* const* argv);

/// Runs `action` for each id, collecting a BatchResult per id (a CommandError fails that id
/// only, and its message goes to `err` too); prints RenderBatch / BatchJson; returns BatchExit.
int RunBatch(Context& context, const std::vector<std::string>& ids, const std::string& verb,
             const std::function<Json(const std::string& id)>& action, const std::string& state_key);

/// For batches chosen by a filter: true with --yes; otherwise asks on a terminal, and refuses
/// (CommandError kUsage) when stdin is not one.
bool Confirm(const Context& context, bool yes, const std::string& question);

}  // namespace saga::sagactl
