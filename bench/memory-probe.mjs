// Loaded into the host with `node --expose-gc --import ./bench/memory-probe.mjs out/main/host.js`
// by bench/memory.ts: answers each IPC message with the process's memory after a full GC.
process.on('message', (message) => {
  if (message !== 'memory') return;
  globalThis.gc?.();
  process.send?.(process.memoryUsage());
});
