#pragma once
// The engine table: what each database and broker engine is by default (version, image, port,
// data directory). Used by defaulting, the renderer and the docs.
#include "core/model/shopapp.hpp"

namespace shop {

struct EngineInfo {
  const char* name;
  const char* defaultVersion;
  const char* imageRepo;
  int port;
  const char* dataPath;
};
const EngineInfo& engineInfo(Engine e);

}  // namespace shop
