import type { GraphProto, ModelProto, NodeProto, OperatorSetIdProto } from 'onnx-buf';
import { AppError } from '../../../shared/errors';
import { forEachGraph } from './tensor-walk';

/** Operator set domains ONNX Runtime implements (standard ONNX plus its own contrib domains). */
export const KNOWN_OPSET_DOMAINS: readonly string[] = [
  '',
  'ai.onnx',
  'ai.onnx.ml',
  'ai.onnx.training',
  'ai.onnx.preview.training',
  'com.microsoft',
  'com.microsoft.nchwc',
  'com.microsoft.experimental',
  'org.pytorch.aten',
  'com.ms.internal.nhwc',
];

/** '' and 'ai.onnx' name the same (default) domain. */
const canonicalDomain = (domain: string): string => (domain === 'ai.onnx' ? '' : domain);

/**
 * Structural checks done at import, before anything else trusts the model. Not a full ONNX checker
 * (types and per-operator rules are left to ONNX Runtime, which reports them when it loads the model).
 */
export function validateModel(model: ModelProto): void {
  if (model.irVersion <= 0n) {
    throw new AppError(
      'MODEL_INVALID',
      'The model has no ir_version: it is not a complete ONNX model. Export it again from your framework.',
    );
  }
  const graph = model.graph;
  if (!graph) {
    throw new AppError('MODEL_INVALID', 'The model has no graph: export it again from your framework.');
  }
  if (model.opsetImport.length === 0) {
    throw new AppError(
      'MODEL_INVALID',
      'The model declares no operator set (opset_import is empty), so its operators cannot be interpreted; ' +
        'the file may be truncated or come from a very old exporter. Copy it again, or export it again with an ' +
        'explicit opset (e.g. torch.onnx.export(…, opset_version=17)).',
    );
  }

  const functionDomains = new Set(model.functions.map((f) => f.domain));
  const known = new Set([...KNOWN_OPSET_DOMAINS, ...functionDomains]);
  checkImportedDomains(model.opsetImport, known, 'The model');
  for (const f of model.functions)
    checkImportedDomains(f.opsetImport, known, `Function '${f.name}' of the model`);

  const declared = new Set(model.opsetImport.map((o) => canonicalDomain(o.domain)));
  forEachGraph(graph, (g) => {
    checkNodeDomains(g.node, declared, `graph '${g.name || '(unnamed)'}'`);
    checkUniqueInitializers(g);
  });
  for (const f of model.functions) {
    const inFunction = new Set([...declared, ...f.opsetImport.map((o) => canonicalDomain(o.domain))]);
    checkNodeDomains(f.node, inFunction, `function '${f.name}'`);
  }
}

function checkImportedDomains(
  imports: readonly OperatorSetIdProto[],
  known: ReadonlySet<string>,
  who: string,
): void {
  for (const o of imports) {
    if (!known.has(o.domain)) {
      throw new AppError(
        'UNKNOWN_OPSET_DOMAIN',
        `${who} uses operator set domain '${o.domain}' (version ${o.version}), which ONNX Runtime does not ` +
          'provide: it needs custom operators EdgeFleet cannot run. Re-export the model using standard ONNX ' +
          'operators only (e.g. without custom ops, or with a converter option that decomposes them).',
        { domain: o.domain },
      );
    }
  }
}

function checkNodeDomains(nodes: readonly NodeProto[], declared: ReadonlySet<string>, where: string): void {
  for (const node of nodes) {
    if (!declared.has(canonicalDomain(node.domain))) {
      throw new AppError(
        'UNKNOWN_OPSET_DOMAIN',
        `Node '${node.name || node.opType}' (${node.opType}) in ${where} uses operator domain ` +
          `'${node.domain}', which the model does not import (opset_import): the model is inconsistent. ` +
          'Export it again, or add that domain to opset_import.',
        { domain: node.domain, node: node.name },
      );
    }
  }
}

function checkUniqueInitializers(g: GraphProto): void {
  const seen = new Set<string>();
  const names = [
    ...g.initializer.map((t) => t.name),
    ...g.sparseInitializer.map((s) => s.values?.name ?? ''),
  ];
  for (const name of names) {
    if (name === '') continue;
    if (seen.has(name)) {
      throw new AppError(
        'MODEL_INVALID',
        `Graph '${g.name || '(unnamed)'}' has two initializers named '${name}': a weight name must be unique. ` +
          'Export the model again (or rename one of them).',
        { initializer: name },
      );
    }
    seen.add(name);
  }
}
