#include "saga/sagactl/exit_codes.hpp"

namespace saga::sagactl {

Exit ExitForStatus(int status) noexcept {
  switch (status) {
    case 0:
      return Exit::kUnreachable;
    case 400:
    case 413:
    case 415:
      return Exit::kUsage;
    case 401:
    case 403:
      return Exit::kDenied;
    case 404:
      return Exit::kNotFound;
    case 409:
    case 412:
    case 422:
      return Exit::kConflict;
    default:
      return status < 400 ? Exit::kOk : Exit::kFailed;
  }
}

std::string ExitCodesHelp() {
  return "Exit codes:\n"
         "  0  success\n"
         "  1  the operation failed (server error, rate limit; a batch with failures of several kinds)\n"
         "  2  usage or configuration error; input the server refused as malformed (400)\n"
         "  3  invariants / audit verify found a violation\n"
         "  4  not found (404)\n"
         "  5  conflict or refused by a business rule (409, 412, 422)\n"
         "  6  unauthorized or forbidden (401, 403)\n"
         "  7  service unreachable (connection refused, TLS failure, timeout)\n"
         "  8  orders watch: the order ended Failed\n"
         "  9  orders watch: the order ended Cancelled\n"
         " 10  orders watch: not terminal before --timeout-s\n"
         "Batches (retry, compensate, replay, discard) exit 0 when every action succeeded, else with\n"
         "the code their failures share (one unknown id: 4), else 1.\n";
}

}  // namespace saga::sagactl
