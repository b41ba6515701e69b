import type { CallContext, TrustTokenSlot } from '../../electron/core/call';

/** A trust-token slot held in memory only. */
export function memoryTrustSlot(initial?: string): TrustTokenSlot & { current: string | undefined } {
  const slot = {
    current: initial,
    async get() {
      return slot.current;
    },
    async set(token: string | undefined) {
      slot.current = token;
    },
  };
  return slot;
}

export function testCall(overrides: Partial<CallContext> = {}): CallContext & { trust: ReturnType<typeof memoryTrustSlot> } {
  return {
    connection: 'test-connection',
    device: { label: 'Linux · test-host', client: 'Chrome 156' },
    trust: memoryTrustSlot(),
    ...overrides,
  } as CallContext & { trust: ReturnType<typeof memoryTrustSlot> };
}
