// @ts-check
// The team's FusionAuth tenants, declared in code exactly as a stack file of the kit declares them (a preset,
// overrides, waivers, applications). Shared by the Pulumi program (index.js) and the Automation API tool
// (deploy.js).
const { OfflineAuthTenant } = require("fusionauth-offline-kit-pulumi");

/**
 * @param {string} issuerBase where the issuers live, e.g. https://auth.example.com
 * @param {{ checkIn?: string }} [options] the field crews' check-in interval (a policy change to preview)
 */
function declareTenants(issuerBase, options = {}) {
  const crews = new OfflineAuthTenant("field-crews", {
    name: "Field Crews",
    issuer: `${issuerBase}/field-crews`,
    preset: "field",
    overrides: { offline: { checkIn: options.checkIn ?? "7d" } },
    applications: [{ key: "crew-app", name: "Crew App", redirectUris: ["com.example.crew:/oauth2/callback"] }],
  });
  return {
    issuer: crews.issuer,
    tenantId: crews.tenantId,
    signingKid: crews.signingKid,
    rotation: crews.rotation,
    revocationLag: crews.figures.apply((f) => f.revocationLag),
    discoveryUrl: crews.discoveryUrl,
    tokenUrl: crews.tokenUrl,
    jwksUrl: crews.jwksUrl,
    crewAppClientId: crews.applications.apply((apps) => apps["crew-app"]?.clientId),
  };
}

module.exports = { declareTenants };
