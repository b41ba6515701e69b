import type { GrantGivenView } from '../../../../../electron/shared/channels/grants';

/** What the grant dialog is doing: adding a grant (the + button) or changing one. */
export type GrantDialogMode = { kind: 'add' } | { kind: 'change'; grant: GrantGivenView };
