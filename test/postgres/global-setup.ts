/**
 * For `vitest.postgres.config.ts`: one PostgreSQL cluster for the whole run, its admin URL handed
 * to the tests, so the core's suites run against the organisation's store as well (each test
 * gets a fresh database from test/factories/core.ts).
 */
import type { TestProject } from 'vitest/node';
import { postgresSkipReason, startPostgres } from '../factories/postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const skip = postgresSkipReason();
  if (skip) throw new Error(`the core-on-PostgreSQL run needs PostgreSQL: ${skip}`);
  const server = await startPostgres();
  project.provide('pgAdminUrl', server.adminUrl);
  return () => server.stop();
}
