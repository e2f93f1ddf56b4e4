#pragma once
// The one generator of random secret values. randomString draws from any generator (harden
// passes a seeded one, so `--seed` reproduces its output); randomSecret draws from the
// operating system (std::random_device is /dev/urandom on Linux).
#include <cstddef>
#include <random>
#include <string>
#include <string_view>

namespace shop {

inline constexpr std::string_view kAlphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

template <std::uniform_random_bit_generator Rng>
std::string randomString(size_t length, std::string_view alphabet, Rng& rng) {
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string out;
  out.reserve(length);
  for (size_t i = 0; i < length; ++i) out += alphabet[pick(rng)];
  return out;
}

inline std::string randomSecret(size_t length, std::string_view alphabet = kAlphanumeric) {
  std::random_device rd;
  return randomString(length, alphabet, rd);
}

}  // namespace shop
