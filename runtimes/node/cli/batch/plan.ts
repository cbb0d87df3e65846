// Turns manifest entries or glob matches into the batch's items: each gets
// its references (by the chosen rule), its options and its output name (the manifest's, or
// `--output-dir` + `--naming-template`). Everything that would make the batch
// wrong as a whole is refused here, before any audio is touched: an output
// that is not a .wav name, two items writing the same file, an output that
// would overwrite one of the batch's own inputs.
import { basename, join, parse } from 'node:path';
import type { MasteringRequestOptions } from '../../../../core/mastering/options.ts';
import { UsageError } from '../args.ts';
import { fileIdentity, outputNameProblem } from '../output-path.ts';
import { compileNamingTemplate } from './naming-template.ts';
import type { ReferenceChoice, ReferenceResolver } from './reference-rules.ts';

/** Where an item came from before planning: a manifest entry or a glob match. */
export interface BatchSource {
  readonly target: string;
  readonly references?: readonly string[];
  readonly output?: string;
  /** The item's own options (validated, the batch's flags with the manifest's values on top). */
  readonly options?: MasteringRequestOptions;
  /** How messages name it: `line 4`, `entry 3`, or the matched path. */
  readonly where: string;
}

export interface BatchItem {
  /** 1-based position in the batch (the template's `{index}`). */
  readonly index: number;
  readonly target: string;
  readonly reference: ReferenceChoice;
  readonly output: string;
  /** Options for this item alone; absent: the batch's. */
  readonly options?: MasteringRequestOptions;
}

export interface PlanSettings {
  /** Folder for template-named outputs (relative to the working directory). */
  readonly outputDir: string;
  readonly namingTemplate: string;
}

/** The name fields of one item (the reference's are the first reference's); a reference that could not be picked leaves its fields empty. */
function namingFields(index: number, target: string, reference: ReferenceChoice) {
  const referencePath = 'paths' in reference ? reference.paths[0] : '';
  const targetParts = parse(target);
  return {
    index,
    target_name: basename(target),
    target_stem: targetParts.name,
    target_suffix: targetParts.ext,
    reference_name: referencePath === '' ? '' : basename(referencePath),
    reference_stem: referencePath === '' ? '' : parse(referencePath).name,
  };
}

/**
 * Plans the batch. Throws `UsageError` for a bad template, an output name
 * that is not `.wav`, two items with one output, or an output that is one of
 * the batch's inputs; a missing target or reference is left for the item to
 * report when it runs.
 *
 * @example
 * const items = await planBatch([{ target: 'a.wav', where: 'a.wav' }], () => ({ paths: ['ref.wav'] }), { outputDir: 'mastered', namingTemplate: '{index:03d}_{target_stem}.wav' });
 * items[0].output // 'mastered/001_a.wav'
 */
export async function planBatch(sources: readonly BatchSource[], resolveReference: ReferenceResolver, settings: PlanSettings): Promise<BatchItem[]> {
  const render = compileNamingTemplate(settings.namingTemplate);
  const items = sources.map((source, i): BatchItem => {
    const index = i + 1;
    const reference = resolveReference(source);
    const output = source.output ?? join(settings.outputDir, render(namingFields(index, source.target, reference)));
    return { index, target: source.target, reference, output, ...(source.options ? { options: source.options } : {}) };
  });

  const inputs = new Map<string, string>();
  for (const item of items) {
    inputs.set(await fileIdentity(item.target), `the target of item ${item.index} (${item.target})`);
    if (!('paths' in item.reference)) continue;
    for (const path of item.reference.paths) inputs.set(await fileIdentity(path), `the reference of item ${item.index} (${path})`);
  }
  const outputs = new Map<string, BatchItem>();
  for (const item of items) {
    // An item that has no reference fails without writing; its name cannot collide.
    if (!('paths' in item.reference)) continue;
    const problem = await outputNameProblem(item.output);
    if (problem) throw new UsageError(`item ${item.index} (${item.target}): output ${item.output} ${problem}`);
    const identity = await fileIdentity(item.output);
    const input = inputs.get(identity);
    if (input) throw new UsageError(`item ${item.index} (${item.target}): output ${item.output} is ${input}; refusing to overwrite an input`);
    const other = outputs.get(identity);
    if (other) {
      throw new UsageError(
        `items ${other.index} (${other.target}) and ${item.index} (${item.target}) would both write ${item.output}; ` +
          'make the names differ (e.g. add {index:03d} or {target_suffix} to --naming-template)',
      );
    }
    outputs.set(identity, item);
  }
  return items;
}
