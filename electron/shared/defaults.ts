import type { UserSettings } from './contract';

/** Kept apart from the schemas so the renderer can import it without pulling valibot in. */
export const defaultUserSettings: UserSettings = { locale: 'system', theme: 'system' };
