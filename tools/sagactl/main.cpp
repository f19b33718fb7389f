// sagactl: the command-line client of the order saga. Today: topic and ACL administration used
// by the launcher (the broker credential comes from SAGA_KAFKA_SECURITY_PROTOCOL,
// SAGA_KAFKA_SASL_USERNAME and SAGA_KAFKA_SASL_PASSWORD_FILE), the invariant checker, the audit-chain check and development tokens. Exit codes: 0 success, 1 the
// operation failed (e.g. broker or database unreachable), 2 usage or configuration error, 3 an
// invariant is violated or the audit chain is broken.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "saga/audit/audit_log.hpp"
#include "saga/auth/jwt.hpp"
#include "saga/core/errors.hpp"
#include "saga/pg/connection.hpp"
#include "saga/invariants/checker.hpp"
#include "saga/config/config_source.hpp"
#include "saga/kafka/acls.hpp"
#include "saga/kafka/errors.hpp"
#include "saga/kafka/topics.hpp"
#include "saga/observability/logging.hpp"

namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "-" : out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sagactl: drive and inspect the order saga"};
  app.require_subcommand(1);

  std::string brokers = "127.0.0.1:19092";
  std::string topics_file = "deploy/kafka/topics.tsv";
  int timeout_ms = 15000;
  auto* topics = app.add_subcommand("topics", "Kafka topic administration");
  topics->require_subcommand(1);
  auto* apply = topics->add_subcommand("apply", "create the topics of a topics file that do not exist yet");
  auto* list = topics->add_subcommand("list", "list the topics of the cluster with their partition counts");
  std::string acls_file = "deploy/kafka/acls.tsv";
  auto* acls = app.add_subcommand("acls", "Kafka ACL administration (needs an admin credential)");
  acls->require_subcommand(1);
  auto* acls_apply = acls->add_subcommand("apply", "create the ALLOW bindings of an ACL file (idempotent)");
  acls_apply->add_option("--file", acls_file, "ACL definition")->capture_default_str();
  for (auto* cmd : {apply, list, acls_apply}) {
    cmd->add_option("--brokers", brokers, "bootstrap servers")
        ->envname("SAGA_KAFKA_BROKERS")
        ->capture_default_str();
    cmd->add_option("--timeout-ms", timeout_ms, "broker request timeout")
        ->check(CLI::Range(100, 600000))
        ->capture_default_str();
  }
  apply->add_option("--file", topics_file, "topics definition")->capture_default_str();

  saga::invariants::CheckInput check_input;
  auto* invariants = app.add_subcommand(
      "invariants",
      "check stock, money, orders and outboxes across the three databases (exit 3 on a violation)");
  invariants->add_option("--order-dsn", check_input.order_dsn, "order_db connection string")
      ->envname("SAGA_ORDER_PG_DSN")
      ->required();
  invariants->add_option("--inventory-dsn", check_input.inventory_dsn, "inventory_db connection string")
      ->envname("SAGA_INVENTORY_PG_DSN")
      ->required();
  invariants->add_option("--payment-dsn", check_input.payment_dsn, "payment_db connection string")
      ->envname("SAGA_PAYMENT_PG_DSN")
      ->required();
  bool running = false;
  invariants->add_flag("--running", running, "traffic may still be flowing: skip the at-rest checks");

  std::string audit_dsn;
  std::string expected_head;
  auto* audit = app.add_subcommand("audit", "the services' audit trails");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand(
      "verify", "check the hash chain of a service's audit_log (exit 3 on a modified, deleted or reordered entry)");
  verify->add_option("--dsn", audit_dsn, "the service database's connection string")
      ->envname("SAGA_AUDIT_PG_DSN")
      ->required();
  verify->add_option("--expect-head", expected_head,
                     "a head hash recorded earlier: also detects the newest entries being cut off");

  saga::auth::TokenRequest token_request{"", {}, "saga-dev", "saga-api", std::chrono::seconds(3600), ""};
  std::string secret_file;
  int ttl_s = 3600;
  auto* token = app.add_subcommand(
      "token", "mint a development bearer token (HS256, signed with the development secret)");
  token->add_option("--sub", token_request.subject, "the subject (customer id, admin or service name)")
      ->required();
  token->add_option("--role", token_request.roles, "customer, admin or service (repeatable)")
      ->required()
      ->check(CLI::IsMember({"customer", "admin", "service"}));
  token->add_option("--ttl", ttl_s, "lifetime in seconds")->check(CLI::Range(1, 86400))->capture_default_str();
  token->add_option("--issuer", token_request.issuer, "iss claim")->capture_default_str();
  token->add_option("--audience", token_request.audience, "aud claim")->capture_default_str();
  token->add_option("--kid", token_request.kid, "kid header (which configured key signs)");
  token->add_option("--secret-file", secret_file, "file holding the HS256 secret (at least 32 bytes)")
      ->envname("SAGA_AUTH_SECRET_FILE")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints the help or the usage error
    return code == 0 ? 0 : 2;      // usage errors are exit code 2, as documented
  }

  saga::observability::LogConfig log_config;
  log_config.service = "sagactl";
  log_config.level = "warn";
  log_config.json = false;
  saga::observability::InitLogging(log_config);

  const auto timeout = std::chrono::milliseconds(timeout_ms);
  try {
    // The broker credential (SAGA_KAFKA_SECURITY_PROTOCOL, _SASL_USERNAME, _SASL_PASSWORD_FILE).
    auto config = saga::kafka::KafkaConfig::FromSource(saga::config::ConfigSource());
    config.brokers = brokers;
    config.client_id = "sagactl";
    if (token->parsed()) {
      const auto secret = saga::auth::ReadKeyFile(secret_file, saga::auth::JwtAlgorithm::kHS256);
      token_request.lifetime = std::chrono::seconds(ttl_s);
      std::cout << saga::auth::MintHs256(secret, token_request, saga::core::SystemClock().Now()) << '\n';
      return 0;
    }
    if (verify->parsed()) {
      auto conn = saga::pg::Connect(saga::pg::PgConfig{audit_dsn, std::chrono::seconds(5)});
      const auto verdict = saga::audit::VerifyAudit(*conn, expected_head);
      if (verdict.intact) {
        std::cout << "audit log: " << verdict.entries << " entries, chain intact, head " << verdict.head << "\n";
        return 0;
      }
      std::cout << "audit log BROKEN at entry " << verdict.broken_at.value_or(0) << ": " << verdict.problem
                << " (" << verdict.entries << " entries verified before it)\n";
      return 3;
    }
    if (invariants->parsed()) {
      check_input.at_rest = !running;
      const auto report = saga::invariants::Check(check_input);
      std::cout << report.Summary();
      return report.Ok() ? 0 : 3;
    }
    if (acls_apply->parsed()) {
      const auto rules = saga::kafka::LoadAclsFile(acls_file);
      std::cout << "ACL bindings applied: " << saga::kafka::ApplyAcls(config, rules, timeout) << "\n";
      return 0;
    }
    if (apply->parsed()) {
      const auto specs = saga::kafka::LoadTopicsFile(topics_file);
      const auto result = saga::kafka::EnsureTopics(config, specs, timeout);
      std::cout << "topics created: " << Join(result.created) << "\n"
                << "topics already present: " << Join(result.existing) << "\n";
    } else if (list->parsed()) {
      saga::kafka::ClusterProbe probe(config);
      for (const auto& [name, partitions] : probe.Describe(timeout).topics) {
        std::cout << name << '\t' << partitions << '\n';
      }
    }
    return 0;
  } catch (const saga::core::ConfigError& e) {
    std::cerr << "sagactl: " << e.what() << '\n';
    return 2;
  } catch (const saga::kafka::KafkaError& e) {
    std::cerr << "sagactl: kafka at " << brokers << ": " << e.what() << '\n';
    return 1;
  } catch (const saga::core::InfraError& e) {
    std::cerr << "sagactl: cannot read the databases: " << e.what() << '\n';
    return 1;
  }
}
