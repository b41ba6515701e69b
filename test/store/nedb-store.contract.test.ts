// Covers electron/store/nedb-store.ts against the store port's shared suite (store-contract.ts).
import { NedbStore } from '../../electron/store/nedb-store';
import { storeContract } from './store-contract';

storeContract('the embedded store (nedb, in memory)', () => NedbStore.open());
