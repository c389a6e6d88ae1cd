#include "copy/explain.h"

#include "copy/signatures.h"
#include "core/reference.h"
#include "registry/registries_conf.h"
#include "transport/source_policy.h"
#include "transport/transport_name.h"

namespace schicht::copy {

Explanation explain_source(const trust::Policy& policy, const std::string& text,
                           const std::string& registries_d,
                           const registry::RegistryOptions& options, bool policy_only) {
  Explanation out;
  auto transport_ref = transport::parse_transport_name(text);
  if (transport_ref && transport_ref->is_local()) {
    out.subject = transport::policy_subject(*transport_ref);
    trust::NoSignatures none;
    out.decision = trust::evaluate(policy, out.subject, none);
    return out;
  }
  Reference reference =
      Reference::parse_docker_ref(text.starts_with("docker://") ? text.substr(9) : text);
  out.subject = transport::docker_subject(reference);
  auto lookaside = load_registries_d(registries_d);
  registry::RegistriesConf conf = registry::RegistriesConf::load();
  out.decision = evaluate_registry_image(policy, *lookaside, reference, conf, options);
  const trust::Decision& d = out.decision;
  bool rejected_outright = !d.accepted && d.requirement == "reject";
  if (!policy_only && !rejected_outright) {
    out.chain = registry_supply_chain(policy, out.subject, *lookaside, reference, conf, options);
  }
  return out;
}

}  // namespace schicht::copy
