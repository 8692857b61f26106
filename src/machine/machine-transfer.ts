// The Machine's part of an image file: the kernel disk, the file-system disk (hdb) and the
// suspended machine travel as the `disk`, `hdb` and `vm` records of a `.telos` file. These wrappers add them to any export
// source and import target of src/imagefile, reading and writing the image's machine
// database (disk-store.ts), so the code that exports and imports images needs one line:
//   exportImage(withMachineExport(storeExportSource(image), image.name))
//   importImage(stream, withMachineImport(storeImportTarget(registry)))
import { ImageFileError, type ImageExportSource, type ImageHeader, type ImageImportTarget } from '../imagefile';
import { exportMachineState, importMachineState, machineStateProblem, type MachineStateKind } from './disk-store';

/** The source, describing also the image's kernel disk and suspended machine. */
export function withMachineExport(source: ImageExportSource, image: string): ImageExportSource {
  return {
    objects: () => source.objects(),
    blobs: () => source.blobs(),
    transactions: () => source.transactions(),
    async describe() {
      const [d, machine] = await Promise.all([source.describe(), exportMachineState(image)]);
      return { ...d, ...machine };
    },
  };
}

/**
 * The target, keeping also a file's kernel disk and suspended machine. They are held until
 * the import has been verified and finished, then stored under the new image's name; a
 * failed import stores nothing.
 */
export function withMachineImport(
  createTarget: (name: string, header: ImageHeader) => Promise<ImageImportTarget>,
): (name: string, header: ImageHeader) => Promise<ImageImportTarget> {
  return async (name, header) => {
    const target = await createTarget(name, header);
    const held: { kind: MachineStateKind; data: Blob }[] = [];
    return {
      putObjects: (batch) => target.putObjects(batch),
      putBlob: (blob) => target.putBlob(blob),
      putTransactions: (batch) => target.putTransactions(batch),
      async putMachineState(kind, data) {
        // Refused here, before finish: the import fails and its half-made image is discarded.
        const problem = await machineStateProblem(kind, data);
        if (problem) throw new ImageFileError(problem, { record: kind });
        held.push({ kind, data });
      },
      async finish(meta) {
        const notes = await target.finish(meta);
        for (const h of held) await importMachineState(name, h.kind, h.data);
        return notes;
      },
      discard: () => target.discard(),
    };
  };
}
