/** The translated names and behaviour of each grant level and action (docs/rules.md §9). */
import type { GrantAction, GrantLevel } from '../../../../../electron/shared/grant-rules';
import { m } from '../../paraglide/messages.js';

export const levelLabels: Record<GrantLevel, () => string> = {
  'read-only': m.sm_level_read_only,
  'send-on-behalf': m.sm_level_send_on_behalf,
  'send-as': m.sm_level_send_as,
};

/** 代表 and 代理 differ by one character: the behaviour is always spelled out beside the name. */
export const levelDescriptions: Record<GrantLevel, () => string> = {
  'read-only': m.sm_level_read_only_desc,
  'send-on-behalf': m.sm_level_send_on_behalf_desc,
  'send-as': m.sm_level_send_as_desc,
};

export const actionLabels: Record<GrantAction, () => string> = {
  view: m.sm_action_view,
  'change-unread': m.sm_action_change_unread,
  delete: m.sm_action_delete,
  compose: m.sm_action_compose,
};
