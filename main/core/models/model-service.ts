import { randomBytes } from 'node:crypto';
import { basename, dirname } from 'node:path';
import { AppError } from '../../../shared/errors';
import type { ImportResult, Model, RemoveResult } from '../../../shared/schemas/models';
import { modelNameSchema } from '../../../shared/schemas/models';
import type { ProgressReport } from '../jobs/job-manager';
import { throwIfCancelled } from '../jobs/job-manager';
import type { Logger } from '../logger';
import type { ModelProto } from 'onnx-buf';
import type { VariantReport } from '../../../shared/schemas/optimize';
import { declaredDimProblems, dimWarnings } from '../onnx/input-dims';
import { assertLoadsInOrt } from '../runtime/ort-load-check';
import { sha256Hex, type ModelStore } from '../store/model-store';
import type { ModelRepository } from './model-repository';
import { freeModelName, variantDefaultName } from './variant-name';

/** ONNX parsing (protobuf) loads with the first import or variant: listing, showing or deploying never needs it. */
const onnx = () => import('../onnx');

export type ImportOptions = {
  name?: string;
  /** The name the user knows the file by (an upload is staged under another path). */
  sourceFileName?: string;
  signal?: AbortSignal;
  onProgress?: (report: ProgressReport) => void;
};

const newId = () => `m_${randomBytes(6).toString('hex')}`;

/** The model library: validated, content-addressed ONNX files with their summaries. */
export class ModelService {
  constructor(
    private readonly repo: ModelRepository,
    private readonly store: ModelStore,
    private readonly logger: Logger,
  ) {}

  list(): Model[] {
    return this.repo.list();
  }

  /** A model by id, else by exact name. */
  get(ref: string): Model {
    const model = this.repo.byId(ref) ?? this.repo.byName(ref);
    if (!model) {
      throw new AppError(
        'NOT_FOUND',
        `No model with id or name "${ref}". List models with: edgefleet models list`,
      );
    }
    return model;
  }

  pathOf(model: Model): string {
    return this.store.pathFor(model.sha256);
  }

  /** Validate → hash → copy → row. Nothing reaches the store or the database unless every check passed. */
  async importFile(path: string, opts: ImportOptions = {}): Promise<ImportResult> {
    const progress = opts.onProgress ?? (() => undefined);
    const name = opts.name === undefined ? undefined : parseName(opts.name);

    progress({ phase: 'reading', percent: 5 });
    const { readModelFile, internalizeExternalData, encodeModel } = await onnx();
    const read = await readModelFile(path);
    throwIfCancelled(opts.signal);

    let model = read.model;
    let bytes = read.bytes;
    if (read.hasExternalData) {
      progress({ phase: 'loading external data', percent: 20 });
      model = await internalizeExternalData(model, dirname(path));
      bytes = encodeModel(model);
      throwIfCancelled(opts.signal);
    }
    const sourceFileName = opts.sourceFileName ?? basename(path);
    return this.admit(model, bytes, {
      name,
      defaultName: defaultName(sourceFileName),
      sourceFileName,
      lineage: { parentId: null, method: null, recipe: null, report: null },
      signal: opts.signal,
      progress,
    });
  }

  /** A model the optimizer made from `parent`: validated and stored like an import, with its lineage. */
  async addVariant(
    parent: Model,
    bytes: Uint8Array,
    lineage: { method: string; recipe: unknown; report: VariantReport },
    opts: { name?: string; signal?: AbortSignal } = {},
  ): Promise<ImportResult> {
    const name = opts.name === undefined ? undefined : parseName(opts.name);
    const { decodeModel } = await onnx();
    return this.admit(decodeModel(bytes), bytes, {
      name,
      defaultName: variantDefaultName(parent.name, lineage.method),
      // No file of its own came in: the stored copy is known by the variant's final name.
      sourceFileName: undefined,
      lineage: { parentId: parent.id, ...lineage },
      signal: opts.signal,
      progress: () => undefined,
    });
  }

  private async admit(
    model: ModelProto,
    bytes: Uint8Array,
    opts: {
      name: string | undefined;
      defaultName: string;
      /** The imported file's name; undefined for a variant (then `<its name>.onnx`). */
      sourceFileName: string | undefined;
      lineage: Pick<Model, 'parentId' | 'method' | 'recipe' | 'report'>;
      signal: AbortSignal | undefined;
      progress: (report: ProgressReport) => void;
    },
  ): Promise<ImportResult> {
    const { progress, signal, name } = opts;
    const { validateModel, summarizeModel } = await onnx();
    progress({ phase: 'validating', percent: 40 });
    validateModel(model);
    await assertLoadsInOrt(bytes, { signal });
    throwIfCancelled(signal);

    progress({ phase: 'summarizing', percent: 60 });
    const summary = summarizeModel(model);
    const warnings = dimWarnings(
      declaredDimProblems(summary.inputs.map((i) => ({ name: i.name, dims: i.shape }))),
    );
    const sha256 = sha256Hex(bytes);
    const existing = this.repo.bySha256(sha256);
    if (existing) {
      progress({ phase: 'done', percent: 100 });
      return { model: existing, existed: true, ...(warnings.length > 0 ? { warnings } : {}) };
    }
    if (name !== undefined && this.repo.nameExists(name)) {
      throw new AppError('NAME_TAKEN', `A model named "${name}" already exists. Choose another name.`);
    }
    throwIfCancelled(signal);

    progress({ phase: 'storing', percent: 80 });
    const stored = await this.store.put(bytes, sha256);
    try {
      throwIfCancelled(signal);
      const rowName = name ?? this.freeName(opts.defaultName);
      const row: Model = {
        id: newId(),
        name: rowName,
        sha256,
        sizeBytes: bytes.byteLength,
        sourceFileName: opts.sourceFileName ?? `${rowName}.onnx`,
        importedAt: new Date().toISOString(),
        ...opts.lineage,
        summary,
      };
      this.repo.insert(row);
      this.logger.info({ id: row.id, sha256, size: row.sizeBytes, parent: row.parentId }, 'model stored');
      progress({ phase: 'done', percent: 100 });
      if (warnings.length > 0) this.logger.warn({ id: row.id, warnings }, 'model imported with warnings');
      return { model: row, existed: false, ...(warnings.length > 0 ? { warnings } : {}) };
    } catch (err) {
      if (stored.created) await this.store.remove(sha256);
      throw err;
    }
  }

  /** Replaces a variant's report (the auto search adds the ids of its sibling variants once all are stored). */
  setReport(id: string, report: VariantReport): void {
    this.repo.updateReport(this.get(id).id, report);
  }

  /** Removes the row, then the file once no row refers to its content. Variants keep their parent. */
  async remove(ref: string): Promise<RemoveResult> {
    const model = this.get(ref);
    const children = this.repo.childIds(model.id);
    if (children.length > 0) {
      throw new AppError(
        'MODEL_IN_USE',
        `"${model.name}" has ${children.length} variant(s) made from it. Remove those first.`,
        { children },
      );
    }
    this.repo.delete(model.id);
    const fileDeleted =
      this.repo.countBySha256(model.sha256) === 0 && (await this.store.remove(model.sha256));
    this.logger.info({ id: model.id, fileDeleted }, 'model removed');
    return { id: model.id, fileDeleted };
  }

  private freeName(base: string): string {
    return freeModelName(base, (name) => this.repo.nameExists(name));
  }
}

function parseName(raw: string): string {
  const parsed = modelNameSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('BAD_REQUEST', `Invalid model name: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
  }
  return parsed.data;
}

function defaultName(fileName: string): string {
  const stem = fileName.replace(/\.onnx$/i, '').trim();
  const parsed = modelNameSchema.safeParse(stem);
  return parsed.success ? parsed.data : 'model';
}
