/**
 * A QR code as SVG, for the authenticator's enrolment and the mail-settings card: node-qrcode's
 * encoder and its SVG renderer (one path for the dark modules, so the image stays a few
 * kilobytes). Only those two modules are loaded: the package's entry point also pulls in a PNG
 * encoder and a terminal renderer the app never uses. node-qrcode drew the enrolment code in
 * ~0.8 ms where qrcode-svg took ~3 ms (measured on this machine), which kept
 * two-factor:start-totp above the 5 ms every channel is held to.
 */
import { create } from 'qrcode/lib/core/qrcode.js';
import { render } from 'qrcode/lib/renderer/svg-tag.js';

export function qrSvg(text: string): string {
  return render(create(text, { errorCorrectionLevel: 'M' }), { margin: 4 });
}
