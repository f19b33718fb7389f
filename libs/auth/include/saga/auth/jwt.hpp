#pragma once
// JWT bearer tokens (RFC 7519) checked the way libjwt 1.10 does not do by itself:
//  - the algorithm is pinned by configuration (HS256, RS256 or ES256): a token whose header
//    names another one ("none", or HS256 against an RSA public key) is refused before any
//    signature check, and libjwt always gets the configured key;
//  - `kid` only selects among configured keys (unknown kid: refused; no kid: only when exactly
//    one key is configured);
//  - exp is required; exp, nbf (when present), iss and aud are checked here, with `leeway` of
//    clock skew; the token's size is bounded before anything is parsed.
// Refusals are results (AuthFailure), never exceptions; the token itself is never logged or put
// into an error message.
//
// Thread-safety: JwtVerifier is immutable after construction; Verify() may run concurrently.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "saga/core/result.hpp"
#include "saga/core/time.hpp"

namespace saga::auth {

enum class JwtAlgorithm { kHS256, kRS256, kES256 };

[[nodiscard]] std::string_view ToString(JwtAlgorithm algorithm) noexcept;
/// "HS256", "RS256" or "ES256"; throws core::ConfigError naming `key` for anything else.
[[nodiscard]] JwtAlgorithm ParseAlgorithm(std::string_view text, std::string_view key);

/// The key material in `path` for `algorithm`: for HS256 the first line (the secret, at least
/// 32 bytes), for RS256/ES256 the whole PEM public key. Throws core::ConfigError naming the
/// file when it cannot be read or does not hold such a key (never quoting its content).
[[nodiscard]] std::string ReadKeyFile(const std::string& path, JwtAlgorithm algorithm);

struct VerificationKey {
  /// Matched against the token's `kid` header.
  std::string kid;
  /// HS256: the shared secret (at least 32 bytes). RS256 / ES256: the public key in PEM.
  std::string material;
};

struct JwtConfig {
  JwtAlgorithm algorithm = JwtAlgorithm::kHS256;
  /// One or more keys (several during a rotation), selected by `kid`.
  std::vector<VerificationKey> keys;
  /// Required `iss` claim.
  std::string issuer;
  /// Required in the `aud` claim (a string, or one of an array's strings).
  std::string audience;
  /// Clock skew allowed on exp and nbf.
  std::chrono::seconds leeway{30};
  /// Longer tokens are refused before parsing.
  std::size_t max_token_bytes = 8192;

  /// Throws core::ConfigError naming the problem: no key, an empty or duplicate kid among
  /// several keys, an HS256 secret under 32 bytes, an empty issuer or audience, a leeway over
  /// 5 minutes.
  void Validate() const;
};

/// Who a valid token speaks for.
struct Principal {
  std::string subject;
  /// The `roles` claim (array of strings) or the `role` claim (one string).
  std::vector<std::string> roles;
  core::Timestamp expires_at{};
  /// The `jti` claim, "" when absent.
  std::string token_id;

  [[nodiscard]] bool HasRole(std::string_view role) const;
};

enum class AuthFailure {
  kMissing,              // no Authorization header / empty token
  kMalformed,            // not "Bearer <token>", not three base64url parts, header or claims not JSON
  kTooLarge,             // over max_token_bytes
  kAlgorithmNotAllowed,  // the header's alg is not the configured one ("none" included)
  kUnknownKey,           // kid not configured, or no kid while several keys are
  kBadSignature,         // the signature does not verify with the selected key
  kNoExpiry,             // exp missing or not a number
  kExpired,              // exp (+ leeway) passed
  kNotYetValid,          // nbf (- leeway) in the future
  kWrongIssuer,
  kWrongAudience,
  kNoSubject,  // sub missing or empty
};

[[nodiscard]] std::string_view ToString(AuthFailure failure) noexcept;
/// A short code for metrics labels and audit entries: "missing", "expired", "bad_signature"...
[[nodiscard]] std::string_view Code(AuthFailure failure) noexcept;
/// Every failure, for pre-creating metric series.
inline constexpr AuthFailure kAllAuthFailures[] = {
    AuthFailure::kMissing,       AuthFailure::kMalformed,
    AuthFailure::kTooLarge,      AuthFailure::kAlgorithmNotAllowed,
    AuthFailure::kUnknownKey,    AuthFailure::kBadSignature,
    AuthFailure::kNoExpiry,      AuthFailure::kExpired,
    AuthFailure::kNotYetValid,   AuthFailure::kWrongIssuer,
    AuthFailure::kWrongAudience, AuthFailure::kNoSubject};

class JwtVerifier {
 public:
  /// Validates the configuration (core::ConfigError) and loads the keys.
  explicit JwtVerifier(JwtConfig config);

  [[nodiscard]] core::Result<Principal, AuthFailure> Verify(std::string_view token,
                                                            core::Timestamp now) const;
  /// `header` is the Authorization header's value: "Bearer <token>" (scheme case-insensitive).
  [[nodiscard]] core::Result<Principal, AuthFailure> VerifyBearer(std::string_view header,
                                                                  core::Timestamp now) const;

  [[nodiscard]] const JwtConfig& Config() const noexcept { return config_; }

 private:
  JwtConfig config_;
};

/// What a development token says (see MintHs256).
struct TokenRequest {
  std::string subject;
  std::vector<std::string> roles;
  std::string issuer;
  std::string audience;
  std::chrono::seconds lifetime{3600};
  std::string kid;
};

/// An HS256 token signed with `secret` (development and tests; production tokens come from an
/// identity provider). Throws std::invalid_argument for a secret under 32 bytes or an empty
/// subject.
[[nodiscard]] std::string MintHs256(const std::string& secret, const TokenRequest& request,
                                    core::Timestamp now);

}  // namespace saga::auth
