// @ts-check
// The platform team's Pulumi program: its own resources (databases, clusters, ...) would be declared here too.
// FusionAuth's URL and API key are stack config, read by the kit's components and providers:
//   pulumi config set fusionauth-offline-kit:url https://auth.example.com
//   pulumi config set --secret fusionauth-offline-kit:apiKey <key>
const pulumi = require("@pulumi/pulumi");
const { declareTenants } = require("./tenants");

const config = new pulumi.Config("fusionauth-offline-kit");
module.exports = declareTenants(config.require("url"));
