#pragma once
// The exit codes of sagactl: scripts rely on them, so they only ever grow. Documented in the
// --help footer (ExitCodesHelp) and tools/README.md.

#include <string>

namespace saga::sagactl {

enum class Exit : int {
  kOk = 0,
  kFailed = 1,     // the operation failed: a server error (5xx), a rate limit, a batch with failures
  kUsage = 2,      // usage or configuration error; the server refused the input as malformed (400, 413, 415)
  kViolation = 3,  // invariants / audit verify: a violation was found
  kNotFound = 4,   // 404: no such order, product, payment, saga or dead letter
  kConflict = 5,   // refused by the state or a business rule: 409, 412, 422
  kDenied = 6,     // 401 (no or bad token) or 403 (the token's role may not do this)
  kUnreachable = 7,     // connection refused, TLS failure, timeout
  kOrderFailed = 8,     // orders watch: the order ended Failed
  kOrderCancelled = 9,  // orders watch: the order ended Cancelled
  kWatchTimeout = 10,   // orders watch: the order was not terminal before --timeout-s
};

[[nodiscard]] constexpr int Code(Exit exit) noexcept {
  return static_cast<int>(exit);
}

/// The exit code for an HTTP status: 2xx/3xx kOk, 0 (no answer) kUnreachable, and the mapping
/// above for errors.
[[nodiscard]] Exit ExitForStatus(int status) noexcept;

/// The exit code table as the --help footer prints it.
[[nodiscard]] std::string ExitCodesHelp();

}  // namespace saga::sagactl
