#pragma once
// The one JSON type of the project. Objects keep their keys in insertion order, so objects the
// renderer builds print in the order a person expects (apiVersion, kind, metadata, spec) and
// every run prints the same bytes.
#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

namespace shop {

// nlohmann's ordered_map, except for how it grows. It is a vector of pair<const string, json>,
// and such a pair's move may throw (the const key is copied), so std::vector grows by COPYING
// every element: each time an object's key count passes a power of two, its whole subtree was
// deep-copied, then freed. Building one Deployment copied its pod template several times over;
// it was the largest single cost of `shopctl render` after malloc itself (bench/RESULTS.md).
// Here growth copies the keys (short strings) and moves the values (a pointer each). The only
// difference in behaviour: a bad_alloc in the middle of growing leaves that one object with
// values moved out, where std::vector's copy would have left it whole.
template <class Key, class T, class IgnoredLess = std::less<Key>,
          class Allocator = std::allocator<std::pair<const Key, T>>>
struct GrowByMoveMap : nlohmann::ordered_map<Key, T, IgnoredLess, Allocator> {
  using Base = nlohmann::ordered_map<Key, T, IgnoredLess, Allocator>;
  using Container = typename Base::Container;
  using typename Base::const_iterator;
  using typename Base::iterator;
  using typename Base::key_type;
  using typename Base::size_type;
  using typename Base::value_type;

  GrowByMoveMap() noexcept(noexcept(Base())) : Base{} {}
  explicit GrowByMoveMap(const Allocator& alloc) noexcept(noexcept(Base(alloc))) : Base{alloc} {}
  template <class It>
  GrowByMoveMap(It first, It last, const Allocator& alloc = Allocator()) : Base{alloc} {
    insert(first, last);
  }
  GrowByMoveMap(std::initializer_list<value_type> init, const Allocator& alloc = Allocator()) : Base{alloc} {
    insert(init.begin(), init.end());
  }

  // Every way nlohmann/json adds a key ends here.
  template <class K, class V>
  std::pair<iterator, bool> emplace(K&& key, V&& value) {
    for (auto it = this->begin(); it != this->end(); ++it)
      if (it->first == key) return {it, false};
    Container& self = *this;
    if (self.size() < self.capacity()) {
      self.emplace_back(std::forward<K>(key), std::forward<V>(value));
    } else {
      // Built before the old elements move: key or value may refer into this very object.
      value_type fresh(std::forward<K>(key), std::forward<V>(value));
      Container grown(self.get_allocator());
      grown.reserve(std::max<size_type>(4, 2 * self.size()));
      for (auto& kv : self) grown.emplace_back(kv.first, std::move(kv.second));
      grown.emplace_back(fresh.first, std::move(fresh.second));
      self.swap(grown);
    }
    return {std::prev(this->end()), true};
  }

  template <class K>
  T& operator[](K&& key) {
    return emplace(std::forward<K>(key), T{}).first->second;
  }
  template <class K>
  const T& operator[](const K& key) const {
    return this->at(key);
  }

  std::pair<iterator, bool> insert(value_type&& value) { return emplace(value.first, std::move(value.second)); }
  std::pair<iterator, bool> insert(const value_type& value) { return emplace(value.first, value.second); }
  template <class InputIt>
  void insert(InputIt first, InputIt last) {
    for (; first != last; ++first) insert(*first);
  }
};

using Json = nlohmann::basic_json<GrowByMoveMap>;

}  // namespace shop
