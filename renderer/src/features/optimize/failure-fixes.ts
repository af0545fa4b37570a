import type { OptimizeForm } from './optimize-form';
import type { RunState } from './optimize-session';
import type { FixAction } from './run-outcome';

/** What a failure code lets the user do in one click: the failed run's form, fixed, run again. */
export function failureFixes(
  run: Extract<RunState, { status: 'failed' }>,
  rerun: (next: OptimizeForm) => void,
): FixAction[] {
  const failed = run.request.form;
  const fixes: FixAction[] = [];
  if (run.error.code === 'OPSET_TOO_OLD' && failed.method === 'int8-static') {
    fixes.push({
      label: 'Turn per-channel off and re-run',
      run: () =>
        rerun({
          ...failed,
          configs: {
            ...failed.configs,
            'int8-static': { ...failed.configs['int8-static'], perChannel: false },
          },
        }),
    });
  }
  if (run.error.code === 'NAME_TAKEN') {
    fixes.push({ label: 'Use the default name and re-run', run: () => rerun({ ...failed, name: '' }) });
  }
  return fixes;
}
