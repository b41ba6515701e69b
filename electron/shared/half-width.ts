/**
 * Full-width digits, plus, minus and space (what a Chinese keyboard types by default: "１３９",
 * "＋８６") as their ASCII forms, so a number or code typed that way is read as typed. Shared by
 * the core's checks and the renderer's inputs.
 */
export function toHalfWidth(text: string): string {
  return text.replace(/[\uFF10-\uFF19\uFF0B\uFF0D]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}
