/** Types for qrcode-svg 1.1 (it ships none): only the options and method the core uses. */
declare module 'qrcode-svg' {
  export interface QRCodeOptions {
    readonly content: string;
    readonly padding?: number;
    readonly width?: number;
    readonly height?: number;
    readonly color?: string;
    readonly background?: string;
    /** Error correction level. */
    readonly ecl?: 'L' | 'M' | 'Q' | 'H';
    /** One path for all modules instead of one rect each: a far smaller SVG. */
    readonly join?: boolean;
    readonly xmlDeclaration?: boolean;
    readonly container?: 'svg' | 'svg-viewbox' | 'g' | 'none';
  }

  export default class QRCode {
    constructor(options: QRCodeOptions);
    svg(): string;
  }
}
