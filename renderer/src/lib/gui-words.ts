/**
 * Core messages are written for both front ends and often end with the CLI command that fixes the problem.
 * In the GUI the fix is a button, so those hints are reworded to name the button instead of a command the
 * user would have to type in a terminal. Messages without a CLI hint pass through unchanged.
 */
type Rewrite = readonly [pattern: RegExp, replacement: string];

const rewrites: readonly Rewrite[] = [
  // Host keys: the Trust host key… button (device drawer, bulk bar, and the per-device Trust buttons).
  [/,? then run: edgefleet devices trust \S+ --fingerprint \S+/g, ', then trust it with “Trust host key…”'],
  [/ and run: edgefleet devices trust \S+ --fingerprint \S+/g, ' and trust it again with “Trust host key…”'],
  [
    /; to replace it after checking the device, run: edgefleet devices trust \S+ --fingerprint \S+/g,
    '; to replace it after checking the device, use “Trust host key…” on the Fleet page',
  ],
  [/ \(edgefleet devices trust [^)]+\)/g, ' (“Trust host key…” on the Fleet page)'],
  // Import: the dialog's own button.
  [/ \(--skip-invalid\)/g, ' (“Import the valid rows only”)'],
  // Listings: the page that shows them.
  [/\.? ?List devices with: edgefleet devices list/g, '. See the Fleet page'],
  [/\.? ?List models with: edgefleet models list/g, '. See the Models page'],
  [/\.? ?Add one with: edgefleet devices add/g, '. Add one on the Fleet page'],
  [/ See the device's releases with edgefleet status\./g, " See the device's releases on the History page."],
  [/ \(edgefleet models show\)/g, ' (its page under Models)'],
  [
    / List tags with: edgefleet devices list \(tags are case-sensitive\)\./g,
    ' Tags are case-sensitive: see them on the Fleet page.',
  ],
  [/ \(edgefleet history\)/g, ' (History page)'],
  [/ List them with edgefleet history\./g, ' See the History page.'],
  [
    / List them with: edgefleet profiles list \(or import one: edgefleet profiles import <file>\)\./g,
    ' See, or import one, under Benchmark › Hardware profiles.',
  ],
  // Data for a run: the Optimize page's "Folder / file" and "Random" choices.
  [
    /give --calibration <folder\|file\.npy>, or --calibration random to try it/g,
    'choose calibration data (“Folder / file”), or “Random” to try it',
  ],
  [
    / \(--calibration with a \.npy file or a folder of images\)/g,
    ' (calibration data: a .npy file or a folder of images)',
  ],
  [/give --calibration data/g, 'give calibration data'],
  [
    /give --data <folder\|file\.npy\|image folder>/g,
    'choose training data (“Folder / file”: .npy or an image folder)',
  ],
  [/--student (\S+): /g, 'Student $1: '],
  // Device form: its own fields.
  [/\(--key PATH\), or use --agent\./g, '(“Private key file”), or choose ssh-agent.'],
  [/ \(devices edit NAME --jump …\)/g, ' (Edit each of them)'],
];

/** The message as the GUI shows it: CLI commands replaced by the buttons or pages that do the same. */
export function guiWords(message: string): string {
  let out = message;
  for (const [pattern, replacement] of rewrites) out = out.replace(pattern, replacement);
  return out;
}
