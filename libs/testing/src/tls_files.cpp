#include "saga/testing/tls_files.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace saga::testing {
namespace {

struct Free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(BIO* p) const { BIO_free_all(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("MakeTlsFiles: ") + what + " failed");
}

Key NewKey() {
  Key key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "EVP_EC_gen");
  return key;
}

void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, Free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  Check(ext != nullptr && X509_add_ext(cert, ext.get(), -1) == 1, "adding a certificate extension");
}

// A v3 certificate for `key` named `common_name`, signed by `issuer_key` (self-signed when
// `issuer` is null).
Cert NewCert(EVP_PKEY* key, const std::string& common_name, X509* issuer, EVP_PKEY* issuer_key, long serial,
             bool ca, const std::string& alt_names) {
  Cert cert(X509_new());
  Check(cert != nullptr, "X509_new");
  Check(X509_set_version(cert.get(), 2) == 1, "X509_set_version");
  Check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial) == 1, "setting the serial");
  Check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr, "notBefore");
  Check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24L * 3600) != nullptr, "notAfter");
  X509_NAME* subject = X509_get_subject_name(cert.get());
  Check(
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) == 1,
      "setting the subject");
  Check(X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : subject) == 1,
        "setting the issuer");
  Check(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
  X509* signer = issuer != nullptr ? issuer : cert.get();
  AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
  AddExtension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  if (ca) {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    if (!alt_names.empty()) AddExtension(cert.get(), signer, NID_subject_alt_name, alt_names);
  }
  Check(X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

std::unique_ptr<BIO, Free> OpenForWrite(const std::filesystem::path& path) {
  std::unique_ptr<BIO, Free> bio(BIO_new_file(path.c_str(), "w"));
  Check(bio != nullptr, ("opening " + path.string()).c_str());
  return bio;
}

}  // namespace

TlsFiles MakeTlsFiles(const std::filesystem::path& dir, const std::string& name,
                      const std::vector<std::string>& dns_names,
                      const std::vector<std::string>& ip_addresses) {
  const auto ca_key = NewKey();
  const auto ca = NewCert(ca_key.get(), name + " test CA", nullptr, nullptr, 1, true, "");
  std::string alt_names;
  for (const auto& dns : dns_names) alt_names += (alt_names.empty() ? "DNS:" : ",DNS:") + dns;
  for (const auto& ip : ip_addresses) alt_names += (alt_names.empty() ? "IP:" : ",IP:") + ip;
  const auto key = NewKey();
  const auto cert = NewCert(key.get(), dns_names.empty() ? name : dns_names.front(), ca.get(), ca_key.get(),
                            2, false, alt_names);

  TlsFiles files{(dir / (name + "-ca.crt")).string(), (dir / (name + ".crt")).string(),
                 (dir / (name + ".key")).string()};
  Check(PEM_write_bio_X509(OpenForWrite(files.ca_file).get(), ca.get()) == 1, "writing the CA certificate");
  {
    auto chain = OpenForWrite(files.cert_file);
    Check(PEM_write_bio_X509(chain.get(), cert.get()) == 1 && PEM_write_bio_X509(chain.get(), ca.get()) == 1,
          "writing the certificate chain");
  }
  {
    auto out = OpenForWrite(files.key_file);
    std::filesystem::permissions(files.key_file,
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    Check(PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "writing the private key");
  }
  return files;
}

}  // namespace saga::testing
