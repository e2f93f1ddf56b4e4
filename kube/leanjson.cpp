#include "kube/leanjson.hpp"

#include <vector>

namespace kube {

namespace {

using shop::Json;

// nlohmann's SAX interface: values arrive depth first. Each open container keeps its members on
// one shared stack until it closes; then they move into a container reserved at their count.
class LeanBuilder {
 public:
  using string_t = Json::string_t;
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using binary_t = Json::binary_t;

  bool null() { return put(Json(nullptr)); }
  bool boolean(bool v) { return put(Json(v)); }
  bool number_integer(number_integer_t v) { return put(Json(v)); }
  bool number_unsigned(number_unsigned_t v) { return put(Json(v)); }
  bool number_float(number_float_t v, const string_t&) { return put(Json(v)); }
  bool string(string_t& v) { return put(Json(std::move(v))); }
  bool binary(binary_t& v) { return put(Json::binary(std::move(v))); }
  bool start_object(std::size_t) { return open(true); }
  bool start_array(std::size_t) { return open(false); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(string_t& k) {
    if (skipping_ > 0) return true;
    if (!frames_.empty() && frames_.back().metadata && k == "managedFields") {
      skipNext_ = true;
      return true;
    }
    key_ = std::move(k);
    return true;
  }
  template <class Exception>
  bool parse_error(std::size_t, const std::string&, const Exception&) {
    return false;
  }

  Json result() { return values_.size() == 1 ? std::move(values_.front()) : Json(Json::value_t::discarded); }

 private:
  struct Frame {
    bool object;
    bool metadata;     // an object under the key "metadata": its managedFields are skipped
    size_t first;      // its first member on values_
    string_t key;      // the key it sits under in its parent object
  };

  bool open(bool object) {
    if (skipping_ > 0 || skipNext_) {
      ++skipping_;
      skipNext_ = false;
      return true;
    }
    frames_.push_back({object, object && key_ == "metadata", values_.size(), std::move(key_)});
    key_.clear();
    return true;
  }

  bool put(Json v) {
    if (skipping_ > 0) return true;
    if (skipNext_) {
      skipNext_ = false;
      return true;
    }
    if (!frames_.empty() && frames_.back().object) keys_.push_back(std::move(key_));
    values_.push_back(std::move(v));
    return true;
  }

  bool close() {
    if (skipping_ > 0) {
      --skipping_;
      return true;
    }
    Frame f = std::move(frames_.back());
    frames_.pop_back();
    const size_t n = values_.size() - f.first;
    Json out;
    if (f.object) {
      out = Json::object();
      auto& members = static_cast<Json::object_t::Container&>(*out.get_ptr<Json::object_t*>());
      members.reserve(n);
      const size_t k0 = keys_.size() - n;
      for (size_t i = 0; i < n; ++i) {
        string_t& k = keys_[k0 + i];
        Json& v = values_[f.first + i];
        auto same = members.begin();
        while (same != members.end() && same->first != k) ++same;
        if (same != members.end()) same->second = std::move(v);
        else members.emplace_back(std::move(k), std::move(v));
      }
      keys_.resize(k0);
    } else {
      out = Json::array();
      auto& items = *out.get_ptr<Json::array_t*>();
      items.reserve(n);
      for (size_t i = 0; i < n; ++i) items.push_back(std::move(values_[f.first + i]));
    }
    values_.resize(f.first);
    key_ = std::move(f.key);
    return put(std::move(out));
  }

  std::vector<Frame> frames_;
  std::vector<Json> values_;
  std::vector<string_t> keys_;  // the keys of the members of open objects, beside their values
  string_t key_;                // the key of the value about to arrive
  size_t skipping_ = 0;         // depth inside a skipped value
  bool skipNext_ = false;       // the next value is skipped
};

}  // namespace

Json parseLean(std::string_view text) {
  LeanBuilder b;
  if (!Json::sax_parse(text, &b, nlohmann::detail::input_format_t::json, true)) return Json(Json::value_t::discarded);
  return b.result();
}

std::string packLean(const Json& obj) {
  std::string out;
  Json::to_msgpack(obj, out);
  out.shrink_to_fit();  // the writer grows by doubling: kept, that slack would be half the gain
  return out;
}

Json unpackLean(std::string_view packed) {
  LeanBuilder b;
  if (!Json::sax_parse(packed, &b, nlohmann::detail::input_format_t::msgpack, true)) return Json(Json::value_t::discarded);
  return b.result();
}

}  // namespace kube
