/**
 * The `phone-handoff` namespace (docs/rules.md §8.9): a phone fetches its iPhone / iPad profile,
 * with a client password in it, once, from a link shown as a QR. Only an organisation server
 * offers it (a desktop's own store has no address a phone can reach).
 */
import * as v from 'valibot';
import { channels, Empty } from '../channel';

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(64));

export const phoneHandoffChannels = channels({
  /** Checks the client password, keeps the profile behind a new link (ending the one before) and returns it. */
  'phone-handoff:create': {
    session: 'full',
    request: v.strictObject({ id: Id, password: v.pipe(v.string(), v.maxLength(128)) }),
    response: v.strictObject({
      /** Works once, until `expiresAt`: as much a secret as the password while it lasts. */
      url: v.string(),
      /** The link as a QR code (SVG), for the phone's camera. */
      qrSvg: v.string(),
      expiresAt: v.number(),
    }),
    errors: ['not-signed-in', 'two-factor-required', 'not-found', 'password-mismatch', 'phone-handoff-unavailable'],
  },
  /** Ends this mailbox's link before its time (the QR was hidden): a phone can no longer fetch it. */
  'phone-handoff:cancel': {
    session: 'full',
    request: Empty,
    response: Empty,
    errors: ['not-signed-in', 'two-factor-required', 'phone-handoff-unavailable'],
  },
});
