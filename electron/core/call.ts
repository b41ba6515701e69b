/**
 * Who is asking, as the bridge that carried a request knows it. The renderer never supplies
 * any of this itself: the Electron shell and the browser-mode host fill it in.
 */

/** The trust token of this device and client, kept by the bridge where no page script can read it. */
export interface TrustTokenSlot {
  get(): Promise<string | undefined>;
  /** `undefined` forgets it (trust removed, or the token no longer matches anything). */
  set(token: string | undefined): Promise<void>;
}

export interface DeviceIdentity {
  /** The computer, as a person recognises it: operating system and host name. */
  readonly label: string;
  /** The client on it: the app and its version, or the browser and its version. */
  readonly client: string;
  /**
   * The network address the request came from, where there is one worth showing: the
   * organisation server's client (behind a proxy, the address the proxy saw). A desktop's own
   * loopback calls have none.
   */
  readonly address?: string;
}

/** How the security log names who acted: "Windows · LAB-PC-07 / Chrome 131 (203.0.113.7)". */
export function deviceName(device: DeviceIdentity): string {
  return `${device.label} / ${device.client}${device.address ? ` (${device.address})` : ''}`;
}

export interface CallContext {
  /** One renderer connection (an Electron window, a browser): sign-in sessions are per connection. */
  readonly connection: string;
  readonly device: DeviceIdentity;
  readonly trust: TrustTokenSlot;
}
