#pragma once
// Text encodings of bytes shared by the libraries: lowercase hex and unpadded base64url
// (RFC 4648 section 5, as JWTs and sealed values use it). No I/O.

#include <optional>
#include <string>
#include <string_view>

namespace saga::core {

/// Lowercase hex, two digits per byte.
[[nodiscard]] std::string HexEncode(std::string_view bytes);
/// The bytes of an even number of hex digits (either case); nullopt for anything else.
[[nodiscard]] std::optional<std::string> HexDecode(std::string_view hex);

/// Base64url without padding.
[[nodiscard]] std::string Base64UrlEncode(std::string_view bytes);
/// The bytes of unpadded base64url; nullopt for other characters or an impossible length.
[[nodiscard]] std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace saga::core
