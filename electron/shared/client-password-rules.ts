/**
 * The fixed vocabularies of client passwords (docs/rules.md §6, §8), apart from the channels so that
 * the core and the renderer can import them without loading the whole contract.
 */
export const mailProtocols = ['imap', 'smtp', 'pop3'] as const;
export type MailProtocol = (typeof mailProtocols)[number];

/** Where a generated password was put (docs/rules.md §8). */
export const applyTargets = ['keychain', 'foxmail', 'thunderbird', 'iphone-profile', 'android-card', 'manual'] as const;
export type ApplyTarget = (typeof applyTargets)[number];

export const clientPasswordExpiryDays = { min: 1, max: 365 } as const;
