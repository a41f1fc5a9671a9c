/** Per-message attachment limits, from config. */
export interface AttachmentLimits {
  maxCount: number
  maxFileBytes: number
  maxTotalBytes: number
}

export type RefusalReason = 'too_many' | 'file_too_large' | 'total_too_large'

export interface RefusedAttachment {
  /** Position in the message, so the caller can skip storing it. */
  index: number
  filename: string
  sizeBytes: number
  reason: RefusalReason
}

export interface LimitDecision {
  acceptedIndexes: number[]
  refused: RefusedAttachment[]
}

/**
 * Applies the limits in message order: a file over the per-file limit is refused alone; after that,
 * files are kept while both the count and the running total stay within the limits, so one huge file
 * early in a message does not push out the screenshots after it.
 */
export function applyAttachmentLimits(files: ReadonlyArray<{ filename: string; sizeBytes: number }>, limits: AttachmentLimits): LimitDecision {
  const acceptedIndexes: number[] = []
  const refused: RefusedAttachment[] = []
  let total = 0
  files.forEach((file, index) => {
    const refuse = (reason: RefusalReason) => refused.push({ index, filename: file.filename, sizeBytes: file.sizeBytes, reason })
    if (file.sizeBytes > limits.maxFileBytes) return refuse('file_too_large')
    if (acceptedIndexes.length >= limits.maxCount) return refuse('too_many')
    if (total + file.sizeBytes > limits.maxTotalBytes) return refuse('total_too_large')
    total += file.sizeBytes
    acceptedIndexes.push(index)
  })
  return { acceptedIndexes, refused }
}
