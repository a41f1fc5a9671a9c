import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { createFileOnce } from '../config.ts'
import { MaildeskError } from '../errors.ts'

export interface DkimKey {
  /** The signing domain (d=), our first official domain. */
  domainName: string
  keySelector: string
  privateKey: string
}

/** `<data-dir>/dkim/<selector>.private.pem`. */
export function dkimKeyPath(dataDir: string, selector: string): string {
  return path.join(dataDir, 'dkim', `${selector}.private.pem`)
}

/**
 * The DKIM private key of this selector, generated (RSA 2048, mode 0600) the first time so official mail is always
 * signed. Two processes starting at once both end up with the first key written.
 * @throws MaildeskError CONFIG_INVALID when the key file cannot be read or created.
 */
export function loadOrCreateDkimKey(dataDir: string, selector: string, domainName: string): DkimKey {
  const file = dkimKeyPath(dataDir, selector)
  try {
    createFileOnce(file, () =>
      generateKeyPairSync('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      }).privateKey,
    )
    return { domainName, keySelector: selector, privateKey: readFileSync(file, 'utf8') }
  } catch (err) {
    throw new MaildeskError('CONFIG_INVALID', `cannot read or create the DKIM key ${file}: ${(err as Error).message}`, { cause: err })
  }
}

/** The DNS TXT record that publishes the public half of a DKIM key. */
export function dkimDnsRecord(key: DkimKey): { name: string; value: string } {
  const der = createPublicKey(key.privateKey).export({ type: 'spki', format: 'der' })
  return { name: `${key.keySelector}._domainkey.${key.domainName}`, value: `v=DKIM1; k=rsa; p=${der.toString('base64')}` }
}
