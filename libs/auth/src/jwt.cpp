#include "saga/auth/jwt.hpp"

#include <jwt.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "saga/core/encoding.hpp"
#include "saga/core/errors.hpp"
#include "saga/core/secret_file.hpp"
#include "saga/core/uuid.hpp"

namespace saga::auth {
namespace {

struct JwtDeleter {
  void operator()(jwt_t* jwt) const noexcept { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

struct FreeDeleter {
  void operator()(char* text) const noexcept { std::free(text); }  // NOLINT(cppcoreguidelines-no-malloc)
};

jwt_alg_t LibAlgorithm(JwtAlgorithm algorithm) {
  switch (algorithm) {
    case JwtAlgorithm::kHS256:
      return JWT_ALG_HS256;
    case JwtAlgorithm::kRS256:
      return JWT_ALG_RS256;
    case JwtAlgorithm::kES256:
      return JWT_ALG_ES256;
  }
  return JWT_ALG_INVAL;
}

std::optional<nlohmann::json> JsonObjectOf(std::string_view part) {
  const auto text = core::Base64UrlDecode(part);
  if (!text) return std::nullopt;
  auto json = nlohmann::json::parse(*text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return json;
}

std::optional<double> NumericDate(const nlohmann::json& claims, const char* name) {
  if (!claims.contains(name) || !claims[name].is_number()) return std::nullopt;
  const double value = claims[name].get<double>();
  // Beyond year 9999 (or before 1970) is not a date a token can carry; it would also overflow
  // the microsecond timestamp of the principal.
  if (!std::isfinite(value) || value < 0 || value > 253402300799.0) return std::nullopt;
  return value;
}

}  // namespace

std::string_view ToString(JwtAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case JwtAlgorithm::kHS256:
      return "HS256";
    case JwtAlgorithm::kRS256:
      return "RS256";
    case JwtAlgorithm::kES256:
      return "ES256";
  }
  return "?";
}

JwtAlgorithm ParseAlgorithm(std::string_view text, std::string_view key) {
  for (auto algorithm : {JwtAlgorithm::kHS256, JwtAlgorithm::kRS256, JwtAlgorithm::kES256}) {
    if (text == ToString(algorithm)) return algorithm;
  }
  throw core::ConfigError(std::string(key) + " must be HS256, RS256 or ES256");
}

std::string ReadKeyFile(const std::string& path, JwtAlgorithm algorithm) {
  if (algorithm == JwtAlgorithm::kHS256) {
    auto secret = core::ReadSecretFile(path, "auth: the key file");
    if (secret.size() < 32)
      throw core::ConfigError("auth: the HS256 secret in " + path + " is under 32 bytes");
    return secret;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::ConfigError("auth: cannot read the key file " + path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (content.find("-----BEGIN PUBLIC KEY-----") == std::string::npos) {
    throw core::ConfigError("auth: " + path + " holds no PEM public key (-----BEGIN PUBLIC KEY-----) for " +
                            std::string(ToString(algorithm)));
  }
  return content;
}

std::string_view Code(AuthFailure failure) noexcept {
  switch (failure) {
    case AuthFailure::kMissing:
      return "missing";
    case AuthFailure::kMalformed:
      return "malformed";
    case AuthFailure::kTooLarge:
      return "too_large";
    case AuthFailure::kAlgorithmNotAllowed:
      return "algorithm_not_allowed";
    case AuthFailure::kUnknownKey:
      return "unknown_key";
    case AuthFailure::kBadSignature:
      return "bad_signature";
    case AuthFailure::kNoExpiry:
      return "no_expiry";
    case AuthFailure::kExpired:
      return "expired";
    case AuthFailure::kNotYetValid:
      return "not_yet_valid";
    case AuthFailure::kWrongIssuer:
      return "wrong_issuer";
    case AuthFailure::kWrongAudience:
      return "wrong_audience";
    case AuthFailure::kNoSubject:
      return "no_subject";
  }
  return "unknown";
}

std::string_view ToString(AuthFailure failure) noexcept {
  switch (failure) {
    case AuthFailure::kMissing:
      return "no bearer token";
    case AuthFailure::kMalformed:
      return "the token is malformed";
    case AuthFailure::kTooLarge:
      return "the token is too large";
    case AuthFailure::kAlgorithmNotAllowed:
      return "the token's algorithm is not allowed";
    case AuthFailure::kUnknownKey:
      return "the token's key is unknown";
    case AuthFailure::kBadSignature:
      return "the token's signature does not verify";
    case AuthFailure::kNoExpiry:
      return "the token has no expiry";
    case AuthFailure::kExpired:
      return "the token has expired";
    case AuthFailure::kNotYetValid:
      return "the token is not valid yet";
    case AuthFailure::kWrongIssuer:
      return "the token's issuer is not trusted";
    case AuthFailure::kWrongAudience:
      return "the token is not meant for this service";
    case AuthFailure::kNoSubject:
      return "the token names no subject";
  }
  return "the token is refused";
}

void JwtConfig::Validate() const {
  if (keys.empty()) throw core::ConfigError("auth: at least one verification key is required");
  std::set<std::string> kids;
  for (const auto& key : keys) {
    if (keys.size() > 1 && key.kid.empty())
      throw core::ConfigError("auth: every key needs a kid when several are configured");
    if (!kids.insert(key.kid).second)
      throw core::ConfigError("auth: kid '" + key.kid + "' is configured twice");
    if (algorithm == JwtAlgorithm::kHS256 && key.material.size() < 32) {
      throw core::ConfigError("auth: an HS256 secret must have at least 32 bytes");
    }
    if (algorithm != JwtAlgorithm::kHS256 &&
        key.material.find("-----BEGIN PUBLIC KEY-----") == std::string::npos) {
      throw core::ConfigError("auth: an " + std::string(ToString(algorithm)) +
                              " key must be a PEM public key");
    }
  }
  if (issuer.empty()) throw core::ConfigError("auth: the expected issuer (iss) must be set");
  if (audience.empty()) throw core::ConfigError("auth: the expected audience (aud) must be set");
  if (leeway < std::chrono::seconds(0) || leeway > std::chrono::minutes(5)) {
    throw core::ConfigError("auth: the clock leeway must be between 0 and 300 s");
  }
  if (max_token_bytes < 64 || max_token_bytes > 65536) {
    throw core::ConfigError("auth: max_token_bytes must be between 64 and 65536");
  }
}

bool Principal::HasRole(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

JwtVerifier::JwtVerifier(JwtConfig config) : config_(std::move(config)) {
  config_.Validate();
}

core::Result<Principal, AuthFailure> JwtVerifier::VerifyBearer(std::string_view header,
                                                               core::Timestamp now) const {
  if (header.empty()) return core::Fail(AuthFailure::kMissing);
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return core::Fail(AuthFailure::kMalformed);
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i])
      return core::Fail(AuthFailure::kMalformed);
  }
  auto token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return core::Fail(AuthFailure::kMissing);
  return Verify(token, now);
}

core::Result<Principal, AuthFailure> JwtVerifier::Verify(std::string_view token, core::Timestamp now) const {
  if (token.empty()) return core::Fail(AuthFailure::kMissing);
  if (token.size() > config_.max_token_bytes) return core::Fail(AuthFailure::kTooLarge);
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return core::Fail(AuthFailure::kMalformed);
  }
  const auto header = JsonObjectOf(token.substr(0, first));
  if (!header || !header->contains("alg") || !(*header)["alg"].is_string())
    return core::Fail(AuthFailure::kMalformed);
  // The configured algorithm only: "none", and HS256 signed with a public key, stop here.
  if ((*header)["alg"].get<std::string>() != ToString(config_.algorithm)) {
    return core::Fail(AuthFailure::kAlgorithmNotAllowed);
  }
  const VerificationKey* key = nullptr;
  if (header->contains("kid")) {
    if (!(*header)["kid"].is_string()) return core::Fail(AuthFailure::kMalformed);
    const auto kid = (*header)["kid"].get<std::string>();
    for (const auto& candidate : config_.keys) {
      if (candidate.kid == kid) key = &candidate;
    }
  } else if (config_.keys.size() == 1) {
    key = &config_.keys.front();
  }
  if (key == nullptr) return core::Fail(AuthFailure::kUnknownKey);
  if (second + 1 >= token.size()) return core::Fail(AuthFailure::kBadSignature);  // no signature at all

  const std::string text(token);
  jwt_t* raw = nullptr;
  const int rc = jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(key->material.data()),
                            static_cast<int>(key->material.size()));
  JwtPtr decoded(raw);
  if (rc != 0 || !decoded || jwt_get_alg(decoded.get()) != LibAlgorithm(config_.algorithm)) {
    return core::Fail(AuthFailure::kBadSignature);
  }

  // The claims as signed (the payload part the signature covers).
  const auto claims = JsonObjectOf(token.substr(first + 1, second - first - 1));
  if (!claims) return core::Fail(AuthFailure::kMalformed);
  const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
  const double leeway = static_cast<double>(config_.leeway.count());
  const auto exp = NumericDate(*claims, "exp");
  if (!exp) return core::Fail(AuthFailure::kNoExpiry);
  if (now_s >= *exp + leeway) return core::Fail(AuthFailure::kExpired);
  if (claims->contains("nbf")) {
    const auto nbf = NumericDate(*claims, "nbf");
    if (!nbf) return core::Fail(AuthFailure::kMalformed);
    if (now_s + leeway < *nbf) return core::Fail(AuthFailure::kNotYetValid);
  }
  if (!claims->contains("iss") || !(*claims)["iss"].is_string() ||
      (*claims)["iss"].get<std::string>() != config_.issuer) {
    return core::Fail(AuthFailure::kWrongIssuer);
  }
  bool audience = false;
  if (claims->contains("aud")) {
    const auto& aud = (*claims)["aud"];
    if (aud.is_string()) audience = aud.get<std::string>() == config_.audience;
    if (aud.is_array()) {
      for (const auto& each : aud)
        audience = audience || (each.is_string() && each.get<std::string>() == config_.audience);
    }
  }
  if (!audience) return core::Fail(AuthFailure::kWrongAudience);
  if (!claims->contains("sub") || !(*claims)["sub"].is_string() ||
      (*claims)["sub"].get<std::string>().empty()) {
    return core::Fail(AuthFailure::kNoSubject);
  }

  Principal principal;
  principal.subject = (*claims)["sub"].get<std::string>();
  principal.expires_at = core::FromUnixMicros(static_cast<std::int64_t>(*exp * 1e6));
  if (claims->contains("jti") && (*claims)["jti"].is_string()) principal.token_id = (*claims)["jti"];
  if (claims->contains("roles") && (*claims)["roles"].is_array()) {
    for (const auto& role : (*claims)["roles"]) {
      if (role.is_string()) principal.roles.push_back(role.get<std::string>());
    }
  } else if (claims->contains("role") && (*claims)["role"].is_string()) {
    principal.roles.push_back((*claims)["role"].get<std::string>());
  }
  return principal;
}

std::string MintHs256(const std::string& secret, const TokenRequest& request, core::Timestamp now) {
  if (secret.size() < 32) throw std::invalid_argument("an HS256 secret must have at least 32 bytes");
  if (request.subject.empty()) throw std::invalid_argument("a token needs a subject");
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new failed");
  JwtPtr jwt(raw);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  nlohmann::json claims{{"sub", request.subject},
                        {"iss", request.issuer},
                        {"aud", request.audience},
                        {"iat", seconds},
                        {"nbf", seconds},
                        {"exp", seconds + request.lifetime.count()},
                        {"jti", core::Uuid::Random().ToString()},
                        {"roles", request.roles}};
  if (jwt_add_grants_json(jwt.get(), claims.dump().c_str()) != 0)
    throw std::runtime_error("jwt claims refused");
  if (!request.kid.empty() && jwt_add_header(jwt.get(), "kid", request.kid.c_str()) != 0) {
    throw std::runtime_error("jwt kid refused");
  }
  if (jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()),
                  static_cast<int>(secret.size())) != 0) {
    throw std::runtime_error("jwt_set_alg failed");
  }
  std::unique_ptr<char, FreeDeleter> encoded(jwt_encode_str(jwt.get()));
  if (!encoded) throw std::runtime_error("jwt_encode_str failed");
  return encoded.get();
}

}  // namespace saga::auth
