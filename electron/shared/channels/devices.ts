/**
 * The `devices` namespace (docs/rules.md §7, 登录设备查询): the signed-in mailbox's trusted devices, and
 * its signed-in sessions (the live counterpart: where the mailbox is open right now).
 */
import * as v from 'valibot';
import { channels } from '../channel';

const NoFields = v.strictObject({});

const TrustedDeviceSchema = v.strictObject({
  id: v.string(),
  /** Operating system and host name: "Windows · LAB-PC-07". */
  label: v.string(),
  /** The app or browser and its version: "Chrome 131". */
  client: v.string(),
  createdAt: v.number(),
  lastUsedAt: v.number(),
  /** Created + the policy's days; never moved by use. */
  expiresAt: v.number(),
  /** The device and client this request came from. */
  current: v.boolean(),
});
export type TrustedDevice = v.InferOutput<typeof TrustedDeviceSchema>;

const SignedInSessionSchema = v.strictObject({
  id: v.string(),
  /** Operating system and host name: "Windows · LAB-PC-07". */
  label: v.string(),
  /** The app or browser and its version. */
  client: v.string(),
  /** The network address the sign-in came from, where the server saw one. */
  address: v.optional(v.string()),
  signedInAt: v.number(),
  /** The session this request came from. */
  current: v.boolean(),
});
export type SignedInSession = v.InferOutput<typeof SignedInSessionSchema>;

const sessionErrors = ['not-signed-in', 'two-factor-required'] as const;

export const devicesChannels = channels({
  'devices:list': { session: 'full', request: NoFields, response: v.strictObject({ devices: v.array(TrustedDeviceSchema) }), errors: [...sessionErrors] },
  'devices:remove': {
    session: 'full',
    request: v.strictObject({ id: v.pipe(v.string(), v.minLength(1), v.maxLength(64)) }),
    response: v.strictObject({ current: v.boolean() }),
    errors: [...sessionErrors, 'device-not-found'],
  },
  'devices:remove-all': { session: 'full', request: NoFields, response: v.strictObject({ removed: v.number() }), errors: [...sessionErrors] },
  'devices:sessions': {
    session: 'full',
    request: NoFields,
    response: v.strictObject({ sessions: v.array(SignedInSessionSchema) }),
    errors: [...sessionErrors],
  },
  /** Signs one session out; `current` when it was this one (the app then shows the sign-in screen). */
  'devices:sign-out-session': {
    session: 'full',
    request: v.strictObject({ id: v.pipe(v.string(), v.minLength(1), v.maxLength(64)) }),
    response: v.strictObject({ current: v.boolean() }),
    errors: [...sessionErrors, 'not-found'],
  },
  /** Signs out every session of the mailbox but this one. */
  'devices:sign-out-others': { session: 'full', request: NoFields, response: v.strictObject({ ended: v.number() }), errors: [...sessionErrors] },
});
