/**
 * Shared-mailbox rules (共享邮箱, docs/rules.md §9): the level-by-action table and the header rule, each
 * one function, here so that the backend enforces and the renderer previews the very same code
 * (and apart from the channels, so neither has to load the whole contract to get them).
 */

/** 只读 read-only, 代表发送 send on behalf, 代理发送 send as. */
export const grantLevels = ['read-only', 'send-on-behalf', 'send-as'] as const;
export type GrantLevel = (typeof grantLevels)[number];

/** `compose` covers forward, reply and new mail alike. */
export const grantActions = ['view', 'change-unread', 'delete', 'compose'] as const;
export type GrantAction = (typeof grantActions)[number];

/** docs/rules.md §9's matrix, row by row; nothing is allowed that is not listed. */
const allowed: Readonly<Record<GrantLevel, readonly GrantAction[]>> = {
  'read-only': ['view'],
  'send-on-behalf': ['view', 'compose'],
  'send-as': ['view', 'change-unread', 'delete', 'compose'],
};

export function may(level: GrantLevel, action: GrantAction): boolean {
  return allowed[level].includes(action);
}

export interface GrantHeaders {
  readonly from: string;
  /** Present when sent on behalf: recipients' clients show it as 代发 ("grantee on behalf of owner"). */
  readonly sender: string | null;
}

/**
 * The headers of a message sent through a grant, or null when the level cannot send.
 * Send on behalf names the grantee in `Sender:` so recipients can see who really wrote it;
 * send as reads exactly as if the owner had sent it.
 */
export function messageHeaders(level: GrantLevel, owner: string, grantee: string): GrantHeaders | null {
  if (!may(level, 'compose')) return null;
  return level === 'send-on-behalf' ? { from: owner, sender: grantee } : { from: owner, sender: null };
}

/**
 * The same day of the month `months` later (UTC), or that month's last day when it is shorter:
 * how far ahead a grant may end (docs/rules.md §9), checked by the backend and shown by the page.
 */
export function addMonths(time: number, months: number): number {
  const date = new Date(time);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date.getTime();
}
