#pragma once
// Throwaway certificates for TLS tests, generated with OpenSSL at test time (nothing checked in,
// nothing that expires in the repository): a CA and a server certificate signed by it.

#include <filesystem>
#include <string>
#include <vector>

namespace saga::testing {

struct TlsFiles {
  std::string ca_file;    // the CA certificate (PEM): what clients trust
  std::string cert_file;  // the server certificate (PEM), followed by the CA: a chain
  std::string key_file;   // the server's private key (PEM, mode 0600)
};

/// Writes `<dir>/<name>-ca.crt`, `<name>.crt` and `<name>.key`: a fresh EC P-256 CA and a server
/// certificate it signs, whose subjectAltName lists `dns_names` and `ip_addresses`; both valid
/// from an hour ago for a day. `dir` must exist. Throws std::runtime_error when OpenSSL fails.
TlsFiles MakeTlsFiles(const std::filesystem::path& dir, const std::string& name,
                      const std::vector<std::string>& dns_names = {"localhost"},
                      const std::vector<std::string>& ip_addresses = {"127.0.0.1"});

}  // namespace saga::testing
