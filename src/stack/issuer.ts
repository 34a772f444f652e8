/**
 * A tenant's issuer. OpenID libraries discover a server from its issuer (`{issuer}/.well-known/openid-configuration`),
 * and FusionAuth serves a tenant's discovery document at `{url}/{tenantId}/.well-known/openid-configuration`
 * (since 1.46), so `{url}/{tenantId}` is the issuer they can start from: the one the kit derives when a stack
 * names none. This is the only place that derives it.
 * @see https://fusionauth.io/docs/lifecycle/authenticate-users/oauth/endpoints#openid-configuration
 */

/** The issuer the kit derives for a tenant of a FusionAuth at `url`. */
export function tenantIssuer(url: string, tenantId: string): string {
  return `${url.replace(/\/+$/, "")}/${tenantId}`;
}

/**
 * What an issuer libraries cannot discover from means, and what changing it does to devices: the warning's text.
 */
export function undiscoverableIssuerMessage(issuer: string, url: string, tenantId: string): string {
  return (
    `issuer ${issuer} cannot be discovered from: OpenID libraries fetch {issuer}/.well-known/openid-configuration, ` +
    `which FusionAuth serves under ${tenantIssuer(url, tenantId)}. To change it, remove \`issuer\` (the kit then ` +
    `derives ${tenantIssuer(url, tenantId)}) or set that value; but a changed issuer invalidates every token ` +
    `devices hold: apps that verify the old issuer reject tokens minted after the change, so ship apps that ` +
    `accept the new issuer first, and expect every device to sign in again`
  );
}

/** What `plan --live` says when the stack would change the issuer a deployed tenant has. */
export function issuerChangeMessage(tenantKey: string, deployed: string, desired: string): string {
  return (
    `tenant ${tenantKey}: the issuer changes from ${deployed} to ${desired} at the next \`up\`. Every token devices ` +
    `hold carries ${deployed}; tokens minted after the change carry ${desired}, which apps built with the old issuer ` +
    `refuse, so every device must sign in again with an app that accepts the new one. To keep the deployed issuer, ` +
    `set \`issuer: ${deployed}\` on the tenant`
  );
}
