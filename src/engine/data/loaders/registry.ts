/** Which lister reads which dataset kind. */
import { DatasetKind } from '../../types';
import { DatasetIndex, DatasetLister } from '../source';
import { DatasetSpec } from '../spec';
import { listSynthetic } from '../synthetic/dataset';
import { listBreast } from './breast';
import { listBusbra } from './busbra';
import { listBusi } from './busi';
import { listBusuclm } from './busuclm';
import { listFolder } from './folder';
import { listUdiat } from './udiat';

const LISTERS: Record<DatasetKind, DatasetLister> = {
  breast: listBreast,
  busi: listBusi,
  busbra: listBusbra,
  udiat: listUdiat,
  busuclm: listBusuclm,
  folder: listFolder,
  synthetic: listSynthetic,
};

/** Lists the items of a parsed spec without decoding any pixels. */
export function listDataset(spec: DatasetSpec): Promise<DatasetIndex> {
  return LISTERS[spec.kind](spec);
}
