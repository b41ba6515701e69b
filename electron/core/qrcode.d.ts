/** Types for the two node-qrcode 1.5 modules qr-svg.ts loads (the package's own types cover only its entry point). */
declare module 'qrcode/lib/core/qrcode.js' {
  export interface QRCodeSymbol {
    readonly version: number;
  }
  export function create(text: string, options: { readonly errorCorrectionLevel: 'L' | 'M' | 'Q' | 'H' }): QRCodeSymbol;
}

declare module 'qrcode/lib/renderer/svg-tag.js' {
  import type { QRCodeSymbol } from 'qrcode/lib/core/qrcode.js';
  export function render(symbol: QRCodeSymbol, options: { readonly margin?: number }): string;
}
