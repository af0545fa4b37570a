import { useEffect } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import { formFromLink } from './optimize-link';
import type { OptimizeForm } from './optimize-form';

/**
 * "Optimize…" on a model's page links here with ?model=<id> (and a variant's page adds its recipe as router
 * state): apply it once, then drop it from the URL so it does not override later choices.
 */
export function useOptimizeLink(setForm: (update: (form: OptimizeForm) => OptimizeForm) => void): void {
  const [searchParams] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const presetModel = searchParams.get('model');
  useEffect(() => {
    if (presetModel === null) return;
    setForm((f) => formFromLink(f, presetModel, location.state));
    void navigate({ pathname: location.pathname, search: '' }, { replace: true, state: null });
  }, [presetModel, location.state, location.pathname, setForm, navigate]);
}
