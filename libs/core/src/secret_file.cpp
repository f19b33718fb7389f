#include "saga/core/secret_file.hpp"

#include <cctype>
#include <fstream>

#include "saga/core/errors.hpp"

namespace saga::core {

std::string ReadSecretFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(what + ": cannot read " + path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())) != 0) line.pop_back();
  if (line.empty()) throw ConfigError(what + ": " + path + " is empty");
  return line;
}

}  // namespace saga::core
