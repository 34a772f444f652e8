/**
 * The backend used when the engine has no WebCrypto. None in the default builds (browsers and Node have
 * WebCrypto, and the pure-JS code stays out of their bundles); the React Native build swaps this module for
 * ./fallback.native.ts.
 */
import type { CryptoBackend } from "./backend";

export const FALLBACK: CryptoBackend | undefined = undefined;
