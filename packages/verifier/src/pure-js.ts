/**
 * `@fusionauth-offline-kit/verifier/pure-js`: the crypto that needs no WebCrypto and no WebAssembly, for an
 * engine that has neither and a build that is not the package's React Native one (which wires it in itself).
 */
export { pureJsCrypto } from "./crypto/pure-js";
export { pureJsArgon2idKdf } from "./local-unlock";
