/** A JSON Web Key as an app hands it in (a pinned key, a fetched JWKS entry); members checked where used. */
export interface JWK {
  kty?: string;
  kid?: string;
  alg?: string;
  use?: string;
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
  d?: string;
}
