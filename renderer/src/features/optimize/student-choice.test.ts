import { describe, expect, it } from 'vitest';
import { sampleModel } from '../../testing/sample-model';
import { firstStudent, studentCandidates, studentKind, studentWidth } from './student-choice';

describe('student choice', () => {
  it("reads the kind from the config's own spelling and starts each kind afresh", () => {
    expect(studentKind('width:0.25')).toBe('width');
    expect(studentKind('self')).toBe('self');
    expect(studentKind('model:m_2')).toBe('model');
    expect(studentKind('model:')).toBe('model');
    expect(['width', 'self', 'model'].map((k) => firstStudent(k as 'width'))).toEqual([
      'width:0.5',
      'self',
      'model:',
    ]);
  });

  it('shows the width in percent, and nothing for a width that is not a number', () => {
    expect(studentWidth('width:0.25')).toBe(25);
    expect(studentWidth('width:0.3333')).toBe(33.3);
    expect(studentWidth('width:abc')).toBe('');
    expect(studentWidth('self')).toBe(50);
  });

  it('offers every library model but the teacher, named with its method', () => {
    const models = [
      sampleModel({ id: 'm_1', name: 'teacher' }),
      sampleModel({ id: 'm_2', name: 'tiny', method: 'prune-channels' }),
    ];
    expect(studentCandidates(models, 'm_1')).toEqual([{ value: 'm_2', label: 'tiny · prune-channels' }]);
    expect(studentCandidates(models, null).map((c) => c.value)).toEqual(['m_1', 'm_2']);
  });
});
