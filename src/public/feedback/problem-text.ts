import type { PublicStrings } from '../public-strings.ts'
import type { FieldProblem } from './feedback.service.ts'

/** The sentence a visitor reads for one problem with what they submitted. */
export function problemText(t: PublicStrings, problem: FieldProblem, labels: Record<string, string>, maxFileMb: number): string {
  const label = labels[problem.field] ?? problem.field
  switch (problem.kind) {
    case 'required':
      return t.errors.required(label)
    case 'email':
      return t.errors.email
    case 'too_long':
      return t.errors.tooLong(label, problem.max)
    case 'too_many_files':
      return t.errors.tooManyFiles(problem.max)
    case 'file_too_large':
      return t.errors.fileTooLarge(problem.filename, maxFileMb)
    case 'file_dangerous':
      return t.errors.fileDangerous(problem.filename)
    case 'file_type':
      return t.errors.fileType(problem.filename)
    case 'file_empty':
      return t.errors.fileEmpty(problem.filename)
  }
}
