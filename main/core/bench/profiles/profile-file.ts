import { basename, extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { AppError } from '../../../../shared/errors';
import type { HardwareProfile } from '../../../../shared/schemas/bench';
import { hardwareProfileSchema } from '../../../../shared/schemas/bench';

/**
 * User hardware profiles from a JSON or YAML file: one profile, a list of them, or `{ profiles: [...] }`.
 * Every problem is reported with its field path, as "profiles.yaml: [0].peakGflopsFp32: expected a positive
 * number", and nothing is imported unless the whole file is valid.
 */

type ProfileFileIssue = { path: string; message: string };

/** `[0].clusters[1].clockGHz` from a zod path (with the file's own prefix, e.g. `profiles`). */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function issuesOf(error: z.ZodError, prefix: readonly PropertyKey[]): ProfileFileIssue[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return {
        path: formatIssuePath([...prefix, ...issue.path]),
        message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
      };
    }
    return { path: formatIssuePath([...prefix, ...issue.path]), message: issue.message };
  });
}

function invalid(file: string, issues: ProfileFileIssue[]): AppError {
  const lines = issues.map((i) => `${file}: ${i.path === '' ? '' : `${i.path}: `}${i.message}`);
  const shown = lines.slice(0, 20).join('\n');
  const more = lines.length > 20 ? `\n… and ${lines.length - 20} more` : '';
  return new AppError(
    'PROFILE_INVALID',
    `${shown}${more}\nFix these fields and import again (nothing was imported).`,
    { file, issues },
  );
}

function parseText(text: string, file: string): unknown {
  if (extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw invalid(file, [{ path: '', message: `not valid JSON (${(err as Error).message})` }]);
    }
  }
  try {
    return parseYaml(text) as unknown;
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    throw invalid(file, [
      { path: '', message: `not valid YAML${where} (${(err as Error).message.split('\n')[0]})` },
    ]);
  }
}

/**
 * Validates every profile of a file. `reservedIds` are ids a user profile may not take (built-ins and
 * "this-machine").
 */
export function parseProfileFile(
  text: string,
  filePath: string,
  reservedIds: ReadonlySet<string>,
): HardwareProfile[] {
  const file = basename(filePath);
  const doc = parseText(text, file);
  let items: unknown[];
  let prefix: (i: number) => PropertyKey[];
  if (Array.isArray(doc)) {
    items = doc;
    prefix = (i) => [i];
  } else if (doc !== null && typeof doc === 'object' && 'profiles' in doc) {
    const list = (doc as { profiles: unknown }).profiles;
    if (!Array.isArray(list))
      throw invalid(file, [{ path: 'profiles', message: 'expected a list of profiles' }]);
    items = list;
    prefix = (i) => ['profiles', i];
  } else if (doc !== null && typeof doc === 'object') {
    items = [doc];
    prefix = () => [];
  } else {
    throw invalid(file, [
      { path: '', message: 'expected a profile, a list of profiles, or { profiles: [...] }' },
    ]);
  }
  if (items.length === 0) throw invalid(file, [{ path: '', message: 'the file holds no profiles' }]);

  const issues: ProfileFileIssue[] = [];
  const profiles: HardwareProfile[] = [];
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const withOrigin =
      item !== null && typeof item === 'object' && !Array.isArray(item) ? { ...item, origin: 'user' } : item;
    const parsed = hardwareProfileSchema.safeParse(withOrigin);
    if (!parsed.success) {
      issues.push(...issuesOf(parsed.error, prefix(i)));
      return;
    }
    const p = parsed.data;
    const idPath = formatIssuePath([...prefix(i), 'id']);
    if (reservedIds.has(p.id)) {
      issues.push({ path: idPath, message: `"${p.id}" is a built-in profile id: choose another id` });
    } else if (seen.has(p.id)) {
      issues.push({
        path: idPath,
        message: `"${p.id}" is used twice in this file (also at item ${seen.get(p.id)})`,
      });
    }
    seen.set(p.id, i);
    profiles.push(p);
  });
  if (issues.length > 0) throw invalid(file, issues);
  return profiles;
}
