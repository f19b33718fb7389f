// sagactl: the command-line client of the order saga. Wires the command groups (src/commands_*)
// onto one CLI11 app and runs the parsed one; the exit codes are in exit_codes.hpp, --help and
// tools/README.md.
#include <CLI/CLI.hpp>

#include "saga/observability/logging.hpp"
#include "saga/sagactl/commands.hpp"

int main(int argc, char** argv) {
  saga::observability::LogConfig log_config;
  log_config.service = "sagactl";
  log_config.level = "warn";
  log_config.json = false;
  saga::observability::InitLogging(log_config);

  CLI::App app{"sagactl: drive and inspect the order saga"};
  app.require_subcommand(1);
  saga::sagactl::Context context;
  saga::sagactl::AddConnectionOptions(app, context);
  saga::sagactl::AddOrderCommands(app, context);
  saga::sagactl::AddInventoryCommands(app, context);
  saga::sagactl::AddPaymentCommands(app, context);
  saga::sagactl::AddSagaCommands(app, context);
  saga::sagactl::AddDeadLetterCommands(app, context);
  saga::sagactl::AddAdminCommands(app, context);
  return saga::sagactl::Main(app, context, argc, argv);
}
