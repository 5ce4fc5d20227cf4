// Bodies of /system_stats, /features (also the feature_flags handshake reply) and /models, per generation
// (shapes recorded in fixture 15).
import type { SimGeneration } from './types.js';

const ARGV = ['main.py', '--cpu', '--listen', '127.0.0.1', '--port', '8188', '--disable-auto-launch', '--disable-api-nodes'];
const RAM_TOTAL = 25274793984;
const RAM_FREE = 23632285696;
const PYTHON = '3.11.2 (main, Apr 28 2025, 14:11:48) [GCC 12.2.0]';

export function systemStats(generation: SimGeneration, version: string, override?: { devices?: readonly Record<string, unknown>[]; ramFree?: number }): Record<string, unknown> {
  const RAM_FREE_NOW = override?.ramFree ?? RAM_FREE;
  const devices = override?.devices ?? [
    { name: 'cpu', type: 'cpu', index: null, vram_total: RAM_TOTAL, vram_free: RAM_FREE, torch_vram_total: RAM_TOTAL, torch_vram_free: RAM_FREE },
  ];
  if (generation === 'legacy') {
    return {
      system: {
        os: 'posix',
        ram_total: RAM_TOTAL,
        ram_free: RAM_FREE_NOW,
        comfyui_version: version,
        required_frontend_version: '1.25.11',
        python_version: PYTHON,
        pytorch_version: '1.13.0a0',
        embedded_python: false,
        argv: ARGV,
      },
      devices,
    };
  }
  return {
    system: {
      os: 'linux',
      ram_total: RAM_TOTAL,
      ram_free: RAM_FREE_NOW,
      comfyui_version: version,
      required_frontend_version: '1.45.21',
      installed_templates_version: null,
      required_templates_version: '0.11.9',
      comfy_package_versions: [
        { name: 'comfyui-frontend-package', installed: null, required: '1.45.21' },
        { name: 'comfyui-workflow-templates', installed: null, required: '0.11.9' },
        { name: 'comfyui-embedded-docs', installed: null, required: '0.5.8' },
      ],
      python_version: PYTHON,
      pytorch_version: '1.13.0a0',
      embedded_python: false,
      deploy_environment: 'local-git',
      argv: ARGV,
    },
    devices,
  };
}

export function serverFeatures(generation: SimGeneration): Record<string, unknown> {
  if (generation === 'legacy') return { supports_preview_metadata: true, max_upload_size: 104857600 };
  return {
    supports_preview_metadata: true,
    supports_model_type_tags: true,
    max_upload_size: 104857600,
    extension: { manager: { supports_v4: true } },
    node_replacements: true,
    assets: false,
  };
}

const LEGACY_MODELS = [
  'checkpoints', 'configs', 'loras', 'vae', 'text_encoders', 'diffusion_models', 'clip_vision', 'style_models', 'embeddings',
  'diffusers', 'vae_approx', 'controlnet', 'gligen', 'upscale_models', 'custom_nodes', 'hypernetworks', 'photomaker',
  'classifiers', 'model_patches', 'audio_encoders',
];

export function modelFolders(generation: SimGeneration): string[] {
  if (generation === 'legacy') return LEGACY_MODELS;
  const modern = [...LEGACY_MODELS];
  modern.splice(modern.indexOf('custom_nodes'), 0, 'latent_upscale_models');
  return [...modern, 'background_removal', 'frame_interpolation', 'geometry_estimation', 'optical_flow', 'detection'];
}
