/** The React Native build's fallback (swapped in for ./fallback.ts): the pure-JS backend. */
import type { CryptoBackend } from "./backend";
import { pureJsCrypto } from "./pure-js";

export const FALLBACK: CryptoBackend | undefined = pureJsCrypto;
