import {
  Anchor,
  Badge,
  Code,
  CopyButton,
  DataList,
  Group,
  Text,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { Link } from 'react-router';
import { recipeSchema, type DataSpec, type Recipe } from '../../../../../shared/schemas/optimize';
import type { Model } from '../../../../../shared/schemas/models';
import { useCall } from '../../../api/queries';

/** The recipe of a variant, or null when the stored recipe is missing or from an unknown version. */
function readRecipe(model: Model): Recipe | null {
  const parsed = recipeSchema.safeParse(model.recipe);
  return parsed.success ? parsed.data : null;
}

function Hash({ sha256, testId }: { sha256: string; testId: string }) {
  return (
    <CopyButton value={sha256}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? 'Copied' : `Copy ${sha256}`}>
          <UnstyledButton onClick={copy} aria-label="Copy data SHA-256" data-testid={testId}>
            <Code>{sha256.slice(0, 16)}…</Code>
          </UnstyledButton>
        </Tooltip>
      )}
    </CopyButton>
  );
}

// The path is not shown inline: for uploads it is a staging folder that is gone after the run; the data's
// hash is what identifies it. It stays in the tooltip for data chosen on disk (desktop, CLI).
function describeSpec(spec: DataSpec): string {
  if (spec.kind === 'random') return `random (seed ${spec.seed})`;
  return spec.kind === 'images' ? 'images' : '.npy arrays';
}

function DataUsed({ used, testId }: { used: Recipe['calibration']; testId: string }) {
  if (!used)
    return (
      <Text size="sm" c="dimmed">
        none
      </Text>
    );
  return (
    <Group gap={6} data-testid={testId}>
      <Text size="sm" title={used.spec.kind === 'random' ? undefined : used.spec.path}>
        {describeSpec(used.spec)}, {used.samples} {used.samples === 1 ? 'sample' : 'samples'}
      </Text>
      <Hash sha256={used.sha256} testId={`${testId}-sha256`} />
    </Group>
  );
}

/** `exclude: Conv, Relu`, `perChannel: on`: a recipe's options as people read them. */
function configEntries(config: Record<string, unknown>): Array<[string, string]> {
  return Object.entries(config).map(([key, value]) => {
    if (typeof value === 'boolean') return [key, value ? 'on' : 'off'];
    if (Array.isArray(value)) return [key, value.length === 0 ? '—' : value.join(', ')];
    if (value === undefined || value === null) return [key, '—'];
    return [key, String(value)];
  });
}

/** Where a variant came from: parent, method, options, and the data it was calibrated and measured on. */
export function LineageCard({ model }: { model: Model }) {
  const recipe = readRecipe(model);
  const parent = useCall('models.get', { ref: model.parentId ?? '' }, { enabled: model.parentId !== null });
  return (
    <DataList size="sm" gap={6} labelWidth="110px" data-testid="lineage">
      <DataList.Item>
        <DataList.ItemLabel>Parent</DataList.ItemLabel>
        <DataList.ItemValue>
          {model.parentId && (
            <Anchor
              component={Link}
              to={`/models/${encodeURIComponent(model.parentId)}`}
              size="sm"
              data-testid="lineage-parent"
            >
              {parent.data?.name ?? (parent.error ? `${model.parentId} (removed)` : model.parentId)}
            </Anchor>
          )}
        </DataList.ItemValue>
      </DataList.Item>
      <DataList.Item>
        <DataList.ItemLabel>Method</DataList.ItemLabel>
        <DataList.ItemValue>
          <Badge size="sm" variant="light" tt="none" data-testid="lineage-method">
            {recipe?.method ?? model.method ?? 'unknown'}
          </Badge>
        </DataList.ItemValue>
      </DataList.Item>
      {recipe ? (
        <>
          <DataList.Item>
            <DataList.ItemLabel>Options</DataList.ItemLabel>
            <DataList.ItemValue data-testid="lineage-config">
              <Text size="sm" component="div">
                {configEntries(recipe.config).map(([key, value]) => (
                  <div key={key}>
                    <Text span size="sm" c="dimmed" ff="monospace">
                      {key}
                    </Text>{' '}
                    <Text span size="sm" ff="monospace" data-key={key}>
                      {value}
                    </Text>
                  </div>
                ))}
              </Text>
            </DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>Calibration</DataList.ItemLabel>
            <DataList.ItemValue>
              <DataUsed used={recipe.calibration} testId="lineage-calibration" />
            </DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>Evaluation</DataList.ItemLabel>
            <DataList.ItemValue>
              <DataUsed used={recipe.evaluation} testId="lineage-evaluation" />
            </DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>Made with</DataList.ItemLabel>
            <DataList.ItemValue>
              <Text size="sm">
                EdgeFleet {recipe.edgefleetVersion}, ONNX Runtime {recipe.onnxRuntimeVersion}
              </Text>
            </DataList.ItemValue>
          </DataList.Item>
        </>
      ) : (
        <DataList.Item>
          <DataList.ItemLabel>Recipe</DataList.ItemLabel>
          <DataList.ItemValue>
            <Text size="sm" c="dimmed">
              not recorded
            </Text>
          </DataList.ItemValue>
        </DataList.Item>
      )}
    </DataList>
  );
}
