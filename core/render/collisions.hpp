#pragma once
// Rendered-name collisions: two parts of one ShopApp that render objects of the same kind and
// name (a Service "cart-headless" beside a database "cart" whose headless Service has that
// name; an app "shop" with a service "shop-baseline"; a service volume "db-0" whose claim is
// named like the claim a database's StatefulSet makes, "data-db-0"). Applied as they are,
// such objects overwrite each other on every reconcile. Both shopctl validate and the
// operator refuse the app, naming both sources.
#include <string>
#include <vector>

#include "core/io/diag.hpp"
#include "core/io/json.hpp"
#include "core/model/shopapp.hpp"

namespace shop {

// One error per collision, at the field path of the later source's name
// ("spec.services[2].name", or "metadata.name" for the app itself), naming both sources.
// objects: what render(app) returned; PersistentVolumeClaims that StatefulSets will create
// from their volumeClaimTemplates are included.
Diagnostics renderedNameCollisions(const ShopApp& app, const std::vector<Json>& objects);
// Collisions, and ConfigMaps past Kubernetes' 1 MiB limit on their data (what a service's
// `files` render to): everything that would fail or fight in the cluster although each field
// is valid. The operator calls this with the objects it rendered.
Diagnostics checkRenderedObjects(const ShopApp& app, const std::vector<Json>& objects);
// The same, rendering the app first (parseShopApp does this for every valid app).
Diagnostics checkRenderedObjects(const ShopApp& app);

// Kubernetes' limit on the data of one ConfigMap.
inline constexpr size_t kMaxConfigMapBytes = size_t{1} << 20;

}  // namespace shop
