/**
 * Covers the English messages with a count (messages/*\/en.json): one of a thing reads "1 device",
 * never "all 1 devices" (issue 10, fault 6). Chinese has no plural forms and needs none.
 */
import { describe, expect, it } from 'vitest';
import * as m from '../../renderer/src/lib/paraglide/messages.js';

type MessageFunction = (inputs: Record<string, unknown>, options: { locale: 'en' | 'zh-CN' }) => string;
const messages = m as unknown as Record<string, MessageFunction>;

/** Each counted message, the input that counts, and the other inputs it needs. */
const counted: [key: string, count: string, others: Record<string, unknown>][] = [
  ['act_mailbox_locked', 'minutes', {}],
  ['act_backup_codes_generated', 'count', {}],
  ['act_devices_removed_all', 'count', {}],
  ['auth_trust_hint_other', 'days', {}],
  ['cp_copy_hint', 'seconds', {}],
  ['cp_copied_note', 'seconds', {}],
  ['mc_test_running', 'seconds', {}],
  ['dev_confirm_all_body', 'count', {}],
  ['dev_removed_all', 'count', {}],
  ['mc_break_summary', 'total', { fixed: 1 }],
  ['ov_backup_left', 'count', {}],
  ['ov_checkup_count', 'count', {}],
  ['ov_check_unused_passwords', 'count', { names: 'Foxmail' }],
  ['ov_check_devices_expiring', 'count', { names: 'Office PC' }],
  ['act_sessions_ended_others', 'count', {}],
  ['ses_confirm_others_body', 'count', {}],
  ['ses_signed_out_others', 'count', {}],
  ['tf_backup_left', 'total', { left: 1 }],
];

describe('English messages with a count', () => {
  it.each(counted)('%s reads right for one and for several', (key, count, others) => {
    const message = messages[key];
    expect(message, key).toBeTypeOf('function');
    const one = message!({ ...others, [count]: 1 }, { locale: 'en' });
    const two = message!({ ...others, [count]: 2 }, { locale: 'en' });
    expect(one).not.toMatch(/\ball 1\b/);
    expect(one).not.toMatch(/\b1 (?:[a-z-]+ )?[a-z]+s\b/);
    expect(one).not.toMatch(/\bof 1 [a-z]+s\b/);
    expect(two).toMatch(/\b2 (?:[a-z-]+ )?[a-z]+s\b/);
  });

  it('leaves Chinese as it is for any count', () => {
    expect(messages.dev_removed_all!({ count: 1 }, { locale: 'zh-CN' })).toContain('1');
    expect(messages.dev_removed_all!({ count: 2 }, { locale: 'zh-CN' })).toContain('2');
  });
});
