import { useEffect } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import type { Model } from '../../../../shared/schemas/models';
import { linkSelection, type BenchForm } from './bench-form';

/** A link with ?model=<id> picks that model and its variants once, then leaves the URL clean. */
export function usePresetModel(
  models: readonly Model[] | undefined,
  setForm: (update: (form: BenchForm) => BenchForm) => void,
): void {
  const [searchParams] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const presetModel = searchParams.get('model');
  useEffect(() => {
    if (presetModel === null || !models) return;
    const family = linkSelection(models, presetModel);
    if (family.length > 0) setForm((f) => ({ ...f, modelIds: family }));
    void navigate({ pathname: location.pathname, search: '' }, { replace: true });
  }, [presetModel, models, setForm, navigate, location.pathname]);
}
