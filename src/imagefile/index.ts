// Public face of the `.telos` image file: streaming writer and reader, validation, and
// export/import between a file and an image (store, memory). See format.ts for the format.
export {
  IMAGE_FORMAT,
  IMAGE_FORMAT_VERSION,
  BLOB_CHUNK_BYTES,
  type ImageHeader,
  type ImageCounts,
  type ImageRecord,
  type ObjRecord,
  type BlobRecord,
  type TxRecord,
  type ChunkRecord,
  type EndRecord,
  type FileObjectState,
  type FileSlot,
  type FileValue,
} from './format';
export { ImageFileError, ImageImportError } from './errors';
export {
  readImageFile,
  readImageHeader,
  imageFileName,
  DEFAULT_READ_LIMITS,
  type ImageReadLimits,
  type ImageReadHandlers,
  type ImageReadOptions,
  type ImageReadProgress,
  type ImageReadSummary,
} from './reader';
export { writeImageFile, writeImageNdjson, type ImageWriteOptions } from './writer';
export { stateToFile, stateFromFile } from './convert';
export {
  exportImage,
  importImage,
  type ImageExportSource,
  type ImageImportTarget,
  type ImageDescription,
  type HistoryTransaction,
  type StoredBlob,
  type ExportOptions,
  type ImportOptions,
  type ImportResult,
} from './transfer';
export { MemoryImage, MemoryImageShelf, loadImageIntoMemory } from './memory';
export { storeExportSource, exportStoreImage, storeImportTarget, importIntoStore, importingName } from './store-transfer';
