#pragma once
// Bearer tokens for tests that call the services: one HS256 secret per test process, in a file
// (mode 0600) that services started by the test are given as auth.key_file
// (SAGA_AUTH_KEY_FILE), and tokens signed with it for any subject and roles, with the issuer
// and audience the services expect by default.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace saga::testing {

/// A key ring (libs/crypto LocalKeyRing, one active key) for the services of this process,
/// given to them as crypto.keyring_dir (SAGA_CRYPTO_KEYRING_DIR); created on first use.
[[nodiscard]] const std::string& KeyRingDir();

/// The path of this process's secret (created on first use).
[[nodiscard]] const std::string& AuthKeyFile();
/// The secret itself (e.g. to mint tokens with other claims).
[[nodiscard]] const std::string& AuthSecret();

/// A valid token for `subject` with `roles` ("customer", "admin", "service").
[[nodiscard]] std::string BearerToken(const std::string& subject, const std::vector<std::string>& roles,
                                      std::chrono::seconds lifetime = std::chrono::hours(1));
/// {"Authorization": "Bearer <token>"}.
[[nodiscard]] std::map<std::string, std::string> AuthHeaders(const std::string& subject,
                                                             const std::vector<std::string>& roles);
/// AuthHeaders("e2e-admin", {"admin"}): what most API tests call with.
[[nodiscard]] std::map<std::string, std::string> AdminHeaders();

struct TestKeyPair {
  std::string private_pem;
  std::string public_pem;
};
/// A fresh RSA 2048 (or, with `ec`, P-256) key pair in PEM.
[[nodiscard]] TestKeyPair GenerateKeyPair(bool ec);

/// `claims` signed by libjwt with `alg` ("HS256", "RS256", "ES256", "HS512"...) and `key` (a
/// secret, or a private key PEM), with a kid header when given.
[[nodiscard]] std::string SignToken(const nlohmann::json& claims, const std::string& alg,
                                    const std::string& key, const std::string& kid = "");

/// The claims a service accepts from AuthKeyFile's tokens by default (valid for 10 minutes).
[[nodiscard]] nlohmann::json ValidClaims(const std::string& subject, const std::vector<std::string>& roles);

}  // namespace saga::testing
