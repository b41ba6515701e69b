/**
 * The main-password rules (registration, import, password change), apart from the channels so
 * that the core enforces them and the renderer states them from the same numbers.
 */
export const mainPasswordRules = { minLength: 10, maxLength: 128 } as const;
