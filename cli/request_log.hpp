#pragma once
// shopctl -v N: the API requests of a cluster command on stderr, as kubectl logs them.
//   6, 7  one line per request: method, URL, status and duration
//         I1204 21:05:03.123456 shopctl] GET https://127.0.0.1:6443/apis/shopctl.io/v1alpha1 200 OK in 4 milliseconds
//   8     the request and response bodies too, cut after 1024 characters (9: 10240; 10 and up: whole)
// The data of a Secret (data, stringData) is never printed, at any level: its values are replaced
// with "<redacted>", and a body on a secrets URL that is not JSON is left out.
#include <string>
#include <vector>

#include "core/io/json.hpp"
#include "kube/transport.hpp"

namespace shop::cli {

// The body with the values of every Secret's data and stringData redacted: the body itself when it
// is a Secret (kind Secret, or any object when secretUrl), the items of a SecretList (or of any
// list when secretUrl) and the Secrets among a List's items.
Json redactSecrets(const Json& body, bool secretUrl);

// The log lines of one request at a level (none below 6). `time` is the klog-style prefix time
// ("1204 21:05:03.123456"), passed in so the lines can be tested.
std::vector<std::string> requestLogLines(const kube::Exchange& x, int level, const std::string& time);

// "1204 21:05:03.123456": now, local time, as klog writes it after the level letter.
std::string klogTime();

}  // namespace shop::cli
