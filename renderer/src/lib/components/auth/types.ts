import type { ResponseOf } from '../../../../../electron/shared/contract';

export type Directory = ResponseOf<'auth:directory'>;
export type DemoAccount = Directory['demoAccounts'][number];
