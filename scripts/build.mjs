// Bundles src/cli/main.ts into dist/maildesk.js (esbuild; npm packages stay external, source maps on).
//
// Why a bundle: bin/maildesk used to run the TypeScript through tsx, whose module hooks run in a second thread with
// its own V8 isolate and pass every module through esbuild at each start. That cost ~60 MB of resident memory in
// every process, for the whole life of the process (the 25 MB-attachment target is 200 MB peak RSS).
//
// Why rebuild on demand as well as in `npm install` (the `prepare` script): a developer who edits src/ and runs
// bin/maildesk, or a test that spawns it, must run the sources as they are now, never a stale bundle. So
// bin/maildesk calls ensureBuilt() first: it compares the size and mtime of every file the last bundle was built
// from (recorded in dist/build-manifest.json) with the files on disk, and bundles again (~0.3 s) when any differs
// or is gone. Checking costs ~200 stat calls, a few ms.
//
// Parallel test workers may find the bundle stale at the same moment: one builds while the others wait on
// dist/.build.lock, then find it current (two builds of different sources interleaving their renames could leave
// one's code under the other's manifest, or prune the other's chunks). A build writes into its own temporary
// directory and renames the finished files into dist/ (rename is atomic), the manifest last, so no process ever
// reads a half-written file.
//
// Why split: the CLI imports each command's module when that command runs (src/cli/main.ts), so esbuild puts each
// in its own chunk (dist/chunk-HASH.js) with the packages it imports; `maildesk redact` or `--help` no longer
// loads the server, the pipeline, mailauth, fastify… Chunks are named by their content, so builds of the same
// sources write the same files; a chunk neither the new build nor the one before it uses is deleted (a process that
// started from the previous bundle may still be about to import its chunk).
//
//   node scripts/build.mjs          build now
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const DIST = path.join(ROOT, 'dist')
const MANIFEST = path.join(DIST, 'build-manifest.json')
/**
 * Entry points: the CLI, and any worker_threads entry (any `name.worker.ts` under src/ → dist/name.worker.js). They
 * and their chunks all sit directly in dist/, which keeps one relative path from dist/ to each source file (see
 * keepSourceLocations).
 */
const ENTRY = { maildesk: 'src/cli/main.ts' }
/** Files that shape the bundle without being imported. */
const BUILD_INPUTS = ['scripts/build.mjs', 'tsconfig.json']

/** The bundled CLI module, for `import()`. */
export const BUNDLE_URL = pathToFileURL(path.join(DIST, 'maildesk.js')).href

function fingerprint(file) {
  const s = statSync(path.join(ROOT, file))
  return `${s.size}:${Math.trunc(s.mtimeMs)}`
}

function workerEntries() {
  const out = {}
  const walk = (dir) => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`
      if (entry.isDirectory()) walk(rel)
      else if (entry.name.endsWith('.worker.ts')) out[entry.name.slice(0, -'.ts'.length)] = rel
    }
  }
  walk('src')
  return out
}

/** Whether dist/ holds a bundle of the sources exactly as they are on disk now. */
export async function isBuildCurrent() {
  let manifest
  try {
    manifest = JSON.parse(await readFile(MANIFEST, 'utf8'))
  } catch {
    return false
  }
  const entries = { ...ENTRY, ...workerEntries() }
  if (JSON.stringify(manifest.entries) !== JSON.stringify(entries)) return false
  for (const [file, recorded] of Object.entries(manifest.inputs)) {
    try {
      if (fingerprint(file) !== recorded) return false
    } catch {
      return false
    }
  }
  return true
}

/** Bundles the sources into dist/ (temporary directory, then atomic renames). */
export async function build() {
  const { build: esbuild } = await import('esbuild')
  const entries = { ...ENTRY, ...workerEntries() }
  const tmp = path.join(DIST, `.tmp-${process.pid}-${Date.now()}`)
  await mkdir(tmp, { recursive: true })
  try {
    // Fingerprints are taken before esbuild reads the files: one edited during the build leaves the bundle stale,
    // so the next start builds again rather than trusting it.
    const before = new Map()
    const record = (file) => {
      if (!before.has(file)) before.set(file, fingerprint(file))
    }
    const result = await esbuild({
      absWorkingDir: ROOT,
      entryPoints: entries,
      outdir: tmp,
      bundle: true,
      platform: 'node',
      format: 'esm',
      splitting: true,
      chunkNames: 'chunk-[hash]',
      target: 'node20',
      packages: 'external',
      // Lets code tell the bundle from the TypeScript sources (src/jobs/worker-entry.ts picks dist/NAME.worker.js).
      define: { MAILDESK_BUNDLED: 'true' },
      sourcemap: true,
      metafile: true,
      logLevel: 'error',
      plugins: [keepSourceLocations(record)],
    })
    const inputs = {}
    for (const file of [...Object.keys(result.metafile.inputs), ...BUILD_INPUTS]) {
      record(file)
      inputs[file] = before.get(file)
    }
    const outputs = Object.keys(result.metafile.outputs).map((file) => path.relative(tmp, path.join(ROOT, file)))
    // Maps first, then chunks, then the entries, the manifest last: whoever sees a new file finds every file it names.
    const order = (file) => (file.endsWith('.map') ? 0 : file.startsWith('chunk-') ? 1 : 2)
    outputs.sort((a, b) => order(a) - order(b))
    for (const file of outputs) await rename(path.join(tmp, file), path.join(DIST, file))
    const previous = await readFile(MANIFEST, 'utf8').then((text) => JSON.parse(text).outputs ?? [], () => [])
    const manifestTmp = path.join(tmp, 'build-manifest.json')
    await writeFile(manifestTmp, `${JSON.stringify({ entries, inputs, outputs }, null, 1)}\n`)
    await rename(manifestTmp, MANIFEST)
    const keep = new Set([...outputs, ...previous])
    for (const file of await readdir(DIST)) {
      if (file.startsWith('chunk-') && !keep.has(file)) await rm(path.join(DIST, file), { force: true })
    }
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

/**
 * Sources find their assets relative to themselves (`new URL('../config/brand.json', import.meta.url)`); in the
 * bundle import.meta.url is dist/maildesk.js, so each source file's own URL is put back, relative to dist/.
 */
function keepSourceLocations(record) {
  return {
    name: 'keep-source-locations',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        const rel = path.relative(ROOT, args.path).split(path.sep).join('/')
        record(rel)
        let contents = await readFile(args.path, 'utf8')
        if (contents.includes('import.meta.url')) {
          const fromDist = path.relative(DIST, args.path).split(path.sep).join('/')
          contents = contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromDist)}, import.meta.url).href`)
        }
        return { contents, loader: 'ts' }
      })
    },
  }
}

const LOCK = path.join(DIST, '.build.lock')

/** Whether the process that wrote the lock file is gone (it crashed or was killed while building). */
async function lockIsStale() {
  const pid = Number(await readFile(LOCK, 'utf8').catch(() => ''))
  if (!Number.isInteger(pid) || pid <= 0) {
    // Being written this instant, or unreadable: stale only when it has been there for a while.
    const age = await stat(LOCK).then((s) => Date.now() - s.mtimeMs, () => 0)
    return age > 10_000
  }
  try {
    process.kill(pid, 0)
    return false
  } catch (err) {
    return err.code === 'ESRCH'
  }
}

/** Builds unless dist/ is current; one process at a time builds, the others wait for it and use its bundle. */
export async function ensureBuilt() {
  if (await isBuildCurrent()) return
  await mkdir(DIST, { recursive: true })
  for (;;) {
    try {
      await writeFile(LOCK, String(process.pid), { flag: 'wx' })
      break
    } catch (err) {
      if (err.code !== 'EEXIST') throw err
      if (await lockIsStale()) await rm(LOCK, { force: true })
      else await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  try {
    if (!(await isBuildCurrent())) await build()
  } finally {
    await rm(LOCK, { force: true })
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now()
  await build()
  const { size } = await stat(path.join(DIST, 'maildesk.js'))
  console.log(`dist/maildesk.js ${(size / 1024).toFixed(0)} KiB in ${Math.round(performance.now() - started)} ms`)
}
