// @ts-check
// The kit's policy pack: every OfflineAuthTenant of a stack, as FusionAuth will hold it (its tenant resource's
// inputs over its declaration), within the floors and invariants of its sensitivity level unless a waiver in the
// declaration covers the breach. Violations carry the codes and messages of `fakit validate`. Needs
// @pulumi/policy installed beside the package.
const { PolicyPack } = require("@pulumi/policy");
const { tenantViolations, TENANT_TYPE, TENANT_RESOURCE_TYPE } = require("../dist/src/pulumi/policy");

new PolicyPack("fusionauth-offline-kit", {
  policies: [
    {
      name: "offline-auth-floors",
      description: "FusionAuth tenants stay within their sensitivity level's floors and invariants, or name a waiver.",
      enforcementLevel: "mandatory",
      validateStack: (args, reportViolation) => {
        for (const component of args.resources.filter((r) => r.type === TENANT_TYPE)) {
          // Components declared in code carry their declaration; the kit's own program's are checked by fakit validate.
          if (component.props.declaration === undefined) continue;
          const tenant = args.resources.find((r) => r.type === TENANT_RESOURCE_TYPE && r.parent?.urn === component.urn);
          for (const message of tenantViolations({
            name: component.name,
            declaration: component.props.declaration,
            tenantShape: tenant?.props.shape,
          }))
            reportViolation(message, component.urn);
        }
      },
    },
  ],
});
