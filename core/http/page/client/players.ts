/**
 * Client script, part 4: the three players and the level-matched A/B switch.
 * Only one player sounds at a time; switching source keeps the playback
 * position. Loudness matching turns every player down to the quietest
 * track's integrated loudness (from `/analyze`) with `audio.volume`, which
 * can only attenuate, so matching never clips.
 */
export const CLIENT_PLAYERS = String.raw`
let abActive = 'target';

function playerOf(name) { return byId('player-' + name); }

function setPlayerSource(name, url, label) {
  const audio = playerOf(name);
  audio.pause();
  if (url) audio.src = url; else audio.removeAttribute('src');
  audio.load();
  byId('player-' + name + '-name').textContent = label || (name === 'result' ? 'Master to hear the result.' : 'No file chosen yet.');
  const radio = document.querySelector('input[name="ab-source"][value="' + name + '"]');
  radio.disabled = !url;
  if (!url && abActive === name) selectAbSource(['target', 'reference', 'result'].filter((other) => slots[other].url)[0] || 'target');
  byId('listen-panel').hidden = !['target', 'reference', 'result'].some((other) => slots[other].url);
  applyLevelMatch();
  updatePlayButton();
}

/** Makes the named player the A/B source; a playing source hands over its position and keeps playing. */
function selectAbSource(name) {
  const from = playerOf(abActive);
  const to = playerOf(name);
  const wasPlaying = !from.paused;
  if (from !== to) {
    if (to.getAttribute('src') && isFinite(from.currentTime)) {
      const end = isFinite(to.duration) ? to.duration : from.currentTime;
      try { to.currentTime = Math.min(from.currentTime, end); } catch (ignored) { /* not seekable yet */ }
    }
    from.pause();
  }
  abActive = name;
  document.querySelectorAll('.player').forEach((card) => card.classList.toggle('active', card.getAttribute('data-slot') === name));
  const radio = document.querySelector('input[name="ab-source"][value="' + name + '"]');
  if (radio) radio.checked = true;
  if (wasPlaying && to.getAttribute('src')) to.play().catch(() => {});
  updatePlayButton();
}

function updatePlayButton() {
  const playing = !playerOf(abActive).paused;
  const button = byId('ab-play');
  button.textContent = playing ? 'Pause' : 'Play';
  button.setAttribute('aria-pressed', playing ? 'true' : 'false');
  button.disabled = !playerOf(abActive).getAttribute('src');
}

/** Per-player gain in dB that brings every measured track to the quietest one's integrated loudness. */
function levelMatchGainsDb() {
  const names = ['target', 'reference', 'result'].filter((name) => slots[name].url && slots[name].analysis && slots[name].analysis.integrated_lufs !== null);
  const gains = {};
  if (names.length < 2) return gains;
  const quietest = Math.min.apply(null, names.map((name) => slots[name].analysis.integrated_lufs));
  names.forEach((name) => { gains[name] = quietest - slots[name].analysis.integrated_lufs; });
  return gains;
}

/** Why a player is not level-matched yet: its measurement (or another's) is still running, or it failed. */
function levelMatchPending(name) {
  if (slots[name].analysisPromise && !slots[name].analysis) return 'Loudness match waits for the measurement.';
  if (!slots[name].analysis) return 'Not measured, so played at full volume.';
  return slots[name].analysis.integrated_lufs === null ? 'Silent or too short for loudness: played at full volume.' : 'Loudness match needs a second measured track.';
}

function applyLevelMatch() {
  const match = byId('level-match').checked;
  const gains = levelMatchGainsDb();
  ['target', 'reference', 'result'].forEach((name) => {
    const gainDb = match && gains[name] !== undefined ? gains[name] : 0;
    const audio = playerOf(name);
    audio.volume = Math.min(1, Math.pow(10, gainDb / 20));
    audio.setAttribute('data-gain-db', gainDb.toFixed(2));
    const note = byId('player-' + name + '-gain');
    if (!match || gains[name] === undefined) note.textContent = match && slots[name].url ? levelMatchPending(name) : '';
    else note.textContent = gainDb < -0.05 ? 'Played ' + formatNumber(-gainDb, 1) + ' dB quieter to match loudness.' : 'Reference level for the match (quietest track).';
    if (!slots[name].url) note.textContent = '';
  });
}

function initPlayers() {
  ['target', 'reference', 'result'].forEach((name) => {
    const audio = playerOf(name);
    audio.addEventListener('play', () => {
      // One sound at a time: a player started from its own controls becomes the A/B source.
      ['target', 'reference', 'result'].forEach((other) => { if (other !== name) playerOf(other).pause(); });
      if (abActive !== name) selectAbSource(name);
      updatePlayButton();
    });
    audio.addEventListener('pause', updatePlayButton);
    audio.addEventListener('ended', updatePlayButton);
  });
  document.querySelectorAll('input[name="ab-source"]').forEach((radio) => {
    radio.addEventListener('change', () => { if (radio.checked) selectAbSource(radio.value); });
  });
  byId('ab-play').addEventListener('click', () => {
    const audio = playerOf(abActive);
    if (audio.paused) audio.play().catch(() => {}); else audio.pause();
  });
  byId('level-match').addEventListener('change', applyLevelMatch);
  selectAbSource('target');
}
`;
