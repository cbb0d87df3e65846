// A kept reference-analysis thread answers several calls, one after another
// and at once, each with what the calling thread would give, and then does
// not keep its process alive: the process must end by itself. Prints one
// line per check.
import { isDeepStrictEqual } from 'node:util';
import { analyzeReferenceUploads } from '../../../core/app/reference-analysis.ts';
import { DEFAULT_INGEST_POLICY } from '../../../core/domain/policies.ts';
import { createThreadedReferenceAnalyzer } from '../../../runtimes/node/reference-analysis-thread.ts';
import { fixtureHead } from '../../support/fixtures.ts';

const upload = (name: string) => [{ bytes: fixtureHead(name, 3), filename: 'r.wav' }];
const names = ['synthwave_48k_24bit/reference.wav', 'indie_pop/reference.wav', 'synthwave_48k_24bit/target.wav'];
const analyze = createThreadedReferenceAnalyzer(undefined, { keep: true });
const same = async (answers: Promise<Awaited<ReturnType<typeof analyze>>>[], order: string[]) => {
  const got = await Promise.all(answers);
  const expected = await Promise.all(order.map((name) => analyzeReferenceUploads(upload(name), DEFAULT_INGEST_POLICY)));
  return got.every((references, i) => isDeepStrictEqual(references[0].analysis, expected[i][0].analysis) && isDeepStrictEqual(references[0].summary, expected[i][0].summary));
};
console.log(`in turn ${await same([analyze(upload(names[0]), DEFAULT_INGEST_POLICY)], [names[0]])}`);
console.log(`in turn ${await same([analyze(upload(names[1]), DEFAULT_INGEST_POLICY)], [names[1]])}`);
console.log(`at once ${await same(names.map((name) => analyze(upload(name), DEFAULT_INGEST_POLICY)), names)}`);
const failed = await analyze([{ bytes: new Uint8Array(10), filename: 'bad.wav' }], DEFAULT_INGEST_POLICY).then(() => 'resolved', (error: { code?: string }) => error.code);
console.log(`bad upload ${failed}`);
console.log(`after it ${await same([analyze(upload(names[0]), DEFAULT_INGEST_POLICY)], [names[0]])}`);
