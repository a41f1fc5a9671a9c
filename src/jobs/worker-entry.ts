import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker, type WorkerOptions } from 'node:worker_threads'

/** Set by scripts/build.mjs (esbuild `define`) in the bundle that bin/maildesk runs; undeclared under tsx and vitest. */
declare const MAILDESK_BUNDLED: boolean | undefined

/**
 * Starts the worker thread whose entry is `src/…/NAME.worker.ts`: in the bundle, the precompiled
 * `dist/NAME.worker.js` beside dist/maildesk.js; from TypeScript sources (tsx, vitest), the .ts itself through
 * tsx's API. (`execArgv: ['--import', 'tsx']` does not work on Node 20: the thread's entry is resolved before
 * the loader hooks apply, "Unknown file extension .ts".)
 */
export function startWorker(sourceUrl: URL, options: WorkerOptions): Worker {
  if (typeof MAILDESK_BUNDLED !== 'undefined' && MAILDESK_BUNDLED) {
    const name = path.basename(fileURLToPath(sourceUrl), '.ts')
    return new Worker(new URL(`../../dist/${name}.js`, import.meta.url), options)
  }
  // tsx's ESM API (its "import" export; require.resolve would name the CommonJS one), found from here rather than
  // from the working directory, so it works wherever the process started.
  const tsxRoot = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'))
  const tsxApi = pathToFileURL(path.join(tsxRoot, 'dist/esm/api/index.mjs')).href
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(sourceUrl.href)}, ${JSON.stringify(import.meta.url)}))`
  return new Worker(bootstrap, { ...options, eval: true })
}
