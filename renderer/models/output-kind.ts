// What kind of file an output is, from the key its node listed it under and its file name: images get a thumbnail,
// everything else a typed placeholder (the main process only makes thumbnails of images, so asking is pointless).
import type { OutputRef } from '../../electron/shared/app-state.js';

export type OutputKind = 'image' | 'video' | 'audio' | '3d' | 'file';

const BY_EXTENSION: Readonly<Record<string, OutputKind>> = {
  png: 'image', jpg: 'image', jpeg: 'image', webp: 'image', gif: 'image', bmp: 'image', avif: 'image',
  mp4: 'video', webm: 'video', mov: 'video', mkv: 'video', avi: 'video', m4v: 'video',
  mp3: 'audio', flac: 'audio', wav: 'audio', ogg: 'audio', opus: 'audio', m4a: 'audio', aac: 'audio',
  glb: '3d', gltf: '3d', obj: '3d', ply: '3d', stl: '3d', fbx: '3d', usdz: '3d',
};

const BY_NODE_KEY: Readonly<Record<string, OutputKind>> = { images: 'image', video: 'video', videos: 'video', audio: 'audio', '3d': '3d', mesh: '3d', latents: 'file' };

export function outputKind(output: Pick<OutputRef, 'kind' | 'filename' | 'format'>): OutputKind {
  // The extension wins: video nodes list .mp4 files under `images` or `gifs`, and a .gif under `gifs` is an image.
  const extension = /\.([a-z0-9]+)$/i.exec(output.filename)?.[1]?.toLowerCase();
  const known = extension === undefined ? undefined : BY_EXTENSION[extension];
  if (known) return known;
  if (output.format?.startsWith('video/')) return 'video';
  if (output.format?.startsWith('audio/')) return 'audio';
  if (output.format?.startsWith('image/')) return 'image';
  return BY_NODE_KEY[output.kind] ?? 'file';
}
