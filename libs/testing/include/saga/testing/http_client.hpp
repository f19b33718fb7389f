#pragma once
// A small blocking HTTP/1.1 client for tests (Beast), plus raw-bytes access for malformed input,
// each over plain TCP or over TLS.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace saga::testing {

struct HttpReply {
  int status = 0;  // 0 when the connection failed
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;                           // why status is 0
};

/// One request on a new connection. Never throws; connection failures give status 0.
HttpReply HttpRequest(const std::string& host, std::uint16_t port, const std::string& method,
                      const std::string& target, const std::string& body = {},
                      const std::map<std::string, std::string>& headers = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// Writes `bytes` as they are and returns everything read until the peer closes (or timeout).
std::string SendRaw(const std::string& host, std::uint16_t port, const std::string& bytes,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// How a test talks TLS: the server's certificate is verified against `ca_file` (PEM) and the
/// host called (a name or an IP address), as services do.
struct TlsOptions {
  std::string ca_file;
};

/// HttpRequest over TLS. A handshake or verification failure gives status 0 and `error`.
HttpReply HttpsRequest(const TlsOptions& tls, const std::string& host, std::uint16_t port,
                       const std::string& method, const std::string& target, const std::string& body = {},
                       const std::map<std::string, std::string>& headers = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// SendRaw over TLS: the decrypted bytes read until the peer closes (or timeout); empty when
/// the handshake fails.
std::string SendRawTls(const TlsOptions& tls, const std::string& host, std::uint16_t port,
                       const std::string& bytes,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace saga::testing
