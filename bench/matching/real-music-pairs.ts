/**
 * The real-music half of the matching set: released, human-made game
 * soundtracks shipped by Debian (singularity-music, ufoai-music,
 * warzone2100-music, nexuiz-music; Ogg Vorbis and Opus), never committed.
 * Six pairs of different songs (some of one style, some not) as released,
 * and three "unmastered-like" targets made from released tracks (quieter,
 * tilted, narrowed or expanded) against other released tracks. Everything is
 * a 60 s excerpt from 0:40, decoded by ffmpeg to 32-bit float WAV (no
 * clipping of the decoders' overshoots).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MatchingPair } from './pair.ts';
import { ffmpegToWav, made } from './recipes.ts';

/** The Debian packages the real-music pairs come from (`apt-get install` them to enable the pairs). */
export const MUSIC_PACKAGES = ['singularity-music', 'ufoai-music', 'warzone2100-music', 'nexuiz-music'] as const;

interface Song {
  /** A file, or an archive (a pk3 is a zip) and the member in it. */
  path: string;
  member?: string;
}

const NEXUIZ = '/usr/share/games/nexuiz/data/music.pk3';
const UFOAI = '/usr/share/games/ufoai/base/0music.pk3';
const SINGULARITY = '/usr/share/games/singularity/music';
const WARZONE = '/usr/share/games/warzone2100/music/albums';

const nexuiz = (name: string): Song => ({ path: NEXUIZ, member: `sound/cdtracks/${name}.ogg` });
const ufoai = (name: string): Song => ({ path: UFOAI, member: `music/${name}.ogg` });

const SONGS = {
  digitalPursuit: nexuiz('digital-pursuit'),
  brokenlight: nexuiz('brokenlight'),
  callingBogus: nexuiz('calling-bogus'),
  ninesix: nexuiz('ninesix'),
  stairs: nexuiz('stairs'),
  desert3: nexuiz('desert3'),
  vanTheme: ufoai('van_theme'),
  marine01: ufoai('Marine01'),
  david03: ufoai('David03'),
  karlmacklinGeoscape: ufoai('karlmacklin_geoscape'),
  geosphere02: ufoai('Crystan-Geosphere02'),
  geosphere04: ufoai('Crystan-Geosphere04'),
  dbsea: ufoai('dbsea'),
  throughSpace: { path: `${SINGULARITY}/Through Space.ogg` },
  nebula: { path: `${SINGULARITY}/Nebula.ogg` },
  warzone14: { path: `${WARZONE}/legacy_soundtrack/track14.opus` },
  warzone17: { path: `${WARZONE}/aftermath_soundtrack/track17.opus` },
  warzone19: { path: `${WARZONE}/aftermath_soundtrack/track19.opus` },
} satisfies Record<string, Song>;

type SongName = keyof typeof SONGS;

/** True when every source file of the real-music pairs is installed. */
export function realMusicAvailable(): boolean {
  return Object.values(SONGS).every((song) => existsSync(song.path));
}

const EXCERPT = { startSeconds: 40, seconds: 60 };

/** Builds (or finds) the real-music pairs under `dir`; throws when the packages are missing. */
export function realMusicPairs(dir: string): MatchingPair[] {
  if (!realMusicAvailable()) throw new Error(`real-music pairs need the Debian packages ${MUSIC_PACKAGES.join(' ')}`);
  const root = resolve(dir);

  const source = (name: SongName): string => {
    const song: Song = SONGS[name];
    if (!song.member) return song.path;
    return made(join(root, 'sources', `${name}.ogg`), (out) => {
      const result = spawnSync('unzip', ['-p', song.path, song.member!], { maxBuffer: 1 << 28 });
      if (result.status !== 0 || result.stdout.byteLength === 0) throw new Error(`unzip ${song.member} from ${song.path} failed: ${result.stderr}`);
      writeFileSync(out, result.stdout);
    });
  };
  const excerpt = (name: SongName) => made(join(root, 'excerpts', `${name}.wav`), (out) => ffmpegToWav(source(name), out, { ...EXCERPT, float: true }));
  const variant = (name: SongName, tag: string, filter: string) =>
    made(join(root, 'unmastered', `${name}-${tag}.wav`), (out) => ffmpegToWav(excerpt(name), out, { filter, float: true }));

  const released = (id: string, target: SongName, reference: SongName, description: string): MatchingPair => ({
    id,
    group: 'real',
    description: `${description} (60 s from 0:40 of each)`,
    target: excerpt(target),
    reference: excerpt(reference),
  });

  return [
    released('real-electronic-dynamic-vs-loud', 'digitalPursuit', 'brokenlight',
      'same style: Nexuiz "digital-pursuit" (electronic, about -13.5 LUFS, LRA 7) vs Nexuiz "brokenlight" (electronic, loud, about -7 LUFS, LRA 4)'),
    released('real-electronic-narrow-vs-loud', 'callingBogus', 'ninesix',
      'same style: Nexuiz "calling-bogus" (electronic, about -15.5 LUFS, bright, side/mid -10 dB above 200 Hz) vs Nexuiz "ninesix" (about -8 LUFS)'),
    released('real-ambient-to-quieter', 'throughSpace', 'nebula',
      'same style: Singularity "Through Space" (ambient, about -17 LUFS, side/mid -6 dB) vs Singularity "Nebula" (about -18 LUFS, wide: side/mid -1 dB): the goal is quieter and wider'),
    released('real-orchestral-vs-electronic', 'vanTheme', 'stairs',
      'different styles: UFO:AI "van_theme" (orchestral, about -13.5 LUFS, LRA 9, very wide) vs Nexuiz "stairs" (electronic, about -7 LUFS, LRA 2)'),
    released('real-48k-soundtrack-vs-44k', 'warzone14', 'marine01',
      'different albums and rates: Warzone 2100 legacy track 14 (Opus, 48 kHz, about -12.5 LUFS, narrow) vs UFO:AI "Marine01" (Vorbis, 44.1 kHz, about -7 LUFS)'),
    released('real-bright-vs-dark', 'david03', 'karlmacklinGeoscape',
      'different composers: UFO:AI "David03" (about -12.5 LUFS, bright) vs UFO:AI "karlmacklin_geoscape" (about -13.5 LUFS, dark top octave, wide)'),
    {
      id: 'real-unmastered-dull-boomy',
      group: 'real',
      description: 'unmastered-like: Nexuiz "desert3" 60 s at -10 dB with +4 dB bass shelf at 100 Hz and -5 dB treble shelf at 4 kHz (ffmpeg bass/treble; about -19 LUFS) vs UFO:AI "dbsea" (released, about -7.5 LUFS)',
      target: variant('desert3', 'dull-boomy', 'volume=-10dB,bass=g=4:f=100,treble=g=-5:f=4000'),
      reference: excerpt('dbsea'),
    },
    {
      id: 'real-unmastered-narrow-quiet',
      group: 'real',
      description: 'unmastered-like: UFO:AI "Crystan-Geosphere04" 60 s with its side scaled by 0.3 (about -13 dB side/mid) at -9 dB (about -22.5 LUFS) vs "Crystan-Geosphere02" by the same composer (released, about -10 LUFS)',
      target: variant('geosphere04', 'narrow-quiet', 'stereotools=slev=0.3,volume=-9dB'),
      reference: excerpt('geosphere02'),
    },
    {
      id: 'real-unmastered-expanded',
      group: 'real',
      description: 'unmastered-like: Warzone 2100 aftermath track 19 60 s expanded (ffmpeg compand 1 s/1 s, -25 dB in to -45 out, -15 to -15: slope 3) and -6 dB (about -21 LUFS, LRA 1.8 -> 6.5 LU) vs aftermath track 17 (released, about -11.7 LUFS, LRA 2)',
      target: variant('warzone19', 'expanded', 'compand=attacks=1:decays=1:points=-90/-150|-25/-45|-15/-15|0/0:gain=-6'),
      reference: excerpt('warzone17'),
    },
  ];
}
