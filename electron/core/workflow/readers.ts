// The metadata readers of the container formats other than PNG/WebP, by detected format.
import type { MetadataRead, ReaderLimits } from './bytes.js';
import type { FileFormat } from './detect.js';
import { readEbmlMetadata } from './ebml.js';
import { readFlacMetadata } from './flac.js';
import { readId3Metadata } from './id3.js';
import { readIsobmffMetadata } from './isobmff.js';
import { readOggMetadata } from './ogg.js';
import { readSafetensorsMetadata } from './safetensors.js';

export type MetadataReader = (bytes: Uint8Array, limits: ReaderLimits) => MetadataRead;

const READERS: Partial<Record<FileFormat, MetadataReader>> = {
  flac: readFlacMetadata,
  mp3: readId3Metadata,
  ogg: readOggMetadata,
  isobmff: readIsobmffMetadata,
  matroska: readEbmlMetadata,
  safetensors: readSafetensorsMetadata,
};

export function readerFor(format: FileFormat): MetadataReader | undefined {
  return READERS[format];
}
