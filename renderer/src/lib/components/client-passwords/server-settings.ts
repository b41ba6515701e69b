/**
 * The mail server a client password goes into (SPEC.md §1 defaults). The policy may name
 * another server in a later release; no channel tells the renderer yet, so these are shown.
 */
export const mailServer = {
  host: 'mail.cstnet.cn',
  imapPort: 993,
  smtpPort: 994,
  smtpAltPort: 465,
  pop3Port: 995,
} as const;
