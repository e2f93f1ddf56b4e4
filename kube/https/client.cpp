// kube::https over cpp-httplib and OpenSSL: the one file that includes them. Built twice, as the
// object library shop-https-linked (SHOP_HTTPS_LINKED) and as the plugin shop-https.so; see
// kube/https.hpp.
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <httplib.h>

#include <mutex>

#include "kube/https.hpp"
#include "kube/transport.hpp"  // the worded errors callers tell apart (header only)

namespace kube::https {
namespace {

// What went wrong, in words: cpp-httplib names its errors by enum ("SSLConnection", "Read"),
// which told an operator's reader nothing when an API server restarted.
std::string describe(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection: return kErrConnectionRefused;
    case httplib::Error::ConnectionTimeout: return kErrConnectionTimedOut;
    case httplib::Error::SSLConnection: return "TLS handshake failed (the server closed the connection)";
    case httplib::Error::Read: return "connection lost while reading the answer";
    case httplib::Error::Write: return "connection lost while sending the request";
    case httplib::Error::Canceled: return "request cancelled";
    case httplib::Error::SSLServerVerification:
      return "the server certificate is not signed by the kubeconfig's certificate-authority";
    case httplib::Error::SSLLoadingCerts: return "the kubeconfig's certificate-authority could not be loaded";
    default: return "transport error " + httplib::to_string(e);
  }
}

struct Bio {
  BIO* b;
  explicit Bio(const std::string& s) : b(BIO_new_mem_buf(s.data(), static_cast<int>(s.size()))) {}
  ~Bio() { BIO_free(b); }
  Bio(const Bio&) = delete;
  Bio& operator=(const Bio&) = delete;
};

httplib::Headers toHttplib(const Headers& in) {
  httplib::Headers out;
  for (const auto& [k, v] : in) out.emplace(k, v);
  return out;
}

class HttplibConnection final : public Connection {
 public:
  explicit HttplibConnection(const Endpoint& at) {
    if (!at.certPem.empty()) {
      Bio cb(at.certPem), kb(at.keyPem);
      X509* cert = PEM_read_bio_X509(cb.b, nullptr, nullptr, nullptr);
      EVP_PKEY* key = PEM_read_bio_PrivateKey(kb.b, nullptr, nullptr, nullptr);
      client_ = std::make_unique<httplib::SSLClient>(at.host, at.port, cert, key);
      if (cert) X509_free(cert);
      if (key) EVP_PKEY_free(key);
    } else {
      client_ = std::make_unique<httplib::SSLClient>(at.host, at.port);
    }
    // Only the given CA: with a CA path set, cpp-httplib does not add the system's bundle.
    client_->set_ca_cert_path(at.caPath);
    client_->enable_server_certificate_verification(true);
    client_->set_keep_alive(true);
    client_->set_tcp_nodelay(true);
  }

  void timeouts(std::chrono::milliseconds connect, std::chrono::milliseconds read,
                std::chrono::milliseconds write) override {
    client_->set_connection_timeout(connect);
    client_->set_read_timeout(read);
    client_->set_write_timeout(write);
  }
  void keepAlive(bool on) override { client_->set_keep_alive(on); }
  bool open() const override { return client_->is_socket_open(); }
  void stop() override { client_->stop(); }

  Reply send(const std::string& method, const std::string& path, const Headers& headers, const std::string& body,
             const std::string& contentType) override {
    const httplib::Headers h = toHttplib(headers);
    httplib::Result r{nullptr, httplib::Error::Unknown};
    if (method == "GET") r = client_->Get(path, h);
    else if (method == "DELETE") r = body.empty() ? client_->Delete(path, h) : client_->Delete(path, h, body, contentType);
    else if (method == "POST") r = client_->Post(path, h, body, contentType);
    else if (method == "PUT") r = client_->Put(path, h, body, contentType);
    else if (method == "PATCH") r = client_->Patch(path, h, body, contentType);
    Reply out;
    if (!r) {
      out.writeFailed = r.error() == httplib::Error::Write || r.error() == httplib::Error::Connection;
      out.error = describe(r.error());
      return out;
    }
    out.status = r->status;
    out.body = std::move(r->body);
    out.retryAfter = r->get_header_value("Retry-After");
    return out;
  }

  Reply stream(const std::string& path, const Headers& headers, const std::function<bool(int)>& onStatus,
               const std::function<bool(const char*, size_t)>& onData) override {
    Reply out;
    auto r = client_->Get(
        path, toHttplib(headers),
        [&](const httplib::Response& resp) {
          out.status = resp.status;
          return onStatus(resp.status);
        },
        [&](const char* data, size_t len) { return onData(data, len); });
    if (!r && out.status == 0) out.error = describe(r.error());
    return out;
  }

 private:
  std::unique_ptr<httplib::SSLClient> client_;
};

std::unique_ptr<Connection> connect(const Endpoint& at) { return std::make_unique<HttplibConnection>(at); }

int pemCertificates(const std::string& pem) {
  Bio bio(pem);
  if (!bio.b) return 0;
  int n = 0;
  while (X509* cert = PEM_read_bio_X509(bio.b, nullptr, nullptr, nullptr)) {
    X509_free(cert);
    ++n;
  }
  return n;
}

const Module theModule{kAbi, SHOPCTL_VERSION, &connect, &pemCertificates};

}  // namespace
}  // namespace kube::https

#ifdef SHOP_HTTPS_LINKED
extern "C" const kube::https::Module* shop_https_linked_module() { return &kube::https::theModule; }
#else
// The plugin's one exported symbol (it is built with hidden visibility).
extern "C" __attribute__((visibility("default"))) const kube::https::Module* shop_https_module() {
  return &kube::https::theModule;
}
#endif
