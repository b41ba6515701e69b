import { memoryTrustSlot, type CallContext } from '../../electron/core/call';

export function testCall(overrides: Partial<CallContext> = {}): CallContext & { trust: ReturnType<typeof memoryTrustSlot> } {
  return {
    connection: 'test-connection',
    device: { label: 'Linux · test-host', client: 'Chrome 156' },
    trust: memoryTrustSlot(),
    ...overrides,
  } as CallContext & { trust: ReturnType<typeof memoryTrustSlot> };
}
