// Runs one TypeScript bench on Node 20 (no type stripping there) through jiti, which is also
// what lets the benches import electron/ sources directly instead of a second build. Playwright
// loads natively: jiti's transform breaks its bundled loader.
import { createJiti } from 'jiti';

const jiti = createJiti(import.meta.url, { nativeModules: ['@playwright/test', 'playwright', 'playwright-core'] });
await jiti.import(new URL(process.argv[2], `file://${process.cwd()}/`).href);
