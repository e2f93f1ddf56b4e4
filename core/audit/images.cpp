// Images: tags that pin a version, and the pull policy.
// Each rule's check (the catalog rows) and its fix (Hardener methods) live here together.
#include "core/audit/hardener.hpp"

namespace shop::audit {

namespace {

const Rule kImageRules[] = {
    {.id = "image-untagged",
     .level = Level::High,
     .family = "images",
     .title = "Image has no tag",
     .rationale = "An image without a tag means :latest: every node pull can fetch a different version, a rollback "
         "rolls back nothing, and a new major release (mongo 6 for drivers written for 3.x) breaks the app "
         "on a random restart.",
     .fix = "Pin a version tag (better: a digest). `shopctl harden` pins known images; use --pin IMAGE=TAG for others.",
     .autoFix = true,
     .check = failEachContainer(true, [](const Inventory&, const Workload&, const ContainerRef& c, const Json& ctr) -> Verdict {
    ImageRef ref = parseImage(str(field(ctr, "image")));
    if (ref.tag.empty() && ref.digest.empty())
      return failed(c.path + ".image", cname(c) + " uses image \"" + str(field(ctr, "image")) + "\" without a tag");
    else
      return passed();
  })},
    {.id = "image-latest",
     .level = Level::High,
     .family = "images",
     .title = "Image uses the :latest tag",
     .rationale = "`latest` moves with every release; what runs depends on when each node pulled.",
     .fix = "Pin a version tag or a digest.",
     .autoFix = true,
     .check = failEachContainer(true, [](const Inventory&, const Workload&, const ContainerRef& c, const Json& ctr) -> Verdict {
    ImageRef ref = parseImage(str(field(ctr, "image")));
    if (ref.tag == "latest" && ref.digest.empty())
      return failed(c.path + ".image", cname(c) + " uses image \"" + str(field(ctr, "image")) + "\"");
    else
      return passed();
  })},
    {.id = "image-floating-tag",
     .level = Level::Medium,
     .family = "images",
     .title = "Image tag floats (no major.minor version)",
     .rationale = "Tags like `alpine`, `stable`, `lts` or a bare major `7` are re-pointed at every release, so they "
         "behave like `latest` with a different name.",
     .fix = "Use a tag with at least major.minor (e.g. redis:7.2.4-alpine) or a digest.",
     .autoFix = true,
     .check = failEachContainer(true, [](const Inventory&, const Workload&, const ContainerRef& c, const Json& ctr) -> Verdict {
    ImageRef ref = parseImage(str(field(ctr, "image")));
    if (!ref.digest.empty() || ref.tag.empty() || ref.tag == "latest" || tagIsVersioned(ref.tag))
      return passed();
    else
      return failed(c.path + ".image",
               cname(c) + " uses floating tag \"" + ref.tag + "\" (" + str(field(ctr, "image")) + ")");
  })},
    {.id = "image-pull-policy",
     .level = Level::Low,
     .family = "images",
     .title = "imagePullPolicy is not Always",
     .rationale = "With IfNotPresent a node reuses whatever it has cached under that tag, and a pod can start from a "
         "private image another tenant pulled, without presenting its own pull credentials. An image pinned by "
         "digest is exempt: the node can only run those exact bytes (on clusters shared by tenants, the "
         "AlwaysPullImages admission plugin is the place to check pull credentials).",
     .fix = "Set imagePullPolicy: Always (cheap with pinned tags: the registry answers with the cached digest), or pin "
         "the image by digest.",
     .autoFix = true,
     .check = failEachContainer(true, [](const Inventory&, const Workload&, const ContainerRef& c, const Json& ctr) -> Verdict {
    if (field(ctr, "imagePullPolicy") == "Always" || !parseImage(str(field(ctr, "image"))).digest.empty())
      return passed();
    else
      return failed(c.path, cname(c) + " has imagePullPolicy " +
                                     (field(ctr, "imagePullPolicy").is_null() ? std::string("unset")
                                                                              : str(field(ctr, "imagePullPolicy"))));
  })},
};

}  // namespace

std::vector<Rule> imageRules() { return {std::begin(kImageRules), std::end(kImageRules)}; }

namespace fix {

void Hardener::image(size_t i, Json& c, const std::string& who) {
  std::string img = str(field(c, "image"));
  ImageRef ref = parseImage(img);
  const char* rule = nullptr;
  if (imageFloats(ref)) rule = ref.tag.empty() ? "image-untagged" : ref.tag == "latest" ? "image-latest" : "image-floating-tag";
  if (rule && want(i, rule)) {
    std::string pin = pinFor(ref, opts_);
    if (pin.empty()) {
      warn(i, who + ": image " + img + " floats and harden knows no pin for it; pass --pin " + ref.name() + "=TAG");
    } else {
      ImageRef pinned = ref;
      if (pin.starts_with("sha256:")) {
        pinned.digest = pin;
      } else {
        pinned.tag = pin;
      }
      c["image"] = pinned.str();
      const ImageProfile* p = findProfile(ref);
      bool fromTable = !opts_.pins.count(ref.name()) && !opts_.pins.count(ref.repository) && p && p->pinTag == pin;
      change(rule, i, who + ": image " + img + " -> " + pinned.str() +
                          (fromTable ? " (" + p->pinReason + ")" : " (--pin)"));
    }
  }
  if (field(c, "imagePullPolicy") != "Always" && parseImage(str(field(c, "image"))).digest.empty() &&
      want(i, "image-pull-policy")) {
    if (field(c, "imagePullPolicy") == "Never") {
      // Never says the image is loaded onto the nodes beforehand (an air-gapped cluster, a
      // locally built image): with Always every pod would wait on a registry that is not there.
      warn(i, who + ": imagePullPolicy Never kept: the image is loaded onto the nodes beforehand, and with "
                    "Always no pod could start where no registry serves it; pin it by digest instead");
    } else {
      c["imagePullPolicy"] = "Always";
      change("image-pull-policy", i, who + ": imagePullPolicy Always");
    }
  }
}

}  // namespace fix

std::string pinFor(const ImageRef& image, const HardenOptions& options) {
  if (auto it = options.pins.find(image.name()); it != options.pins.end()) return it->second;
  if (auto it = options.pins.find(image.repository); it != options.pins.end()) return it->second;
  if (const auto* p = findProfile(image)) return p->pinTag;
  return "";
}

}  // namespace shop::audit
