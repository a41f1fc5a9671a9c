/**
 * The messages of an mbox file (RFC 4155): each starts with a "From " separator line at the start of the file or
 * after an empty line. Lines that begin ">From " (after any further '>') had one '>' added when written (mboxrd);
 * it is removed. undefined when the bytes do not start with a separator: an ordinary .eml.
 */
export function splitMbox(data: Buffer): Buffer[] | undefined {
  if (!isSeparatorAt(data, 0)) return undefined
  const starts: number[] = [0]
  for (let at = data.indexOf('\nFrom ', 0); at !== -1; at = data.indexOf('\nFrom ', at + 1)) {
    // A separator follows an empty line: "\n\nFrom " or "\r\n\r\nFrom ".
    const blank = (at >= 1 && data[at - 1] === 0x0a) || (at >= 2 && data[at - 1] === 0x0d && data[at - 2] === 0x0a)
    if (blank && isSeparatorAt(data, at + 1)) starts.push(at + 1)
  }
  return starts.map((start, i) => {
    const end = starts[i + 1] ?? data.length
    const separatorEnd = data.indexOf(0x0a, start) + 1
    return unescapeFromLines(trimOneBlankLine(data.subarray(separatorEnd, end)))
  })
}

/**
 * "From sender asctime-date" (RFC 4155: "From alice@example.com Mon Nov 23 10:00:00 2026"): a sender, a time and a
 * year. A body line that only begins with "From " ("From here on, thanks.") is not a separator.
 */
function isSeparatorAt(data: Buffer, at: number): boolean {
  if (data.toString('latin1', at, at + 5) !== 'From ') return false
  const eol = data.indexOf(0x0a, at)
  const words = data.toString('latin1', at + 5, Math.min(eol === -1 ? data.length : eol, at + 1000)).trim().split(/\s+/)
  // Word by word, one pass: a single regular expression over the line backtracked quadratically on lines full of
  // times without a year (a crafted 25 MB file took 9.6 s).
  return words.length >= 3 && words.slice(1).some((w) => /^\d{1,2}:\d{2}(:\d{2})?$/.test(w)) && words.slice(1).some((w) => /^\d{4}$/.test(w))
}

/** The empty line that separates a message from the next separator belongs to neither. */
function trimOneBlankLine(message: Buffer): Buffer {
  if (message.length >= 2 && message[message.length - 1] === 0x0a && message[message.length - 2] === 0x0a) return message.subarray(0, -1)
  if (message.length >= 4 && message.subarray(-4).toString('latin1') === '\r\n\r\n') return message.subarray(0, -2)
  return message
}

function unescapeFromLines(message: Buffer): Buffer {
  if (message.indexOf('>From ') === -1) return message
  return Buffer.from(message.toString('latin1').replace(/^>(>*From )/gm, '$1'), 'latin1')
}
