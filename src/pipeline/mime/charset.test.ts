import { describe, expect, it } from 'vitest'
import { decodeText, decodeUtf7, encodingForCodePage, repairC1Controls, resolveCharsetLabel } from './charset.ts'

// GBK and Big5 bytes for the samples, written out so the test needs no encoder.
const GBK_BYTES: Record<string, number[]> = {
  你: [0xc4, 0xe3], 好: [0xba, 0xc3], '，': [0xa3, 0xac], 退: [0xcd, 0xcb], 款: [0xbf, 0xee], 了: [0xc1, 0xcb], 吗: [0xc2, 0xf0],
}
const gbk = (text: string) => Uint8Array.from([...text].flatMap((c) => GBK_BYTES[c] ?? [c.charCodeAt(0)]))
const big5 = Uint8Array.from([0xa7, 0x41, 0xa6, 0x6e, 0xa1, 0x41, 0xb0, 0x68, 0xb4, 0xda]) // 你好，退款

describe('resolveCharsetLabel', () => {
  it.each([
    ['x-gbk', 'gb18030'], ['cp936', 'gb18030'], ['MS936', 'gb18030'], ['gb_2312-80', 'gb18030'], ['x-euc-cn', 'gb18030'],
    ['euc-cn', 'gb18030'], ['"GB2312"', 'gb18030'], ['big5-hkscs', 'big5'], ['x-x-big5', 'big5'], ['cn-big5', 'big5'],
    ['ks_c_5601-1987', 'euc-kr'], ['x-sjis', 'shift_jis'], ['shift-jis', 'shift_jis'], ['ms_kanji', 'shift_jis'],
    ['iso-2022-jp-2', 'iso-2022-jp'], ['ISO-2022-JP-3', 'iso-2022-jp'], ['utf8', 'utf-8'], ['unicode-1-1-utf-7', 'utf-7'],
    ['x-unknown', 'sniff'], ['unknown-8bit', 'sniff'], ['us-ascii', 'sniff'], ['', 'sniff'], ['iso_8859-2', 'iso-8859-2'],
    ['cp1251', 'windows-1251'], ['x-mac-cyrillic', 'x-mac-cyrillic'], ['DEFAULT_CHARSET', undefined], ['cp437', undefined],
    ['iso-2022-kr', undefined],
  ])('maps %s to %s', (label, encoding) => {
    expect(resolveCharsetLabel(label)).toBe(encoding)
  })
})

describe('decodeText', () => {
  it('decodes a known label without a warning', () => {
    expect(decodeText(gbk('你好，退款了吗'), 'x-gbk')).toEqual({ text: '你好，退款了吗', charset: 'gb18030' })
  })

  it.each([
    ['x-unknown', 'charset "x-unknown" with 8-bit bytes; decoded as gb18030'],
    ['us-ascii', 'charset "us-ascii" with 8-bit bytes; decoded as gb18030'],
    ['x-made-up', 'unknown charset "x-made-up"; decoded as gb18030'],
    ['utf-8', 'declared "utf-8" did not decode; decoded as gb18030'],
    ['iso-8859-1', 'declared "iso-8859-1"; decoded as gb18030'],
  ])('sniffs GBK text labelled %s, and says so', (label, reason) => {
    expect(decodeText(gbk('你好，退款了吗'), label)).toEqual({ text: '你好，退款了吗', charset: 'gb18030', fallbackReason: reason })
  })

  it('tells Big5 from GBK by which reading is ordinary text', () => {
    expect(decodeText(big5, 'unknown-8bit')).toMatchObject({ text: '你好，退款', charset: 'big5' })
  })

  it('keeps Latin-1 text declared ISO-8859-1, curly quotes included', () => {
    const bytes = Uint8Array.from(Buffer.from('Gr\u00fc\u00dfe aus M\u00fcnchen \u0093quoted\u0094 caf\u00e9', 'latin1'))
    expect(decodeText(bytes, 'iso-8859-1')).toEqual({ text: 'Grüße aus München \u201cquoted\u201d café', charset: 'windows-1252' })
  })

  it('reads lone Latin-1 bytes under an unknown label as windows-1252, not as GBK pairs', () => {
    const bytes = Uint8Array.from(Buffer.from('Le dernier sondage avant les \u00e9lections, DataPower\u0092s', 'latin1'))
    expect(decodeText(bytes, 'x-unknown').text).toBe('Le dernier sondage avant les élections, DataPower\u2019s')
  })

  it('recognizes UTF-8 under a Latin label', () => {
    expect(decodeText(Uint8Array.from(Buffer.from('付款 café')), 'iso-8859-1')).toEqual({
      text: '付款 café',
      charset: 'utf-8',
      fallbackReason: 'declared "iso-8859-1" but the bytes are UTF-8',
    })
  })

  it('treats a missing label on UTF-8 as ordinary (RFC 6532), not as a fallback', () => {
    expect(decodeText(Uint8Array.from(Buffer.from('你好')), undefined)).toEqual({ text: '你好', charset: 'utf-8' })
  })

  it('keeps a declared Korean label when only a few bytes are bad', () => {
    const bytes = Uint8Array.from([...Buffer.from('\xbe\xc8\xb3\xe7\xc7\xcf\xbc\xbc\xbf\xe4 ', 'latin1'), 0xff])
    expect(decodeText(bytes, 'ks_c_5601-1987')).toEqual({ text: '안녕하세요 \uFFFD', charset: 'euc-kr' })
  })

  it('decodes UTF-7', () => {
    expect(decodeUtf7(Uint8Array.from(Buffer.from('Hi Mom -+Jjo--! A+ImIDkQ. 1 +- 1')))).toBe('Hi Mom -☺-! A≢Α. 1 + 1')
  })

  it('maps TNEF code pages to encodings', () => {
    expect([936, 950, 932, 949, 1252, 65001].map(encodingForCodePage)).toEqual(['gb18030', 'big5', 'shift_jis', 'euc-kr', 'windows-1252', 'utf-8'])
  })

  it('repairs C1 controls left by a Latin-1 reading of windows-1252', () => {
    expect(repairC1Controls('It\u0092s \u0080 5')).toBe('It’s € 5')
  })
})
