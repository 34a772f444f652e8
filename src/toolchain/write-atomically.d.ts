/** Types of write-atomically.js, for the TypeScript that imports it (src/toolchain/validator-store.ts). */
export function writeAtomically(file: string, data: string | NodeJS.ArrayBufferView): void;
