import type { Model } from '../../../../shared/schemas/models';

/** How a distillation student is given: a narrower copy of the teacher, the teacher itself, or a library model. */
export type StudentKind = 'width' | 'self' | 'model';

/** 'width:0.5' → width, 'self' → self, 'model:<id>' → model (the config's own spelling is the form's state). */
export function studentKind(student: string): StudentKind {
  if (student === 'self') return 'self';
  return student.startsWith('model:') ? 'model' : 'width';
}

/** The config's value when the user switches to a kind: half the channels, or no model picked yet. */
export function firstStudent(kind: StudentKind): string {
  if (kind === 'self') return 'self';
  return kind === 'width' ? 'width:0.5' : 'model:';
}

/**
 * The width field's value in percent (one decimal), or '' when the typed width is not a number: the field then
 * stays empty and the form's check says what to fix. Another kind shows the 50 % it would start from.
 */
export function studentWidth(student: string): number | '' {
  const width = studentKind(student) === 'width' ? Number(student.slice('width:'.length)) : 0.5;
  return Number.isFinite(width) ? Math.round(width * 1000) / 10 : '';
}

/** Library models that can be the student: any but the teacher, named with their method. */
export function studentCandidates(
  models: readonly Model[],
  teacherId: string | null,
): Array<{ value: string; label: string }> {
  return models
    .filter((m) => m.id !== teacherId)
    .map((m) => ({ value: m.id, label: m.method ? `${m.name} · ${m.method}` : m.name }));
}
