/**
 * Lets the drill (plain Node with type stripping) load the Worker's envelope encryption, whose
 * relative imports carry no extension: a resolve hook retries such a specifier with `.ts`. The
 * drill thus seals and opens data with the same code production runs, not a copy. The module is
 * imported by URL so the scripts' type check does not pull the Worker tree into its Node
 * resolution; `Envelope` lists the functions the drill uses.
 */
import { registerHooks } from "node:module";

registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (err) {
      if (specifier.startsWith(".") && !/\.[cm]?[jt]s$/.test(specifier))
        return next(`${specifier}.ts`, context);
      throw err;
    }
  },
});

export interface Ring {
  readonly current: string;
}

interface Envelope {
  parseMasterKeys(secret: string): Ring;
  createDataKey(ring: Ring): Promise<{ wrapped: string; key: CryptoKey }>;
  unwrapDataKey(ring: Ring, wrapped: string): Promise<CryptoKey>;
  encryptField(key: CryptoKey, plaintext: string, aad: string): Promise<string>;
  decryptField(key: CryptoKey, ciphertext: string, aad: string): Promise<string>;
}

const url = new URL("../../workers/lib/crypto/envelope.ts", import.meta.url).href;
export const envelope: Envelope = await import(url);
