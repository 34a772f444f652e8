/**
 * The device key for tests: a non-extractable WebCrypto HMAC key, as a browser would keep, from fixed bytes so a
 * state sealed in one test opens in another session of the same "device". A second device has other bytes.
 */
import { type DeviceKey, importDeviceKeyMaterial, webCryptoDeviceKey } from "../../packages/verifier/src";

/** The test device's key; `device` names another device. */
export async function testDeviceKey(device = 1): Promise<DeviceKey> {
  return webCryptoDeviceKey(await importDeviceKeyMaterial(new Uint8Array(32).fill(device)));
}
