// A server's machine at a glance on its card: the device, and how much of its memory (VRAM, RAM) is in use, as
// meters with their figures in words. Read only while the window is visible (the main process polls then).
import type { ServerHealth as Health } from '../../electron/shared/app-state.js';
import { formatBytes } from '../format.js';

function Meter({ label, used, total, server }: { label: string; used: number; total: number; server: string }) {
  const share = total > 0 ? Math.min(1, used / total) : 0;
  const text = `${formatBytes(used)} of ${formatBytes(total)}`;
  return (
    <div
      class={`meter${share >= 0.9 ? ' meter--high' : ''}`}
      role="meter"
      aria-label={`${label} of ${server}`}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(share * 100)}
      aria-valuetext={`${text} used`}
    >
      <span class="meter__label">{label}</span>
      <span class="meter__bar" aria-hidden="true">
        <span class="meter__fill" style={{ width: `${Math.round(share * 100)}%` }} />
      </span>
      <span class="meter__text">
        {formatBytes(used)} / {formatBytes(total)}
      </span>
    </div>
  );
}

export function ServerHealth({ health, server }: { health: Health; server: string }) {
  // A CPU-only server reports its RAM as its device memory: one meter says it.
  const showVram = health.deviceType !== 'cpu' && health.vramUsed !== undefined && health.vramTotal !== undefined;
  return (
    <div class="server__health">
      {health.device && <div class="server__device">{health.device}</div>}
      {showVram && <Meter label="VRAM" used={health.vramUsed!} total={health.vramTotal!} server={server} />}
      {health.ramUsed !== undefined && health.ramTotal !== undefined && <Meter label="RAM" used={health.ramUsed} total={health.ramTotal} server={server} />}
    </div>
  );
}
