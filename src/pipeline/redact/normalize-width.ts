/**
 * Chinese input methods often type full-width characters: "卡号：６２２２　０２１２…", "ＰＩＮ：１２３４". Each maps to
 * exactly one ASCII character, so recognizers scan the normalized copy and every offset stays valid for the
 * original text.
 */
const HAS_FULL_WIDTH = /[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff0d\u3000]/

const UTF16 = new TextDecoder('utf-16le')

/** Replaces full-width digits, letters, hyphen and the ideographic space with their ASCII forms (same length). */
export function normalizeWidth(text: string): string {
  if (!HAS_FULL_WIDTH.test(text)) return text
  // One pass into a code-unit buffer: a replace() callback per character would cost a call each on a
  // megabyte of full-width digits.
  const units = new Uint16Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if ((code >= 0xff10 && code <= 0xff19) || (code >= 0xff21 && code <= 0xff3a) || (code >= 0xff41 && code <= 0xff5a) || code === 0xff0d) {
      units[i] = code - 0xfee0
    } else if (code === 0x3000) {
      units[i] = 0x20
    } else {
      units[i] = code
    }
  }
  return UTF16.decode(units)
}
