// Builds the `leasehold` command and copies it to target/bundle-cli/, where
// the installers take it from (src-tauri/tauri.conf.json: the .deb's
// /usr/bin/leasehold, the macOS app's Contents/MacOS/leasehold,
// tauri.windows.conf.json: leasehold.exe next to the app). Run by `tauri
// build` as part of beforeBuildCommand: release unless `tauri build --debug`.
// A copy rather than target/release itself, because Tauri copies Windows
// resources into target/release at compile time (a file onto itself).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const exe = process.platform === 'win32' ? 'leasehold.exe' : 'leasehold';
const debug = process.env.TAURI_ENV_DEBUG === 'true';
const args = ['build', '-p', 'leasehold-cli', '--bin', 'leasehold'];
if (!debug) args.push('--release');

const built = spawnSync('cargo', args, { cwd: root, stdio: 'inherit' });
if (built.error || built.status !== 0) {
  console.error(`stage-cli: cargo ${args.join(' ')} failed${built.error ? `: ${built.error.message}` : ''}`);
  process.exit(built.status || 1);
}
const targetDir = process.env.CARGO_TARGET_DIR || join(root, 'target');
const from = join(targetDir, debug ? 'debug' : 'release', exe);
const stage = join(root, 'target', 'bundle-cli');
mkdirSync(stage, { recursive: true });
copyFileSync(from, join(stage, exe));
console.log(`stage-cli: ${from} -> ${join(stage, exe)}`);
