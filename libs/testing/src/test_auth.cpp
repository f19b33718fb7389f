#include "saga/testing/test_auth.hpp"

#include <sys/stat.h>

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

#include "saga/auth/jwt.hpp"
#include "saga/core/encoding.hpp"
#include "saga/core/time.hpp"
#include "saga/crypto/envelope_cipher.hpp"
#include "saga/testing/test_env.hpp"

namespace saga::testing {

const std::string& AuthSecret() {
  static const std::string secret = [] {
    std::random_device random;
    std::string bytes(32, '\0');
    for (auto& byte : bytes) byte = static_cast<char>(random() & 0xffU);
    return core::HexEncode(bytes);
  }();
  return secret;
}

const std::string& AuthKeyFile() {
  static const std::string path = [] {
    const auto dir = std::filesystem::temp_directory_path() / UniqueName("auth");
    std::filesystem::create_directories(dir);
    const auto file = (dir / "jwt-hs256.key").string();
    std::ofstream(file) << AuthSecret() << '\n';
    ::chmod(file.c_str(), 0600);
    return file;
  }();
  return path;
}

const std::string& KeyRingDir() {
  static const std::string path = [] {
    const auto dir = std::filesystem::temp_directory_path() / UniqueName("keyring");
    std::filesystem::create_directories(dir);
    crypto::LocalKeyRing::CreateKey(dir.string(), "k1", true);
    return dir.string();
  }();
  return path;
}

std::string BearerToken(const std::string& subject, const std::vector<std::string>& roles,
                        std::chrono::seconds lifetime) {
  return auth::MintHs256(AuthSecret(),
                         auth::TokenRequest{subject, roles, "saga-dev", "saga-api", lifetime, ""},
                         core::SystemClock().Now());
}

std::map<std::string, std::string> AuthHeaders(const std::string& subject,
                                               const std::vector<std::string>& roles) {
  return {{"Authorization", "Bearer " + BearerToken(subject, roles)}};
}

std::map<std::string, std::string> AdminHeaders() {
  return AuthHeaders("e2e-admin", {"admin"});
}

TestKeyPair GenerateKeyPair(bool ec) {
  EVP_PKEY* key = ec ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
  const auto pem = [](EVP_PKEY* k, bool is_private) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (is_private) {
      PEM_write_bio_PrivateKey(bio, k, nullptr, nullptr, 0, nullptr, nullptr);
    } else {
      PEM_write_bio_PUBKEY(bio, k);
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(size));
    BIO_free(bio);
    return out;
  };
  TestKeyPair pair{pem(key, true), pem(key, false)};
  EVP_PKEY_free(key);
  return pair;
}

std::string SignToken(const nlohmann::json& claims, const std::string& alg, const std::string& key,
                      const std::string& kid) {
  jwt_t* jwt = nullptr;
  if (jwt_new(&jwt) != 0) throw std::runtime_error("jwt_new failed");
  bool ok = jwt_add_grants_json(jwt, claims.dump().c_str()) == 0;
  if (!kid.empty()) ok = ok && jwt_add_header(jwt, "kid", kid.c_str()) == 0;
  ok = ok && jwt_set_alg(jwt, jwt_str_alg(alg.c_str()), reinterpret_cast<const unsigned char*>(key.data()),
                         static_cast<int>(key.size())) == 0;
  char* encoded = ok ? jwt_encode_str(jwt) : nullptr;
  std::string token = encoded != nullptr ? encoded : "";
  std::free(encoded);  // NOLINT(cppcoreguidelines-no-malloc)
  jwt_free(jwt);
  if (token.empty()) throw std::runtime_error("cannot sign a test token with " + alg);
  return token;
}

nlohmann::json ValidClaims(const std::string& subject, const std::vector<std::string>& roles) {
  const auto now = core::ToUnixMicros(core::SystemClock().Now()) / 1'000'000;
  return {{"sub", subject},   {"iss", "saga-dev"}, {"aud", "saga-api"},
          {"exp", now + 600}, {"iat", now},        {"roles", roles}};
}

}  // namespace saga::testing
