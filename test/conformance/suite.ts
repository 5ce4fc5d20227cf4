// One real ComfyUI server per version, started once for the whole file, and every scenario run against it. The
// scenarios that kill or freeze the server come last.
import { after, before, describe, test } from 'node:test';
import { cliScenarios } from './cli-scenarios.js';
import { convertScenarios } from './convert-scenarios.js';
import { disruptionScenarios } from './disruption-scenarios.js';
import { engineScenarios } from './engine-scenarios.js';
import { mcpScenarios } from './mcp-scenarios.js';
import { mustRun, RealComfyUI, unavailableReason, type RealVersion } from './support/real-comfyui.js';

export function conformanceSuite(version: RealVersion): void {
  const missing = unavailableReason();
  if (missing !== undefined && !mustRun()) {
    test(`real ComfyUI ${version}`, { skip: missing }, () => undefined);
    return;
  }
  describe(`real ComfyUI ${version}`, { timeout: 20 * 60_000 }, () => {
    let server: RealComfyUI | undefined;
    const current = (): RealComfyUI => {
      if (!server) throw new Error(`ComfyUI ${version} is not running`);
      return server;
    };
    before(async () => {
      server = await RealComfyUI.start(version);
    }, { timeout: 10 * 60_000 });
    after(() => server?.stop());

    engineScenarios(current);
    cliScenarios(current);
    convertScenarios(current);
    mcpScenarios(current);
    disruptionScenarios(current);
  });
}
