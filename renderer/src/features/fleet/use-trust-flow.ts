import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AppError } from '../../../../shared/errors';
import { toAppError } from '../../../../shared/errors';
import type { HostKeyScan, TrustOutcome } from '../../../../shared/schemas/fleet';
import type { RunningJob } from '../../api/client';
import { useClient } from '../../api/client-context';
import { callKey } from '../../api/queries';
import type { OpKind } from './fleet-ops';
import { alreadyTrusted, parseFingerprints, trustRequest, waitingDevices, type ScanRow } from './trust-flow';

/** What the page asks for: trust these devices, then (optionally) run an operation on the trusted ones. */
export type TrustAsk = { ids: string[]; then: OpKind | null; title: string };

export type TrustPhase =
  | { step: 'scanning'; round: number; phase: string; percent: number | null }
  | { step: 'review'; round: number; rows: ScanRow[] }
  | { step: 'trusting'; round: number; rows: ScanRow[] }
  | { step: 'done'; outcomes: TrustOutcome[]; trusted: string[] }
  | { step: 'failed'; round: number; error: AppError; rows: ScanRow[] | null };

/** Devices behind jump hosts need a round per hop; more than this is a loop or a broken chain. */
const maxRounds = 4;

/**
 * The trust dialog's rounds: scan the keys, let the user choose, pin what they chose, and scan again for
 * devices behind jump hosts trusted just now. The choices themselves are data (`trust-flow.ts`).
 */
export function useTrustFlow(ask: TrustAsk, onContinue: (ids: string[], then: OpKind) => void) {
  const client = useClient();
  const queryClient = useQueryClient();
  const [phase, setPhase] = useState<TrustPhase>({
    step: 'scanning',
    round: 1,
    phase: 'starting',
    percent: null,
  });
  const [choices, setChoices] = useState<ReadonlyMap<string, boolean>>(new Map());
  const [expectedText, setExpectedText] = useState('');
  const job = useRef<RunningJob<HostKeyScan[]> | null>(null);
  // Bumped when the dialog goes away: answers of an earlier generation are dropped.
  const generation = useRef(0);
  // Across rounds: the latest trust outcome per device, and every device that ended up trusted.
  const outcomes = useRef(new Map<string, TrustOutcome>());
  const trusted = useRef(new Set<string>());

  const expected = useMemo(() => parseFingerprints(expectedText), [expectedText]);

  /** Starts a scan job; its answer moves the dialog to the review (callbacks only: never during render). */
  const scan = useCallback(
    (ids: string[], round: number): Promise<void> => {
      const mine = generation.current;
      const live = () => generation.current === mine;
      const running = client.runJob(
        'devices.scanHostKeys',
        { targets: ids },
        {
          label: `Reading host keys of ${ids.length === 1 ? '1 device' : `${ids.length} devices`}`,
          onProgress: (p) => {
            if (live()) setPhase({ step: 'scanning', round, phase: p.phase, percent: p.percent });
          },
        },
      );
      job.current = running;
      return running.promise.then(
        (rows) => {
          job.current = null;
          if (!live()) return;
          for (const id of alreadyTrusted(rows)) trusted.current.add(id);
          setChoices(new Map());
          setPhase({ step: 'review', round, rows });
        },
        (err: unknown) => {
          job.current = null;
          if (live()) setPhase({ step: 'failed', round, error: toAppError(err), rows: null });
        },
      );
    },
    [client],
  );

  useEffect(() => {
    generation.current += 1;
    void scan(ask.ids, 1);
    return () => {
      generation.current += 1;
      void job.current?.cancel().catch(() => undefined);
    };
  }, [ask, scan]);

  const finish = () => {
    const all = [...outcomes.current.values()];
    const ids = [...trusted.current];
    if (ask.then !== null && ids.length > 0 && all.every((o) => o.ok)) {
      onContinue(ids, ask.then);
      return;
    }
    setPhase({ step: 'done', outcomes: all, trusted: ids });
  };

  const confirm = async (round: number, rows: ScanRow[]) => {
    const request = trustRequest(rows, choices, expected);
    if (request === null) {
      finish();
      return;
    }
    setPhase({ step: 'trusting', round, rows });
    const mine = generation.current;
    try {
      const result = await client.call('devices.trust', request);
      for (const o of result) {
        outcomes.current.set(o.deviceId, o);
        if (o.ok) trusted.current.add(o.deviceId);
      }
      await queryClient.invalidateQueries({ queryKey: callKey('devices.list') });
      if (generation.current !== mine) return;
      // Devices behind a jump host trusted just now can show their own key: another round.
      const waiting = waitingDevices(rows);
      if (waiting.length > 0 && round < maxRounds) {
        setPhase({ step: 'scanning', round: round + 1, phase: 'starting', percent: null });
        await scan(waiting, round + 1);
        return;
      }
      finish();
    } catch (err) {
      if (generation.current === mine) setPhase({ step: 'failed', round, error: toAppError(err), rows });
    }
  };

  const choose = (key: string, value: boolean) => setChoices((c) => new Map(c).set(key, value));

  return { phase, choices, choose, expected, expectedText, setExpectedText, confirm };
}
