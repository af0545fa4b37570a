/**
 * Native open dialogs, one per use: what the dialog is titled, what it may select and which file types it
 * offers first. The last filter is always "All files", so an unusual extension is still reachable (the core
 * validates the content, not the name).
 */
export type FileUse = 'models' | 'data' | 'inventories' | 'profiles' | 'keys';
export type PickKind = 'file' | 'folder';

type FileFilter = { name: string; extensions: string[] };
type OpenDialogSpec = {
  title: string;
  properties: ('openFile' | 'openDirectory' | 'showHiddenFiles')[];
  filters: FileFilter[];
};

const allFiles: FileFilter = { name: 'All files', extensions: ['*'] };

const filtersByUse: Record<FileUse, FileFilter[]> = {
  models: [{ name: 'ONNX models', extensions: ['onnx'] }],
  data: [
    { name: 'Samples (NumPy arrays, images)', extensions: ['npy', 'png', 'jpg', 'jpeg', 'webp'] },
    { name: 'NumPy arrays', extensions: ['npy'] },
  ],
  inventories: [
    { name: 'Inventories (CSV, YAML, JSON, SSH config)', extensions: ['csv', 'yaml', 'yml', 'json', 'conf'] },
  ],
  profiles: [{ name: 'Hardware profiles (YAML, JSON)', extensions: ['yaml', 'yml', 'json'] }],
  // Private keys have no extension (id_ed25519): all files, hidden ones shown (~/.ssh).
  keys: [],
};

const titles: Record<FileUse, Record<PickKind, string>> = {
  models: { file: 'Import an ONNX model', folder: 'Choose a folder of models' },
  data: { file: 'Choose a .npy file of samples', folder: 'Choose a folder of samples' },
  inventories: { file: 'Import a device inventory', folder: 'Choose a folder' },
  profiles: { file: 'Import a hardware profile', folder: 'Choose a folder' },
  keys: { file: 'Choose the SSH private key', folder: 'Choose a folder' },
};

export function openDialogSpec(use: FileUse, kind: PickKind = 'file'): OpenDialogSpec {
  if (kind === 'folder') {
    // A folder dialog shows folders only; file filters would just grey out the files inside.
    return { title: titles[use].folder, properties: ['openDirectory'], filters: [] };
  }
  const properties: OpenDialogSpec['properties'] =
    use === 'keys' ? ['openFile', 'showHiddenFiles'] : ['openFile'];
  return { title: titles[use].file, properties, filters: [...filtersByUse[use], allFiles] };
}
