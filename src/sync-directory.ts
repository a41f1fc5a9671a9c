import { open } from 'node:fs/promises'

/** Makes a rename in `dir` durable (POSIX: the directory entry is only on disk once the directory is fsynced). */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
