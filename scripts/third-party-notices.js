// Writes dist/licenses/THIRD_PARTY_NOTICES.txt: every production dependency the app ships (from
// package-lock.json, dev dependencies left out) with its version, license and license text when the package
// has one. Part of `npm run build:main`; the packaged app carries the file (electron-builder.yml).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const licenseFile = /^(licen[cs]e|copying|notice)(\.|-|$)/i;

/** The SPDX id from `license`, or the old `licenses: [{ type }]` form some packages still use. */
function licenseOf(pkg) {
  if (typeof pkg.license === 'string') return pkg.license;
  if (pkg.license && typeof pkg.license.type === 'string') return pkg.license.type;
  if (Array.isArray(pkg.licenses)) return pkg.licenses.map((l) => l.type ?? l).join(' OR ');
  return 'UNKNOWN';
}

export function thirdPartyNotices() {
  const sections = [];
  const entries = Object.entries(lock.packages)
    .filter(([path, meta]) => path.startsWith('node_modules/') && !meta.dev && !meta.devOptional)
    .sort(([a], [b]) => a.localeCompare(b));
  for (const [path] of entries) {
    const dir = join(root, path);
    // Optional packages for other platforms (another OS's sharp or esbuild binary) are not installed here.
    if (!existsSync(join(dir, 'package.json'))) continue;
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const texts = readdirSync(dir)
      .filter((f) => licenseFile.test(f))
      .map((f) => readFileSync(join(dir, f), 'utf8').trim());
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const header = `${name} ${pkg.version} — ${licenseOf(pkg)}`;
    const source = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
    sections.push(
      [header, '='.repeat(header.length), ...(source ? [`Source: ${source}`] : []), '', ...texts].join('\n'),
    );
  }
  return `EdgeFleet ships these third-party packages.\n\n${sections.join('\n\n\n')}\n`;
}

export function writeThirdPartyNotices() {
  mkdirSync(join(root, 'dist', 'licenses'), { recursive: true });
  writeFileSync(join(root, 'dist', 'licenses', 'THIRD_PARTY_NOTICES.txt'), thirdPartyNotices());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeThirdPartyNotices();
