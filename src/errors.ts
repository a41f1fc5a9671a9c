/** Stable error codes; each has a row in docs/errors.md. */
export type ErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'MESSAGE_TOO_LARGE'
  | 'NOT_AN_EMAIL'
  | 'RECIPIENT_NOT_ALLOWED'
  | 'CONFIG_INVALID'
  | 'STORAGE_UNAVAILABLE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'MAIL_BLOCKED'
  | 'SERVER_BUSY'

/** Base class of every error the domain throws on purpose; transports map `code` to their own replies. */
export class MaildeskError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = new.target.name
  }
}

export class InvalidInputError extends MaildeskError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super('INVALID_INPUT', message)
  }
}

export class NotFoundError extends MaildeskError {
  constructor(message: string) {
    super('NOT_FOUND', message)
  }
}

export class MessageTooLargeError extends MaildeskError {
  constructor(
    readonly limitBytes: number,
    message = `message exceeds the size limit of ${limitBytes} bytes`,
  ) {
    super('MESSAGE_TOO_LARGE', message)
  }
}

/** Input that does not look like an RFC 5322 message at all (empty, binary, no header block). */
export class NotAnEmailError extends MaildeskError {
  constructor(message: string) {
    super('NOT_AN_EMAIL', message)
  }
}

export class ConfigError extends MaildeskError {
  constructor(readonly problems: string[]) {
    super('CONFIG_INVALID', `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  }
}

/** Mail to this address hard-bounced; nothing more is sent to it until an agent clears the flag. */
export class MailBlockedError extends MaildeskError {
  constructor(message = 'mail to this customer is blocked after a hard bounce; check the address with the customer through another channel') {
    super('MAIL_BLOCKED', message)
  }
}
