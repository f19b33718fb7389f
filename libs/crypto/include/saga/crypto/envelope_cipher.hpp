#pragma once
// Envelope encryption of sensitive fields (the saga's payment token; see docs/architecture.md).
// Each sealed value gets its own random 256-bit data key; the value is encrypted with
// AES-256-GCM under that data key, with the caller's associated data (the row id) bound in, and
// the data key is wrapped (AES-256-GCM too) by a key-encryption key (KEK) from an IKeyProvider.
// Sealed text: "v1.<kek id>.<wrapped data key>.<nonce>.<ciphertext+tag>" (base64url parts), so a
// row names the KEK that can open it and rotation keeps old rows readable.
//
// Tampering with any part, the wrong associated data (a value moved to another row) or a KEK
// that is not the one named fail loudly with CryptoError; nothing is ever returned unverified.
// Thread-safety: the functions are; IKeyProvider implementations must be.

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace saga::crypto {

/// A value that cannot be sealed or opened (tampered, wrong key, wrong associated data, unknown
/// key id, malformed). Never retryable; the message names no secret.
class CryptoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Where key-encryption keys live. A cloud KMS (Azure Key Vault's wrapKey/unwrapKey, AWS KMS
/// Encrypt/Decrypt) implements the same three calls without the KEK ever leaving it.
class IKeyProvider {
 public:
  virtual ~IKeyProvider() = default;
  /// The KEK new values are sealed with.
  [[nodiscard]] virtual std::string ActiveKeyId() const = 0;
  /// Wraps `data_key` with KEK `key_id`. Throws CryptoError for an unknown key id.
  [[nodiscard]] virtual std::string Wrap(const std::string& key_id, const std::string& data_key) const = 0;
  /// Unwraps what Wrap() returned. Throws CryptoError when it does not verify.
  [[nodiscard]] virtual std::string Unwrap(const std::string& key_id, const std::string& wrapped) const = 0;
};

/// KEKs from files outside the repository: `<dir>/<id>.key` (64 hex digits, mode 0600 or
/// stricter) and `<dir>/active` (the id new values use). Several versions may be present; old
/// ones stay to open old rows until they are re-wrapped.
class LocalKeyRing final : public IKeyProvider {
 public:
  /// Loads every key of `dir`. Throws core::ConfigError naming the problem: no keys, no or an
  /// unknown active id, a key that is not 32 bytes of hex, a key file readable by others.
  explicit LocalKeyRing(const std::string& dir);
  /// Writes a new random key `id` into `dir` (mode 0600) and, with `activate`, makes it the
  /// active one. Throws core::ConfigError when it exists or cannot be written.
  static void CreateKey(const std::string& dir, const std::string& id, bool activate);

  [[nodiscard]] std::string ActiveKeyId() const override { return active_; }
  [[nodiscard]] std::string Wrap(const std::string& key_id, const std::string& data_key) const override;
  [[nodiscard]] std::string Unwrap(const std::string& key_id, const std::string& wrapped) const override;

 private:
  std::map<std::string, std::string> keys_;  // id -> 32 raw bytes
  std::string active_;
};

/// Seals `plaintext`, binding `associated_data` (e.g. "payments/<id>/card_holder").
[[nodiscard]] std::string Seal(const IKeyProvider& keys, std::string_view plaintext,
                               std::string_view associated_data);
/// Opens a sealed value; throws CryptoError unless it verifies with the same associated data.
[[nodiscard]] std::string Open(const IKeyProvider& keys, std::string_view sealed,
                               std::string_view associated_data);
/// The same value with its data key re-wrapped by the active KEK (the ciphertext is unchanged);
/// a value already under the active KEK comes back as it is.
[[nodiscard]] std::string Rewrap(const IKeyProvider& keys, std::string_view sealed);
/// The KEK id a sealed value names (CryptoError when malformed).
[[nodiscard]] std::string KeyIdOf(std::string_view sealed);

}  // namespace saga::crypto
