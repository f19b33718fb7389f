#include "saga/crypto/envelope_cipher.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "saga/core/encoding.hpp"
#include "saga/core/errors.hpp"

namespace saga::crypto {
namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr std::string_view kVersion = "v1";

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};

std::string RandomBytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw CryptoError("no random bytes available");
  }
  return out;
}

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// AES-256-GCM: nonce || ciphertext || tag.
std::string GcmSeal(std::string_view key, std::string_view plaintext, std::string_view aad) {
  const auto nonce = RandomBytes(kNonceBytes);
  std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> ctx(EVP_CIPHER_CTX_new());
  std::string out = nonce;
  out.resize(kNonceBytes + plaintext.size() + kTagBytes);
  int len = 0;
  auto* body = reinterpret_cast<unsigned char*>(out.data() + kNonceBytes);
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key), U(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), body, &len, U(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), body + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          out.data() + kNonceBytes + plaintext.size()) != 1) {
    throw CryptoError("encryption failed");
  }
  return out;
}

std::string GcmOpen(std::string_view key, std::string_view sealed, std::string_view aad) {
  if (sealed.size() < kNonceBytes + kTagBytes) throw CryptoError("sealed value too short");
  const auto nonce = sealed.substr(0, kNonceBytes);
  const auto body = sealed.substr(kNonceBytes, sealed.size() - kNonceBytes - kTagBytes);
  std::string tag(sealed.substr(sealed.size() - kTagBytes));
  std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> ctx(EVP_CIPHER_CTX_new());
  std::string out(body.size(), '\0');
  int len = 0;
  auto* plain = reinterpret_cast<unsigned char*>(out.data());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key), U(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), plain, &len, U(body), static_cast<int>(body.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), plain + len, &len) != 1) {
    throw CryptoError("the value does not verify (tampered, wrong key or wrong associated data)");
  }
  return out;
}

std::string FromBase64Url(std::string_view in) {
  auto bytes = core::Base64UrlDecode(in);
  if (!bytes) throw CryptoError("sealed value is malformed");
  return std::move(*bytes);
}

struct Parts {
  std::string kek_id;
  std::string wrapped;
  std::string body;  // nonce || ciphertext || tag
};

Parts Split(std::string_view sealed) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const auto dot = sealed.find('.', start);
    parts.push_back(
        sealed.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() != 4 || parts[0] != kVersion || parts[1].empty())
    throw CryptoError("sealed value is malformed");
  return Parts{std::string(parts[1]), FromBase64Url(parts[2]), FromBase64Url(parts[3])};
}

std::string Join(const std::string& kek_id, std::string_view wrapped, std::string_view body) {
  return std::string(kVersion) + "." + kek_id + "." + core::Base64UrlEncode(wrapped) + "." +
         core::Base64UrlEncode(body);
}

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_')) {
      return false;
    }
  }
  return true;
}

}  // namespace

LocalKeyRing::LocalKeyRing(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw core::ConfigError("key ring: " + dir + " is not a directory");
  for (const auto& file : fs::directory_iterator(dir)) {
    if (file.path().extension() != ".key") continue;
    const auto id = file.path().stem().string();
    struct stat info {};
    if (stat(file.path().c_str(), &info) != 0 || (info.st_mode & 077U) != 0) {
      throw core::ConfigError("key ring: " + file.path().string() +
                              " must be readable by its owner only (chmod 600)");
    }
    std::ifstream in(file.path());
    std::string hex;
    in >> hex;
    const auto raw = core::HexDecode(hex);
    if (!ValidId(id) || !raw || raw->size() != kKeyBytes) {
      throw core::ConfigError("key ring: " + file.path().string() +
                              " must hold 64 hex digits (a 256-bit key)");
    }
    keys_[id] = *raw;
  }
  if (keys_.empty()) throw core::ConfigError("key ring: no <id>.key file in " + dir);
  std::ifstream active(fs::path(dir) / "active");
  active >> active_;
  if (keys_.count(active_) == 0) {
    throw core::ConfigError("key ring: " + dir + "/active must name one of its keys");
  }
}

void LocalKeyRing::CreateKey(const std::string& dir, const std::string& id, bool activate) {
  namespace fs = std::filesystem;
  if (!ValidId(id)) throw core::ConfigError("key ring: key ids are 1-64 letters, digits, '-' or '_'");
  fs::create_directories(dir);
  const auto path = fs::path(dir) / (id + ".key");
  if (fs::exists(path)) throw core::ConfigError("key ring: " + path.string() + " exists");
  {
    std::ofstream out(path);
    out << core::HexEncode(RandomBytes(kKeyBytes)) << '\n';
    if (!out) throw core::ConfigError("key ring: cannot write " + path.string());
  }
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  if (activate) {
    std::ofstream out(fs::path(dir) / "active");
    out << id << '\n';
    if (!out) throw core::ConfigError("key ring: cannot write " + dir + "/active");
  }
}

std::string LocalKeyRing::Wrap(const std::string& key_id, const std::string& data_key) const {
  const auto kek = keys_.find(key_id);
  if (kek == keys_.end()) throw CryptoError("unknown key-encryption key '" + key_id + "'");
  return GcmSeal(kek->second, data_key, "kek:" + key_id);
}

std::string LocalKeyRing::Unwrap(const std::string& key_id, const std::string& wrapped) const {
  const auto kek = keys_.find(key_id);
  if (kek == keys_.end()) throw CryptoError("unknown key-encryption key '" + key_id + "'");
  return GcmOpen(kek->second, wrapped, "kek:" + key_id);
}

std::string Seal(const IKeyProvider& keys, std::string_view plaintext, std::string_view associated_data) {
  const auto kek_id = keys.ActiveKeyId();
  const auto data_key = RandomBytes(kKeyBytes);
  return Join(kek_id, keys.Wrap(kek_id, data_key), GcmSeal(data_key, plaintext, associated_data));
}

std::string Open(const IKeyProvider& keys, std::string_view sealed, std::string_view associated_data) {
  const auto parts = Split(sealed);
  const auto data_key = keys.Unwrap(parts.kek_id, parts.wrapped);
  if (data_key.size() != kKeyBytes) throw CryptoError("the data key is malformed");
  return GcmOpen(data_key, parts.body, associated_data);
}

std::string Rewrap(const IKeyProvider& keys, std::string_view sealed) {
  const auto parts = Split(sealed);
  const auto active = keys.ActiveKeyId();
  if (parts.kek_id == active) return std::string(sealed);
  const auto data_key = keys.Unwrap(parts.kek_id, parts.wrapped);
  return Join(active, keys.Wrap(active, data_key), parts.body);
}

std::string KeyIdOf(std::string_view sealed) {
  return Split(sealed).kek_id;
}

}  // namespace saga::crypto
