/**
 * sigprop/data: datasets read from local files, batch transforms and a DataLoader, for the examples.
 *
 *   import { buildDataset, DataLoader } from 'sigprop/data';
 *   const { dataset, info } = buildDataset('FashionMNIST', { train: true });
 *   const loader = new DataLoader(dataset, { batchSize: 128, shuffle: true, generator });
 *   for (const [x, y] of loader) { ...; x.dispose(); y.dispose(); }
 */
export * from './datasets';
export * from './transforms';
export * from './dataloader';
export * from './distributed';
export { DataLoaderWorkerError } from './workers';
