import { describe, expect, it } from 'vitest'
import { checkUpload, cleanFilename } from './upload-policy.ts'

const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')
const jpeg = Buffer.from('ffd8ffe000104a464946', 'hex')
const pdf = Buffer.from('%PDF-1.7\n1 0 obj\n')
const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64)])
const zip = Buffer.from('504b0304140000000000', 'hex')

describe('checkUpload', () => {
  it.each([
    ['a PNG screenshot', 'screen.png', png, { ok: true, contentType: 'image/png' }],
    ['a JPEG photo named .png (type comes from the bytes)', 'photo.png', jpeg, { ok: true, contentType: 'image/jpeg' }],
    ['a PDF', 'statement.pdf', pdf, { ok: true, contentType: 'application/pdf' }],
    ['plain text', 'notes.txt', Buffer.from('transaction 123\n'), { ok: true, contentType: 'text/plain' }],
    ['a Windows program disguised as a PDF', 'invoice.pdf', exe, { ok: false, reason: 'dangerous' }],
    ['a ZIP archive', 'files.zip', zip, { ok: false, reason: 'dangerous' }],
    ['a batch file (text by its bytes, dangerous by its name)', 'run.bat', Buffer.from('@echo off\r\ndel *.*\r\n'), { ok: false, reason: 'dangerous' }],
    ['a batch file whose name ends in a dot (Windows drops it)', 'run.bat.', Buffer.from('@echo off\r\n'), { ok: false, reason: 'dangerous' }],
    ['a text file named as a web archive', 'page.mht', Buffer.from('From: x\r\n'), { ok: false, reason: 'dangerous' }],
    ['an HTML page', 'page.txt', Buffer.from('<!DOCTYPE html><html><script>x</script>'), { ok: false, reason: 'dangerous' }],
    ['a shell script with a shebang', 'readme.txt', Buffer.from('#!/bin/sh\nrm -rf /\n'), { ok: false, reason: 'dangerous' }],
    ['unknown binary', 'data.bin', Buffer.from([0, 1, 2, 3, 0, 0, 0xfe]), { ok: false, reason: 'type' }],
    ['an empty file', 'empty.png', Buffer.alloc(0), { ok: false, reason: 'empty' }],
  ])('%s', (_name, filename, bytes, expected) => {
    expect(checkUpload(filename, bytes)).toEqual(expected)
  })

  it('strips paths and control characters from names', () => {
    expect(cleanFilename('C:\\Users\\me\\shot\u0007.png')).toBe('shot.png')
    expect(cleanFilename('../../etc/passwd')).toBe('passwd')
    expect(cleanFilename('')).toBe('attachment')
  })
})
