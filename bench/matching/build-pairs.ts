// Builds the matching pair set into a folder and writes DIR/pairs.json
// (absolute paths, one description per pair), for judging outside the repo:
//   node --import tsx bench/matching/build-pairs.ts /some/dir
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildPairSet } from './pair-set.ts';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: build-pairs.ts DIR');
  process.exit(2);
}
const { pairs, realMusicSkipped } = buildPairSet(resolve(dir));
if (realMusicSkipped) console.log(realMusicSkipped);
writeFileSync(join(resolve(dir), 'pairs.json'), `${JSON.stringify({ pairs }, null, 2)}\n`);
console.log(`${pairs.length} pairs: ${join(resolve(dir), 'pairs.json')}`);
