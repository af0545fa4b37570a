import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Device } from '../../../../shared/schemas/fleet';
import type { FormMode } from './device-form-dialog';
import { useFleetOps, type OpKind, type SecretNeed } from './fleet-ops';
import { afterOp, trustTitle, withUntrustedJumps } from './fleet-page-model';
import type { TagAsk } from './tag-dialog';
import type { TrustAsk } from './use-trust-flow';

type SecretAsk = { needs: SecretNeed[]; then: OpKind };

/**
 * The Fleet page's dialogs (which one is open, and for what) and the operation that may open them: a probe
 * that meets an unknown host key asks to trust it, one that meets a locked key asks for the secret.
 */
export function useFleetAsks(all: readonly Device[]) {
  const queryClient = useQueryClient();
  const [formMode, setFormMode] = useState<FormMode | null>(null);
  const [trustAsk, setTrustAsk] = useState<TrustAsk | null>(null);
  const [secretAsk, setSecretAsk] = useState<SecretAsk | null>(null);
  const [tagAsk, setTagAsk] = useState<TagAsk | null>(null);
  const [importOpen, setImportOpen] = useState(false);
  const [exportOpen, setExportOpen] = useState(false);
  const covered =
    formMode !== null ||
    trustAsk !== null ||
    secretAsk !== null ||
    tagAsk !== null ||
    importOpen ||
    exportOpen;

  const ops = useFleetOps();

  const askTrust = (ids: readonly string[], then: OpKind | null) => {
    const targets = withUntrustedJumps(ids, all);
    setTrustAsk({ ids: targets, then, title: trustTitle(targets, all) });
  };

  const runOp = async (kind: OpKind, ids: readonly string[], bulk = false) => {
    if (ids.length === 0) return;
    const next = afterOp(await ops.start(kind, ids, queryClient), bulk);
    if (next.ask === 'trust') askTrust(next.ids, next.then);
    else if (next.ask === 'secrets') setSecretAsk({ needs: next.needs, then: next.then });
  };

  return {
    ...ops,
    covered,
    askTrust,
    runOp,
    formMode,
    setFormMode,
    trustAsk,
    setTrustAsk,
    secretAsk,
    setSecretAsk,
    tagAsk,
    setTagAsk,
    importOpen,
    setImportOpen,
    exportOpen,
    setExportOpen,
  };
}

export type FleetAsks = ReturnType<typeof useFleetAsks>;
