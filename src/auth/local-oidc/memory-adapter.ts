// oidc-provider ships no types: referencing ours here makes them follow this import into every tsconfig.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./oidc-provider.d.ts" />
import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * oidc-provider storage for the local demo provider: in memory, expiring, one process. Enough for
 * demo sign-in (nothing survives a restart, by design); production uses a real identity provider.
 */
export function memoryAdapterFactory(): new (model: string) => Adapter {
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const sweep = () => {
    const now = Date.now();
    for (const [key, entry] of store) if (entry.expiresAt <= now) store.delete(key);
  };
  return class MemoryAdapter implements Adapter {
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (store.size > 10_000) sweep();
      store.set(this.key(id), { payload, expiresAt: Date.now() + (expiresIn || 3600) * 1000 });
      return Promise.resolve();
    }
    find(id: string): Promise<AdapterPayload | undefined> {
      const entry = store.get(this.key(id));
      return Promise.resolve(entry && entry.expiresAt > Date.now() ? entry.payload : undefined);
    }
    findByUserCode(): Promise<AdapterPayload | undefined> {
      return Promise.resolve(undefined);
    }
    findByUid(): Promise<AdapterPayload | undefined> {
      return Promise.resolve(undefined);
    }
    consume(id: string): Promise<void> {
      const entry = store.get(this.key(id));
      if (entry) entry.payload = { ...entry.payload, consumed: Math.floor(Date.now() / 1000) };
      return Promise.resolve();
    }
    destroy(id: string): Promise<void> {
      store.delete(this.key(id));
      return Promise.resolve();
    }
    revokeByGrantId(grantId: string): Promise<void> {
      for (const [key, entry] of store) if (entry.payload['grantId'] === grantId) store.delete(key);
      return Promise.resolve();
    }
  };
}
