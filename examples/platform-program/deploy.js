// @ts-check
// The same tenants driven from a team's own tool through the Automation API (an inline program, no Pulumi.yaml
// needed): `node deploy.js preview|up <stack>`, with FUSIONAUTH_URL, FUSIONAUTH_API_KEY, PULUMI_BACKEND_URL and
// PULUMI_CONFIG_PASSPHRASE in the environment. CHECK_IN changes the field crews' check-in interval. Prints the
// outputs and the steps by operation as JSON.
const { runStack } = require("fusionauth-offline-kit-pulumi");
const { declareTenants } = require("./tenants");

async function main() {
  const [action, stackName] = process.argv.slice(2);
  if ((action !== "preview" && action !== "up") || stackName === undefined) {
    process.stderr.write("usage: node deploy.js preview|up <stack>\n");
    process.exit(2);
  }
  const url = process.env.FUSIONAUTH_URL;
  const apiKey = process.env.FUSIONAUTH_API_KEY;
  if (url === undefined || apiKey === undefined) {
    process.stderr.write("set FUSIONAUTH_URL and FUSIONAUTH_API_KEY\n");
    process.exit(2);
  }
  const checkIn = process.env.CHECK_IN;
  const result = await runStack({
    action,
    projectName: "platform-identity",
    stackName,
    program: async () => declareTenants(url, checkIn === undefined ? {} : { checkIn }),
    config: { "fusionauth-offline-kit:url": url },
    secrets: { "fusionauth-offline-kit:apiKey": apiKey },
  });
  process.stdout.write(`${JSON.stringify({ outputs: result.outputs, changes: result.changes })}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
