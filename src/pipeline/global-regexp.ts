const globalCopies = new WeakMap<RegExp, RegExp>()

/**
 * `pattern` with the g flag, its lastIndex at 0, for an exec() loop over one text: the pattern itself when it has
 * the flag, else a global copy compiled once per pattern (not once per message). The loop must finish before the
 * same pattern is looped over again (no await inside, no nested use).
 */
export function globalRegExp(pattern: RegExp): RegExp {
  let global = pattern.global ? pattern : globalCopies.get(pattern)
  if (!global) {
    global = new RegExp(pattern.source, `${pattern.flags}g`)
    globalCopies.set(pattern, global)
  }
  global.lastIndex = 0
  return global
}
