// `npm start`: build, make sure Electron's binary is present (downloading it on first use), then run the app.
// Where the binary cannot be had (offline or locked-down machines), say so plainly and point to headless mode.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

function electronPath() {
  try {
    return require('electron');
  } catch {
    return undefined;
  }
}

let binary = electronPath();
if (!binary) {
  const installer = require.resolve('electron/install.js');
  const fetched = spawnSync(process.execPath, [installer], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  binary = fetched.status === 0 ? electronPath() : undefined;
  if (!binary) {
    console.error(
      "Electron's binary could not be downloaded on this machine, so the tray app cannot start here; " +
        'run the same engine without a window instead: npm run headless -- --server http://127.0.0.1:8188',
    );
    process.exit(1);
  }
}

const child = spawn(binary, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
