// Builds the server the browser tests run against when it is not there yet
// (`npm run test:browser`); with $LEASEHOLD_BIN set, that binary is used as is.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const bin = `${ROOT}target/debug/leasehold${process.platform === 'win32' ? '.exe' : ''}`;
if (!process.env.LEASEHOLD_BIN && !existsSync(bin)) {
  console.log('building the server: cargo build -q -p leasehold-cli');
  execFileSync('cargo', ['build', '-q', '-p', 'leasehold-cli'], { cwd: ROOT, stdio: 'inherit' });
}
